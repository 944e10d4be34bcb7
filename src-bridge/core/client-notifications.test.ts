// What a client's notifications do at the server behind the bridge, counted by the conformance fixture
// (its fixture_seen tool lists every method that reached it; server-everything cannot say). In Shared
// mode only a session's cancellation of its own call gets through; in Dedicated mode the rest does too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  fixtureCommand,
  fixtureSeen,
  MCP_HEADERS,
  openRawSession,
  raw,
  sha256,
  startTestBridge,
  type TestBridge,
} from '../test-helpers';

const ADA = 'notifications-ada-token-0123';
const BOB = 'notifications-bob-token-4567';

/** Every notification a hostile client might send the server it shares; cancelled names no call of its own. */
const HOSTILE = [
  { method: 'notifications/roots/list_changed' },
  { method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
  { method: 'notifications/message', params: { level: 'error', data: 'from a client' } },
  { method: 'notifications/fleet/custom', params: { anything: true } },
  { method: 'notifications/initialized' },
  ...Array.from({ length: 32 }, (_, requestId) => ({
    method: 'notifications/cancelled',
    params: { requestId },
  })),
];

async function notify(bridge: TestBridge, token: string, session: string, note: object): Promise<number> {
  const res = await raw(bridge.url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, 'mcp-session-id': session },
    body: JSON.stringify({ jsonrpc: '2.0', ...note }),
  });
  return res.status;
}

/** Sends every hostile notification, then returns how often each method reached the server since. */
async function sendHostile(bridge: TestBridge, token: string): Promise<Record<string, number>> {
  const session = await openRawSession(bridge.url, token);
  const before = (await fixtureSeen(bridge.url, token)).methods;
  for (const note of HOSTILE) assert.equal(await notify(bridge, token, session, note), 202);
  // fixture_seen is answered after the server read everything sent before it.
  const after = (await fixtureSeen(bridge.url, token)).methods;
  const reached: Record<string, number> = {};
  for (const { method } of HOSTILE) {
    const n = (after[method] ?? 0) - (before[method] ?? 0);
    if (n > 0) reached[method] = n;
  }
  return reached;
}

describe('client notifications in Shared mode', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...fixtureCommand(),
      members: [
        { name: 'ada', tokenSha256: sha256(ADA), tools: ['*'] },
        { name: 'bob', tokenSha256: sha256(BOB), tools: ['fixture_seen', 'test_tool_with_progress'] },
      ],
    });
  });
  after(() => bridge.close());

  it('passes none of them to the shared server', async () => {
    assert.deepEqual(await sendHostile(bridge, BOB), {});
  });

  it("passes on a session's cancellation of its own call, once, and nothing for an id it does not own", async () => {
    const session = await openRawSession(bridge.url, BOB);
    const cancelled = async () =>
      (await fixtureSeen(bridge.url, BOB)).methods['notifications/cancelled'] ?? 0;
    const before = await cancelled();
    const response = await fetch(bridge.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${BOB}`, 'mcp-session-id': session },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'mine',
        method: 'tools/call',
        params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 'p' } },
      }),
    });
    // The first progress event: the call is at the server now.
    const reader = response.body?.getReader();
    await reader?.read();
    const cancel = (requestId: string) =>
      notify(bridge, BOB, session, { method: 'notifications/cancelled', params: { requestId } });
    assert.equal(await cancel('not-mine'), 202);
    assert.equal(await cancel('mine'), 202);
    assert.equal(await cancel('mine'), 202);
    await reader?.cancel();
    assert.equal((await cancelled()) - before, 1);
  });
});

describe('client notifications in Dedicated mode', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({ ...fixtureCommand(), tokenSha256: [sha256(ADA)], mode: 'dedicated' });
  });
  after(() => bridge.close());

  it('forwards them, except initialized and cancellations of calls that are not the session’s', async () => {
    assert.deepEqual(await sendHostile(bridge, ADA), {
      'notifications/roots/list_changed': 1,
      'notifications/progress': 1,
      'notifications/message': 1,
      'notifications/fleet/custom': 1,
    });
  });
});
