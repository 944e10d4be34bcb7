// Messages nested deeper than the bridge can serialise: the depth check itself, and what is left when
// the limit is raised past what JSON.stringify can write (the forwarder registers a call only once
// it has gone to the server). The hostile-member suite with the default limit is shared-isolation.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nestsDeeperThan } from './json-depth';
import {
  deepJson,
  inFlight,
  NOTHING_IN_FLIGHT,
  statelessBody,
  statelessHeaders,
} from '../shared-isolation-helpers';
import {
  fixtureCommand,
  MCP_HEADERS,
  openRawSession,
  raw,
  sha256,
  startTestBridge,
  type TestBridge,
} from '../test-helpers';

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, the message itself as level 1', () => {
    assert.equal(nestsDeeperThan({ a: { b: [1] } }, 3), false);
    assert.equal(nestsDeeperThan({ a: { b: [[]] } }, 3), true);
    assert.equal(nestsDeeperThan('scalar', 0), false);
    const wide = { wide: Array.from({ length: 10_000 }, () => ({})) };
    assert.equal(nestsDeeperThan(wide, 3), false);
    assert.equal(nestsDeeperThan(wide, 2), true);
  });

  it('walks a depth that would overflow a recursive walk', () => {
    const value: unknown = JSON.parse(deepJson(200_000));
    assert.equal(nestsDeeperThan(value, 128), true);
    assert.equal(nestsDeeperThan(value, 200_000), false);
  });
});

describe('a message the bridge cannot serialise, past a raised depth limit', () => {
  const TOKEN = 'post-message-token-0123456789';
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...fixtureCommand(),
      tokenSha256: [sha256(TOKEN)],
      limits: { maxJsonDepth: 1_000_000 },
    });
  });
  after(() => bridge.close());

  it('is answered under its id, and leaves nothing registered', async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    const post = (body: string, headers: Record<string, string>) =>
      raw(bridge.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}`, ...headers },
        body,
      });
    const call = (id: string, nested: string) =>
      `{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"test_simple_text","arguments":{"nested":${nested}}}}`;
    for (const [what, body, headers, id] of [
      ['in a session', call('deep', deepJson(20_000)), { 'mcp-session-id': session }, 'deep'],
      ['stateless', statelessBody('deep-stateless', deepJson(20_000)), statelessHeaders(), 'deep-stateless'],
    ] as const) {
      const res = await post(body, headers);
      const answer = JSON.parse(res.text) as { id: unknown; error?: { code: number; message: string } };
      assert.equal(answer.id, id, what);
      assert.equal(answer.error?.code, -32600, what);
      assert.match(answer.error?.message ?? '', /could not be serialised/, what);
      assert.deepEqual(await inFlight(bridge, TOKEN), NOTHING_IN_FLIGHT, what);
    }
    const again = JSON.parse((await post(call('deep', '1'), { 'mcp-session-id': session })).text) as {
      result?: { content: { text: string }[] };
    };
    assert.equal(again.result?.content[0]?.text, 'This is a simple text response for testing.');
  });
});
