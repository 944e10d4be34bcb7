// Shared mode against a hostile member, over one real server-everything: member A may use every tool,
// member B only echo. B tries every channel to A (roots, cancellation, log lines) and every way to leave
// state behind (bodies nested too deep, large ones); each is refused, and A's results stay right. The
// bridge runs as its own process (main.ts, --root), so the memory it reports at the end is its own.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import {
  connectClient,
  MCP_HEADERS,
  openRawSession,
  raw,
  serverCommand,
  sha256,
  waitFor,
} from './test-helpers';
import {
  abuseRound,
  deepJson,
  end,
  endRaw,
  inFlight,
  NOTHING_IN_FLIGHT,
  rawCall,
  memoryOf,
  spawnBridge,
  type SpawnedBridge,
  statelessBody,
  statelessHeaders,
  text,
} from './shared-isolation-helpers';

const A = 'isolation-member-a-token-0123';
const B = 'isolation-member-b-token-4567';
const ROOT = { uri: 'file:///srv/data', name: 'data' };

describe('shared mode: member B cannot reach member A through the server they share', () => {
  let bridge: SpawnedBridge;
  let baseline: { rssBytes: number; heapUsedBytes: number };
  let abuser: string;
  const answeredRoots = () =>
    bridge.logs.filter((l) => l.includes('"server_request_answered"') && l.includes('roots/list')).length;
  const echoA = async (message: string) => {
    const a = await connectClient(bridge.url, A, {}, 'alice-echo');
    try {
      assert.equal(
        text(await a.client.callTool({ name: 'echo', arguments: { message } })),
        `Echo: ${message}`,
      );
    } finally {
      await end(a);
    }
  };
  before(async () => {
    bridge = await spawnBridge(
      [
        { name: 'alice', tokenSha256: sha256(A), tools: ['*'] },
        { name: 'bob', tokenSha256: sha256(B), tools: ['echo'] },
      ],
      ['--root', `${ROOT.uri}=${ROOT.name}`, '--log-level', 'debug'],
      serverCommand('server-everything'),
    );
    abuser = await openRawSession(bridge.url, B);
    // Rounds first until the process's memory is at its working size for this traffic: the first
    // dozen or so 600 kB bodies raise RSS by some 25 MB that the allocator keeps for reuse (heap after
    // a full collection stays where it was), with or without anything retained. Measured from there,
    // what a refused request kept would show.
    for (let round = -20; round < 0; round += 1) await abuseRound(bridge, B, abuser, round);
    baseline = await memoryOf(bridge, A);
  });
  // The garbage of each test is collected before the next: left to pile up across tests, it would raise
  // the allocator's high-water mark (RSS) by whatever V8 happened to leave uncollected, retained or not.
  afterEach(() => bridge.settle());
  after(() => bridge.close());

  it("answers the server's roots/list with the operator's roots, and drops B's roots/list_changed", async () => {
    const asked: string[] = [];
    const a = await connectClient(bridge.url, A, { roots: true }, 'alice');
    const b = await connectClient(bridge.url, B, { roots: true }, 'bob');
    a.client.setRequestHandler(ListRootsRequestSchema, () => {
      asked.push('alice');
      return { roots: [{ uri: 'file:///home/alice' }] };
    });
    b.client.setRequestHandler(ListRootsRequestSchema, () => {
      asked.push('bob');
      return { roots: [{ uri: 'file:///', name: 'everything' }] };
    });
    try {
      const roots = () => a.client.callTool({ name: 'get-roots-list', arguments: {} }).then(text);
      assert.match(await roots(), /\(1 total\)[\s\S]*1\. data\n\s+URI: file:\/\/\/srv\/data/);
      const answered = answeredRoots();
      // Sent past the SDK's own check: B's client declared roots without listChanged.
      await b.transport.send({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
      // A's call goes through the child after B's notice would have: had the notice reached it, the
      // server would have asked roots/list again before answering A.
      const seen = await roots();
      assert.match(seen, /\(1 total\)[\s\S]*file:\/\/\/srv\/data/);
      assert.doesNotMatch(seen, /everything|file:\/\/\/\n/);
      assert.equal(answeredRoots(), answered, 'the server never asked again');
      assert.deepEqual(asked, [], 'no member is ever asked for roots in shared mode');
      assert.ok(bridge.logs.some((l) => l.includes('client_notification_dropped') && l.includes('roots')));
    } finally {
      await Promise.all([end(a), end(b)]);
    }
  });

  it("never lets B cancel A's call, even under the same request id", { timeout: 20_000 }, async () => {
    const sessionA = await openRawSession(bridge.url, A);
    const sessionB = await openRawSession(bridge.url, B);
    const long = rawCall(bridge.url, A, sessionA, 7, 'trigger-long-running-operation', {
      duration: 1,
      steps: 2,
    });
    await waitFor(async () => (await inFlight(bridge, A)).calls === 1, "A's call at the server");
    // B's id 7, and every small number the bridge could have given A's call upstream.
    for (const requestId of [7, '7', ...Array.from({ length: 64 }, (_, i) => i)]) {
      const res = await raw(bridge.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${B}`, 'mcp-session-id': sessionB },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId } }),
      });
      assert.equal(res.status, 202);
    }
    // B's own call under the colliding id is B's, and answered as such.
    const mine = await rawCall(bridge.url, B, sessionB, 7, 'echo', { message: 'bob-7' });
    assert.equal(text(mine.result), 'Echo: bob-7');
    const done = await long;
    assert.equal(done.id, 7);
    assert.match(text(done.result), /Long running operation completed/);
    assert.deepEqual(await inFlight(bridge, A), NOTHING_IN_FLIGHT);
    await Promise.all([endRaw(bridge, A, sessionA), endRaw(bridge, B, sessionB)]);
  });

  it("never delivers A's log lines to B, even when B asks for the most verbose level", async () => {
    const a = await connectClient(bridge.url, A, {}, 'alice-logs');
    const b = await connectClient(bridge.url, B, {}, 'bob-logs');
    const linesA: string[] = [];
    const linesB: string[] = [];
    a.client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (n) => void linesA.push(n.params.level),
    );
    b.client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (n) => void linesB.push(n.params.level),
    );
    const dropped = (reason: string) =>
      bridge.logs.filter((l) => l.includes('child_log_dropped') && l.includes(reason)).length;
    // B keeps calls going while waiting, so lines also arrive while B alone is at the server; a line
    // reaching B ends the wait early, and the test with it.
    const busyUntil = async (done: () => boolean, what: string) => {
      let n = 0;
      await waitFor(async () => {
        n += 1;
        const echoed = await b.client.callTool({ name: 'echo', arguments: { message: `b-${n}` } });
        assert.equal(text(echoed), `Echo: b-${n}`);
        return linesB.length > 0 || done();
      }, what);
      assert.deepEqual(linesB, [], 'B never receives a log line');
    };
    try {
      await a.client.setLoggingLevel('debug');
      // Started by A's call, one line at once (A's), then one every 5 s, which names nobody.
      const started = await a.client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
      assert.match(text(started), /Started simulated/);
      await waitFor(() => linesA.length > 0, "A's line from its own call");
      const before = dropped('"reason"');
      await busyUntil(() => dropped('"reason"') > before, 'a line the server wrote on its timer');
      await b.client.setLoggingLevel('debug');
      const tied = dropped('no single owner');
      await busyUntil(() => dropped('no single owner') > tied, 'a line while B claims the level');
      const stopped = await a.client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
      assert.match(text(stopped), /Stopped simulated/);
    } finally {
      await Promise.all([end(a), end(b)]);
    }
    await echoA('after-logs');
  });

  it('refuses bodies nested too deep with a JSON-RPC error, and keeps nothing of them', async () => {
    const sessionB = await openRawSession(bridge.url, B);
    const post = (body: string, headers: Record<string, string> = { 'mcp-session-id': sessionB }) =>
      raw(bridge.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${B}`, ...headers },
        body,
      });
    const call = (id: string, nested: string) =>
      `{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"echo","arguments":{"message":"x","nested":${nested}}}}`;
    const cases: [string, string, Record<string, string> | undefined, string | null][] = [
      ['4,500 deep', call('dup', deepJson(4500)), undefined, 'dup'],
      ['600 kB deep', call('big', deepJson(4500, 'x'.repeat(128))), undefined, 'big'],
      ['129 levels, one past the limit', call('edge', deepJson(126)), undefined, 'edge'],
      [
        'a deep notification',
        `{"jsonrpc":"2.0","method":"notifications/x","params":{"n":${deepJson(4500)}}}`,
        undefined,
        null,
      ],
      ['a deep response', `{"jsonrpc":"2.0","id":1,"result":{"n":${deepJson(4500)}}}`, undefined, null],
      [
        'a deep stateless request',
        statelessBody('deep-stateless', deepJson(4500)),
        statelessHeaders(),
        'deep-stateless',
      ],
    ];
    for (const [what, body, headers, id] of cases) {
      const res = await post(body, headers);
      assert.equal(res.status, 400, `${what}: ${res.text.slice(0, 300)}`);
      const answer = JSON.parse(res.text) as { id: unknown; error: { code: number; message: string } };
      assert.equal(answer.id, id, `${what}: ${res.text.slice(0, 300)}`);
      assert.equal(answer.error.code, -32600, what);
      assert.match(answer.error.message, /deeper than 128 levels/, what);
      assert.deepEqual(await inFlight(bridge, B), NOTHING_IN_FLIGHT, what);
    }
    // 128 levels (message, params, arguments, then 125) is the server's to answer.
    const atLimit = JSON.parse((await post(call('limit', deepJson(125)))).text) as { result?: unknown };
    assert.equal(text(atLimit.result), 'Echo: x');
    const again = JSON.parse((await post(call('dup', '1'))).text) as { id: string; result: unknown };
    assert.equal(again.id, 'dup', 'B may use the refused id at once');
    assert.equal(text(again.result), 'Echo: x');

    // A server request right after: nothing of B's is left in flight to make it ambiguous.
    const a = await connectClient(bridge.url, A, { elicitation: true }, 'alice-elicit');
    a.client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { name: 'Ada' } }));
    try {
      const elicited = await a.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      assert.match(text(elicited), /User provided the requested information/);
    } finally {
      await end(a);
    }
    await endRaw(bridge, B, sessionB);
  });

  it('is back within 10 % of its memory baseline after all of the above', async (t) => {
    for (let round = 1; round <= 10; round += 1) await abuseRound(bridge, B, abuser, round);
    const now = await memoryOf(bridge, A);
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    const figures = `rss ${mb(baseline.rssBytes)} -> ${mb(now.rssBytes)}, heap used ${mb(baseline.heapUsedBytes)} -> ${mb(now.heapUsedBytes)}`;
    t.diagnostic(`bridge process, after a full collection: ${figures}`);
    assert.deepEqual(await inFlight(bridge, A), NOTHING_IN_FLIGHT);
    assert.ok(now.rssBytes <= baseline.rssBytes * 1.1, figures);
    assert.ok(now.heapUsedBytes <= baseline.heapUsedBytes * 1.1, figures);
    await echoA('after-abuse');
  });
});
