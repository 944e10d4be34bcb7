// Streamable HTTP transport rules of the /mcp endpoint over real HTTP, in front of the real server-sequential-thinking from npm.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  INITIALIZE,
  MCP_HEADERS,
  openRawSession,
  raw,
  requestFrom,
  serverCommand,
  sha256,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'tok-7Qm2xLq9-ABCDEFGHIJ';

describe('bridge HTTP: transport rules', () => {
  let bridge: TestBridge;
  const auth = { authorization: `Bearer ${TOKEN}` };
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      allowOrigin: ['https://app.example.com'],
      limits: { maxBodyBytes: 64 * 1024 },
    });
  });
  after(() => bridge.close());

  const post = (headers: Record<string, string>, body: unknown) =>
    raw(bridge.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...auth, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('answers a request with JSON and a notification with 202', async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    const list = await post(
      { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
      { jsonrpc: '2.0', id: 'a', method: 'tools/list' },
    );
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('content-type'), 'application/json');
    assert.equal((JSON.parse(list.text) as { id: string }).id, 'a');
    const note = await post(
      { 'mcp-session-id': session },
      { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
    );
    assert.equal(note.status, 202);
    assert.equal(note.text, '');
  });

  it('refuses a missing session id with 400 and an unknown one with 404', async () => {
    assert.equal((await post({}, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status, 400);
    assert.equal(
      (await post({ 'mcp-session-id': 'no-such-session' }, { jsonrpc: '2.0', id: 1, method: 'tools/list' }))
        .status,
      404,
    );
  });

  it('refuses an invalid MCP-Protocol-Version with 400', async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    for (const version of ['1900-01-01', 'not-a-version']) {
      const res = await post(
        { 'mcp-session-id': session, 'mcp-protocol-version': version },
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      );
      assert.equal(res.status, 400, version);
      assert.match(res.text, /Unsupported MCP-Protocol-Version/);
    }
  });

  it('ends a session on DELETE; later use of it gets 404', async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    const del = await raw(bridge.url, { method: 'DELETE', headers: { ...auth, 'mcp-session-id': session } });
    assert.equal(del.status, 200);
    assert.equal(
      (await post({ 'mcp-session-id': session }, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status,
      404,
    );
    assert.equal(
      (
        await raw(bridge.url, {
          method: 'GET',
          headers: { ...auth, accept: 'text/event-stream', 'mcp-session-id': session },
        })
      ).status,
      404,
    );
    assert.equal(
      (await raw(bridge.url, { method: 'DELETE', headers: { ...auth, 'mcp-session-id': session } })).status,
      404,
    );
  });

  it('refuses bodies over the limit with 413, declared or streamed', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { pad: 'x'.repeat(70 * 1024) },
    });
    assert.equal((await post({}, big)).status, 413);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const res = await fetch(bridge.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...auth },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
  });

  it('accepts a body just under the limit (no 100 kB cap)', async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { _meta: { pad: 'x'.repeat(60 * 1024) } },
    });
    const res = await post({ 'mcp-session-id': session }, body);
    assert.equal(res.status, 200);
  });

  it('refuses bad JSON, batches, non-JSON content types and wrong Accept', async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    const s = { 'mcp-session-id': session };
    const bad = await post(s, '{"jsonrpc":');
    assert.equal(bad.status, 400);
    assert.equal((JSON.parse(bad.text) as { error: { code: number } }).error.code, -32700);
    const batch = await post(s, [{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    assert.equal(batch.status, 400);
    assert.match(batch.text, /batches are not accepted/);
    assert.equal(
      (await post({ ...s, 'content-type': 'text/plain' }, { jsonrpc: '2.0', id: 1, method: 'ping' })).status,
      415,
    );
    assert.equal(
      (await post({ ...s, accept: 'text/html' }, { jsonrpc: '2.0', id: 1, method: 'ping' })).status,
      406,
    );
    assert.equal((await post(s, { jsonrpc: '1.0', id: 1, method: 'ping' })).status, 400);
  });

  it('refuses an Origin not on the list with 403 and serves an allowed one with CORS', async () => {
    const denied = await post({ origin: 'https://evil.example' }, INITIALIZE);
    assert.equal(denied.status, 403);
    assert.equal((await post({ origin: 'null' }, INITIALIZE)).status, 403);
    const allowed = await post({ origin: 'https://app.example.com' }, INITIALIZE);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /Mcp-Session-Id/);
    const preflight = await raw(bridge.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, mcp-method, mcp-param-region, x-other',
      },
    });
    assert.equal(preflight.status, 204);
    const allowedHeaders = preflight.headers.get('access-control-allow-headers') ?? '';
    assert.match(allowedHeaders, /Authorization/);
    assert.match(allowedHeaders, /Mcp-Method, Mcp-Name, mcp-param-region$/);
    assert.equal(
      (await raw(bridge.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } })).status,
      403,
    );
  });

  it('refuses a foreign Host on a loopback bind (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: bridge.port,
          path: '/mcp',
          method: 'POST',
          headers: { ...MCP_HEADERS, ...auth, host: 'attacker.example:80' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(INITIALIZE));
    });
    assert.equal(status, 403);
    assert.equal((await post({}, INITIALIZE)).status, 200, 'Host 127.0.0.1:port is fine');
  });

  it('checks Host on every request of a kept-alive connection, not only its first', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (host: string) =>
      requestFrom(bridge.url, {
        agent,
        method: 'POST',
        headers: { ...MCP_HEADERS, ...auth, host },
        body: JSON.stringify(INITIALIZE),
      });
    try {
      const good = `127.0.0.1:${bridge.port}`;
      assert.equal((await send(good)).status, 200);
      const foreign = await send('attacker.example:80');
      assert.ok(foreign.reusedSocket, 'the same connection');
      assert.equal(foreign.status, 403);
      assert.equal((await send(good)).status, 200);
      assert.equal((await send(`localhost:${bridge.port}`)).status, 200);
      assert.equal((await send('attacker.example:80')).status, 403);
    } finally {
      agent.destroy();
    }
  });

  it('answers unknown paths 404 and unknown methods 405', async () => {
    assert.equal((await raw(bridge.url.replace('/mcp', '/other'), { headers: auth })).status, 404);
    assert.equal((await raw(bridge.url, { method: 'PUT', headers: auth })).status, 405);
  });
});

describe('bridge HTTP: time limits', () => {
  it('answers 408 to a client that stops sending its body, and ends idle sessions', async () => {
    const bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      limits: { requestTimeoutMs: 300, headersTimeoutMs: 300, sessionIdleMs: 200, keepAliveMs: 100 },
    });
    try {
      const { connect } = await import('node:net');
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(bridge.port, '127.0.0.1', () => {
          socket.write(
            `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"jsonrpc"`,
          );
        });
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      assert.match(reply, /^HTTP\/1\.1 408 /);

      const session = await openRawSession(bridge.url, TOKEN);
      const list = () =>
        raw(bridge.url, {
          method: 'POST',
          headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}`, 'mcp-session-id': session },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
      // Polling with requests would keep it alive: watch the log instead, then check the session is gone.
      await waitFor(
        () => bridge.logs.some((l) => l.includes('"event":"session_expired"')),
        'the idle session to expire',
        5000,
      );
      assert.equal((await list()).status, 404);
    } finally {
      await bridge.close();
    }
  });
});
