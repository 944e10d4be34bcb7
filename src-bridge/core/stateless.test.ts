// The 2026-07-28 (stateless) path of /mcp over real HTTP, in front of the conformance fixture server:
// discovery, the envelope and header rules, bad input refused before the server, member filtering,
// and a request's own progress and log messages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  fixtureCommand,
  fixtureSeen,
  STATELESS,
  statelessRequest,
  openRawSession,
  raw,
  sha256,
  startTestBridge,
  type TestBridge,
} from '../test-helpers';

const ALL = 'stateless-all-tools-token';
const TEXT_ONLY = 'stateless-text-only-token';
const NONE = 'stateless-no-tools-token';

describe('bridge HTTP: 2026-07-28 stateless requests', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...fixtureCommand(),
      members: [
        { name: 'all', tokenSha256: sha256(ALL), tools: ['*'] },
        { name: 'reader', tokenSha256: sha256(TEXT_ONLY), tools: ['test_simple_text', 'fixture_seen'] },
        { name: 'none', tokenSha256: sha256(NONE), tools: [] },
      ],
    });
  });
  after(() => bridge.close());

  it('answers server/discover from the server it fronts, and issues no session', async () => {
    const reply = await statelessRequest(bridge.url, ALL, 'server/discover');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('mcp-session-id'), null);
    const result = reply.body.result ?? {};
    assert.deepEqual(result.supportedVersions, [STATELESS]);
    assert.equal(result.resultType, 'complete');
    assert.equal(result.instructions, 'Conformance fixture behind mcp-fleet-bridge.');
    assert.deepEqual((result._meta as Record<string, unknown>)['io.modelcontextprotocol/serverInfo'], {
      name: 'mcp-fleet-conformance-fixture',
      version: '1.0.0',
    });
    const caps = result.capabilities as Record<string, unknown>;
    assert.ok(caps.tools && caps.prompts && caps.resources);
    const hidden = await statelessRequest(bridge.url, NONE, 'server/discover');
    assert.equal((hidden.body.result?.capabilities as Record<string, unknown>).tools, undefined);
    assert.equal((await statelessRequest(bridge.url, NONE, 'tools/list')).status, 404);
  });

  it('shapes results for the revision: resultType and cache hints', async () => {
    const list = await statelessRequest(bridge.url, ALL, 'tools/list');
    assert.equal(list.body.result?.resultType, 'complete');
    assert.equal(list.body.result?.ttlMs, 0);
    assert.equal(list.body.result?.cacheScope, 'private');
    const call = await statelessRequest(bridge.url, ALL, 'tools/call', {
      name: 'test_simple_text',
      arguments: {},
    });
    assert.deepEqual(call.body.result?.content, [
      { type: 'text', text: 'This is a simple text response for testing.' },
    ]);
    const missing = await statelessRequest(bridge.url, ALL, 'resources/read', { uri: 'test://nope' });
    assert.equal(missing.body.error?.code, -32602);
  });

  it('refuses GET and DELETE without a session with 405, and still serves sessions', async () => {
    const auth = { authorization: `Bearer ${ALL}` };
    const get = await raw(bridge.url, { method: 'GET', headers: { ...auth, accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    assert.equal((await raw(bridge.url, { method: 'DELETE', headers: auth })).status, 405);
    const session = await openRawSession(bridge.url, ALL);
    assert.match(session, /^[\x21-\x7e]+$/);
  });

  it('refuses bad envelopes and disagreeing headers with the spec errors; nothing reaches the server', async () => {
    const probe = (n: number) => ({ name: `probe_${n}`, arguments: {} });
    const cases: [string, Promise<Awaited<ReturnType<typeof statelessRequest>>>, number, number][] = [
      [
        'no _meta at all',
        statelessRequest(bridge.url, ALL, 'tools/call', probe(1), {
          id: 11,
          meta: {
            'io.modelcontextprotocol/protocolVersion': null,
            'io.modelcontextprotocol/clientCapabilities': null,
            'io.modelcontextprotocol/clientInfo': null,
          },
        }),
        400,
        -32602,
      ],
      [
        'no clientCapabilities',
        statelessRequest(bridge.url, ALL, 'tools/call', probe(2), {
          id: 12,
          meta: { 'io.modelcontextprotocol/clientCapabilities': null },
        }),
        400,
        -32602,
      ],
      [
        'clientCapabilities not an object',
        statelessRequest(bridge.url, ALL, 'tools/call', probe(3), {
          id: 13,
          meta: { 'io.modelcontextprotocol/clientCapabilities': 'all' },
        }),
        400,
        -32602,
      ],
      [
        'MCP-Protocol-Version disagrees with _meta',
        statelessRequest(bridge.url, ALL, 'tools/call', probe(4), {
          id: 14,
          headers: { 'mcp-protocol-version': '2025-11-25' },
        }),
        400,
        -32020,
      ],
      [
        'Mcp-Method disagrees with the body',
        statelessRequest(bridge.url, ALL, 'tools/call', probe(5), {
          id: 15,
          headers: { 'mcp-method': 'tools/list' },
        }),
        400,
        -32020,
      ],
      [
        'Mcp-Name disagrees with the body',
        statelessRequest(bridge.url, ALL, 'tools/call', probe(6), {
          id: 16,
          headers: { 'mcp-name': 'probe_x' },
        }),
        400,
        -32020,
      ],
      [
        'Mcp-Name missing',
        statelessRequest(bridge.url, ALL, 'tools/call', probe(7), { id: 17, headers: { 'mcp-name': null } }),
        400,
        -32020,
      ],
      [
        'Mcp-Method missing',
        statelessRequest(bridge.url, ALL, 'tools/call', probe(8), {
          id: 18,
          headers: { 'mcp-method': null },
        }),
        400,
        -32020,
      ],
      [
        'an unknown protocol version',
        statelessRequest(bridge.url, ALL, 'tools/call', probe(9), {
          id: 19,
          meta: { 'io.modelcontextprotocol/protocolVersion': '2031-01-01' },
          headers: { 'mcp-protocol-version': '2031-01-01' },
        }),
        400,
        -32022,
      ],
    ];
    for (const [what, pending, status, code] of cases) {
      const reply = await pending;
      assert.equal(reply.status, status, what);
      assert.equal(reply.body.error?.code, code, what);
      assert.equal(typeof reply.body.id, 'number', `${what}: the error carries the request id`);
    }
    const unknown = await cases[8]?.[1];
    assert.deepEqual(unknown?.body.error?.data, { supported: [STATELESS], requested: '2031-01-01' });
    const seen = await fixtureSeen(bridge.url, ALL);
    assert.deepEqual(
      seen.toolCalls.filter((name) => name.startsWith('probe_')),
      [],
    );
  });

  it('checks Mcp-Param-* headers against the arguments a tool mirrors into them (SEP-2243)', async () => {
    const send = (args: Record<string, unknown>, headers: Record<string, string>) =>
      statelessRequest(
        bridge.url,
        ALL,
        'tools/call',
        { name: 'test_custom_headers', arguments: args },
        { headers },
      );
    const good = await send(
      { region: 'eu-west', priority: 5 },
      { 'mcp-param-region': 'eu-west', 'mcp-param-priority': '5.0' },
    );
    assert.equal(good.status, 200);
    assert.equal(good.body.result?.resultType, 'complete');
    const encoded = await send(
      { region: 'zürich' },
      { 'mcp-param-region': `=?base64?${Buffer.from('zürich').toString('base64')}?=` },
    );
    assert.equal(encoded.status, 200);
    for (const [what, args, headers] of [
      ['header missing', { region: 'eu-west' }, {}],
      ['header differs', { region: 'eu-west' }, { 'mcp-param-region': 'us-east' }],
      ['broken Base64', { region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8?=' }],
      [
        'number differs',
        { region: 'eu', priority: 5 },
        { 'mcp-param-region': 'eu', 'mcp-param-priority': '6' },
      ],
    ] as const) {
      const reply = await send(args, headers);
      assert.equal(reply.status, 400, what);
      assert.equal(reply.body.error?.code, -32020, what);
    }
    const seen = await fixtureSeen(bridge.url, ALL);
    assert.equal(seen.toolCalls.filter((n) => n === 'test_custom_headers').length, 2);
  });

  it('answers methods the revision removed with 404 and -32601', async () => {
    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe']) {
      const reply = await statelessRequest(bridge.url, ALL, method, {});
      assert.equal(reply.status, 404, method);
      assert.equal(reply.body.error?.code, -32601, method);
    }
    const unknown = await statelessRequest(bridge.url, ALL, 'no/such-method', {});
    assert.equal(unknown.status, 404);
  });

  it('filters tools per member and refuses a denied call before the server', async () => {
    const list = await statelessRequest(bridge.url, TEXT_ONLY, 'tools/list');
    const names = (list.body.result?.tools as { name: string }[]).map((t) => t.name).sort();
    assert.deepEqual(names, ['fixture_seen', 'test_simple_text']);
    const denied = await statelessRequest(bridge.url, TEXT_ONLY, 'tools/call', {
      name: 'test_error_handling',
      arguments: {},
    });
    assert.equal(denied.body.error?.code, -32003);
    const seen = await fixtureSeen(bridge.url, ALL);
    assert.ok(!seen.toolCalls.includes('test_error_handling'));
    assert.ok(
      bridge.logs.some(
        (l) =>
          l.includes('"event":"audit"') &&
          l.includes('"member":"reader"') &&
          l.includes('"outcome":"denied"'),
      ),
    );
  });

  it("streams a request's progress on its own response, and its logs only when it asked for a level", async () => {
    const progress = await statelessRequest(
      bridge.url,
      ALL,
      'tools/call',
      { name: 'test_tool_with_progress', arguments: {} },
      { meta: { progressToken: 'p-1' } },
    );
    assert.equal(progress.headers.get('content-type'), 'text/event-stream');
    const steps = progress.messages
      .filter((m) => m.method === 'notifications/progress')
      .map((m) => (m.params as { progressToken: unknown; progress: number }).progress);
    assert.deepEqual(steps, [0, 50, 100]);
    assert.ok(
      progress.messages
        .filter((m) => m.method === 'notifications/progress')
        .every((m) => (m.params as { progressToken: unknown }).progressToken === 'p-1'),
    );
    assert.equal(progress.body.result?.resultType, 'complete');

    const quiet = await statelessRequest(bridge.url, ALL, 'tools/call', {
      name: 'test_logging_tool',
      arguments: {},
    });
    assert.deepEqual(
      quiet.messages.filter((m) => m.method === 'notifications/message'),
      [],
    );
    const verbose = await statelessRequest(
      bridge.url,
      ALL,
      'tools/call',
      { name: 'test_logging_tool', arguments: {} },
      { meta: { 'io.modelcontextprotocol/logLevel': 'warning' } },
    );
    const levels = verbose.messages
      .filter((m) => m.method === 'notifications/message')
      .map((m) => (m.params as { level: string }).level);
    assert.deepEqual(levels, ['warning']);
  });
});
