// Fair share: member A (alice) and member B (bob) on one real server-everything from npm. Bob tries
// each way of taking more than his share, in both protocol eras, and is refused with 429; alice's
// results are checked every time and never change. (The child's stdin: fair-share-stdin.test.ts.)
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  aliceIsServed,
  ALICE,
  assertRefused,
  BOB,
  call,
  LONG,
  members,
  post,
  usage,
  WATCHER,
  type Reply,
} from './fair-share-test-helpers';
import {
  INITIALIZE,
  MCP_HEADERS,
  statelessRequest,
  openRawSession,
  raw,
  serverCommand,
  sha256,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

describe('fair share: sessions (server defaults, 32 per member)', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({ ...serverCommand('server-everything'), members: members() });
  });
  after(() => bridge.close());

  it("refuses bob's sessions past 32, listen streams too, while alice still opens hers", async () => {
    const opened: string[] = [];
    const refused: Reply[] = [];
    // Issue 12: 1,000 sessions from one member left the next member's initialize with 503.
    for (let i = 0; i < 40; i++) {
      const reply = await raw(bridge.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${BOB}` },
        body: JSON.stringify(INITIALIZE),
      });
      if (reply.status === 200) opened.push(reply.headers.get('mcp-session-id') ?? '');
      else
        refused.push({
          status: reply.status,
          retryAfter: reply.headers.get('retry-after'),
          body: JSON.parse(reply.text) as Reply['body'],
        });
    }
    assert.equal(opened.length, 32);
    assert.equal(refused.length, 8);
    for (const reply of refused) assertRefused(reply, 'sessions', 0);
    // At once, too: the slots being opened count, so a burst cannot slip past the cap.
    const burst = await Promise.all(Array.from({ length: 10 }, () => post(bridge, BOB, INITIALIZE)));
    for (const reply of burst) assertRefused(reply, 'sessions', 0);
    const listen = await statelessRequest(bridge.url, BOB, 'subscriptions/listen', {
      notifications: { toolsListChanged: true },
    });
    assert.equal(listen.status, 429, 'a listen stream takes a session slot');

    await aliceIsServed(bridge, 'sessions');
    // Bob ending one of his sessions frees its slot for him.
    await raw(bridge.url, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${BOB}`, 'mcp-session-id': opened[0] ?? '' },
    });
    assert.equal((await post(bridge, BOB, INITIALIZE)).status, 200);

    const bob = await usage(bridge, 'bob');
    assert.equal(bob.sessions, 32);
    assert.equal(bob.refused.sessions, 19);
    assert.deepEqual((await usage(bridge, 'alice')).refused, { sessions: 0, inflight: 0, rps: 0, queue: 0 });
    const status = (
      await raw(bridge.url.replace('/mcp', '/status'), { headers: { authorization: `Bearer ${WATCHER}` } })
    ).text;
    for (const secret of [ALICE, BOB, sha256(ALICE), sha256(BOB)])
      assert.ok(!status.includes(secret), 'no token, no hash');
  });
});

describe('fair share: calls in flight and requests a second', () => {
  let bridge: TestBridge;
  const CAROL = 'tok-carol-fair-share-0004';
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      members: [
        ...members({ inflight: 2 }),
        { name: 'carol', tokenSha256: sha256(CAROL), tools: ['*'], limits: { rps: 0.1 } },
      ],
    });
  });
  after(() => bridge.close());

  it("refuses bob's third call in flight in both eras until one of his ends; alice's calls go through", async () => {
    const session = await openRawSession(bridge.url, BOB);
    const hold = new AbortController();
    const long = [1, 2].map((id) =>
      post(bridge, BOB, call(id, 'trigger-long-running-operation', LONG), {
        session,
        signal: hold.signal,
      }).catch(() => undefined),
    );
    await waitFor(async () => (await usage(bridge, 'bob')).inFlight === 2, "bob's two calls at the server");
    assertRefused(await post(bridge, BOB, call(3, 'echo', { message: 'x' }), { session }), 'inflight', 3);
    const statelessCall = await statelessRequest(
      bridge.url,
      BOB,
      'tools/call',
      { name: 'echo', arguments: { message: 'x' } },
      { id: 4 },
    );
    assert.equal(statelessCall.status, 429, 'a stateless request is a call in flight too');
    await aliceIsServed(bridge, 'inflight');

    // A cancelled call stops counting at once.
    const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } };
    assert.equal(
      (await post(bridge, BOB, cancel, { session })).status,
      202,
      'a notification is never refused for calls in flight',
    );
    await waitFor(
      async () => (await usage(bridge, 'bob')).inFlight === 1,
      'the cancelled call to stop counting',
    );
    const echo = await post(bridge, BOB, call(5, 'echo', { message: 'again' }), { session });
    assert.deepEqual(echo.body.result?.content, [{ type: 'text', text: 'Echo: again' }]);
    // Closing the HTTP response does not end a session's call; ending the session does.
    hold.abort();
    await Promise.all(long);
    assert.equal(
      (await usage(bridge, 'bob')).inFlight,
      1,
      'the call goes on at the server without its response',
    );
    await raw(bridge.url, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${BOB}`, 'mcp-session-id': session },
    });
    await waitFor(
      async () => (await usage(bridge, 'bob')).inFlight === 0,
      'the ended session to take its call along',
    );

    // A stateless call counts until its connection closes, which cancels it.
    const abandon = new AbortController();
    const stateless = fetch(bridge.url, {
      method: 'POST',
      signal: abandon.signal,
      headers: {
        ...MCP_HEADERS,
        authorization: `Bearer ${BOB}`,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'trigger-long-running-operation',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 6,
        method: 'tools/call',
        params: {
          name: 'trigger-long-running-operation',
          arguments: LONG,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    }).catch(() => undefined);
    await waitFor(
      async () => (await usage(bridge, 'bob')).inFlight === 1,
      "bob's stateless call at the server",
    );
    abandon.abort();
    await stateless;
    await waitFor(
      async () => (await usage(bridge, 'bob')).inFlight === 0,
      'the closed stateless call to stop counting',
    );
    assert.equal((await usage(bridge, 'bob')).refused.inflight, 2);
  });

  it("refuses more of bob's request bodies arriving at once than his in-flight cap", async () => {
    const body = JSON.stringify(call(7, 'echo', { message: 'slow' }));
    const trickles = [0, 1].map(() => {
      const socket = connect(bridge.port, '127.0.0.1');
      socket.on('error', () => undefined);
      // Headers and the first bytes of the body, then nothing: a body that takes its time arriving.
      socket.write(
        `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${BOB}\r\ncontent-type: application/json\r\n` +
          `accept: application/json, text/event-stream\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
      );
      return socket;
    });
    try {
      await waitFor(async () => (await usage(bridge, 'bob')).receiving === 2, "bob's two bodies arriving");
      assertRefused(await post(bridge, BOB, INITIALIZE), 'inflight', null);
      await aliceIsServed(bridge, 'bodies');
    } finally {
      for (const socket of trickles) socket.destroy();
    }
    await waitFor(
      async () => (await usage(bridge, 'bob')).receiving === 0,
      'the abandoned bodies to stop counting',
    );
    assert.equal((await post(bridge, BOB, INITIALIZE)).status, 200);
  });

  it("refuses carol past her rate with Retry-After, and no one else's", async () => {
    // rps 0.1 is a bucket of one token, refilled every 10 s.
    const first = await statelessRequest(bridge.url, CAROL, 'tools/call', {
      name: 'echo',
      arguments: { message: 'c' },
    });
    assert.equal(first.status, 200);
    for (let i = 0; i < 4; i++) {
      const res = await raw(bridge.url.replace('/mcp', '/status'), {
        headers: { authorization: `Bearer ${CAROL}` },
      });
      assert.equal(res.status, 429, 'every authenticated path takes a token');
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      assert.equal((JSON.parse(res.text) as Reply['body']).error?.data?.limit, 'rps');
    }
    await aliceIsServed(bridge, 'rate');
    assert.equal((await usage(bridge, 'carol')).refused.rps, 4);
    assert.deepEqual((await usage(bridge, 'alice')).refused, { sessions: 0, inflight: 0, rps: 0, queue: 0 });
    const metrics = await raw(bridge.url.replace('/mcp', '/metrics'), {
      headers: { authorization: `Bearer ${WATCHER}` },
    });
    assert.match(metrics.text, /^mcp_bridge_member_refused_total\{member="carol",limit="rps"\} 4$/m);
    assert.match(metrics.text, /^mcp_bridge_member_refused_total\{member="alice",limit="rps"\} 0$/m);
  });
});
