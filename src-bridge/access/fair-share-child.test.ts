// Fair share of the child itself: member B (bob) sends 1 MiB requests to one real server-everything
// from npm whose calls do not end on their own (trigger-long-running-operation), while member A (alice)
// is present. Bob keeps at most his share at the child and waits in his lane for the rest; alice's echo
// goes through; every way a call of bob's ends gives his share back, so none of his stall.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALICE, BOB, call, LONG, members, post, usage, WATCHER, type Reply } from './fair-share-test-helpers';
import {
  openRawSession,
  raw,
  serverCommand,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

const MIB = 1024 * 1024;
const padded = (id: number) =>
  call(id, 'trigger-long-running-operation', { ...LONG, padding: 'p'.repeat(MIB) });
const cancel = (requestId: number) => ({
  jsonrpc: '2.0',
  method: 'notifications/cancelled',
  params: { requestId, reason: 'test' },
});

async function childPid(bridge: TestBridge): Promise<number | undefined> {
  const res = await raw(bridge.url.replace('/mcp', '/status'), {
    headers: { authorization: `Bearer ${WATCHER}` },
  });
  const status = JSON.parse(res.text) as { child: { pid?: number | null; state?: string } };
  return status.child.pid ?? undefined;
}

/** Bob's figures: one request's worth at the child, the rest waiting in his lane. */
async function bobHeld(bridge: TestBridge, waiting: number): Promise<boolean> {
  const bob = await usage(bridge, 'bob');
  return bob.unansweredChars >= MIB && bob.unansweredChars < 2 * MIB && bob.queuedChars >= waiting * MIB;
}

describe("fair share: each member's share of the child", () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      members: members(),
      limits: { memberQueueChars: 3 * MIB + 1 },
    });
  });
  after(() => bridge.close());

  it('keeps bob to his share while alice is present; cancelling and ending his session give it back', async () => {
    const aliceSession = await openRawSession(bridge.url, ALICE);
    const bobSession = await openRawSession(bridge.url, BOB);
    const aborts = new AbortController();
    // Alice's own long call keeps her present at the child for the whole test.
    const aliceLong = post(bridge, ALICE, call(1, 'trigger-long-running-operation', LONG), {
      session: aliceSession,
      signal: aborts.signal,
    }).catch(() => undefined);
    await waitFor(
      async () => (await usage(bridge, 'alice')).unansweredChars > 0,
      "alice's call at the child",
    );

    const bob = [11, 12, 13, 14].map((id) =>
      post(bridge, BOB, padded(id), { session: bobSession, signal: aborts.signal }).catch(() => undefined),
    );
    await waitFor(() => bobHeld(bridge, 3), "bob's one request at the child and three in his lane");

    // His lane is full (3 MiB and more): the next is refused before its body is read, with id null.
    const early: Reply = await post(bridge, BOB, padded(15), { session: bobSession });
    assert.equal(early.status, 429);
    assert.equal(early.body.error?.data?.limit, 'queue');
    assert.equal(early.body.id, null);

    const echo = await post(bridge, ALICE, call(2, 'echo', { message: 'through' }), {
      session: aliceSession,
    });
    assert.deepEqual(echo.body.result?.content, [{ type: 'text', text: 'Echo: through' }]);

    // Cancelling the one at the child sends the next; cancelling one still waiting drops it unsent.
    assert.equal((await post(bridge, BOB, cancel(11), { session: bobSession })).status, 202);
    await waitFor(() => bobHeld(bridge, 2), "bob's next request written after the cancellation");
    assert.equal((await post(bridge, BOB, cancel(13), { session: bobSession })).status, 202);
    assert.equal((await post(bridge, BOB, cancel(12), { session: bobSession })).status, 202);
    await waitFor(async () => {
      const figures = await usage(bridge, 'bob');
      return figures.queuedChars === 0 && figures.unansweredChars >= MIB;
    }, "bob's last request (14) at the child, 13 dropped");

    // Ending the session gives back what its calls held.
    await raw(bridge.url, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${BOB}`, 'mcp-session-id': bobSession },
    });
    await waitFor(async () => (await usage(bridge, 'bob')).unansweredChars === 0, "bob's share given back");

    const next = await openRawSession(bridge.url, BOB);
    const reply = await post(bridge, BOB, call(20, 'echo', { message: 'not stalled' }), { session: next });
    assert.deepEqual(reply.body.result?.content, [{ type: 'text', text: 'Echo: not stalled' }]);
    aborts.abort();
    await Promise.all([aliceLong, ...bob]);
  });

  it('gives every share back when the child restarts, and answers each waiting call', async () => {
    const aliceSession = await openRawSession(bridge.url, ALICE);
    const bobSession = await openRawSession(bridge.url, BOB);
    const aliceLong = post(bridge, ALICE, call(1, 'trigger-long-running-operation', LONG), {
      session: aliceSession,
    });
    await waitFor(
      async () => (await usage(bridge, 'alice')).unansweredChars > 0,
      "alice's call at the child",
    );
    const bob = [31, 32, 33].map((id) => post(bridge, BOB, padded(id), { session: bobSession }));
    await waitFor(() => bobHeld(bridge, 2), "bob's one request at the child and two in his lane");

    const pid = await childPid(bridge);
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    for (const reply of await Promise.all([aliceLong, ...bob]))
      assert.equal(reply.body.error?.code, -32000, JSON.stringify(reply.body));
    for (const name of ['alice', 'bob']) {
      const figures = await usage(bridge, name);
      assert.equal(figures.unansweredChars, 0, name);
      assert.equal(figures.queuedChars, 0, name);
    }
    await waitFor(async () => {
      const now = await childPid(bridge);
      return now !== undefined && now !== pid;
    }, 'the restarted child');
    const next = await openRawSession(bridge.url, BOB);
    const reply = await post(bridge, BOB, call(40, 'echo', { message: 'after restart' }), { session: next });
    assert.deepEqual(reply.body.result?.content, [{ type: 'text', text: 'Echo: after restart' }]);
  });
});

describe('fair share of the child: calls that time out', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      members: members(),
      limits: { upstreamTimeoutMs: 1500 },
    });
  });
  after(() => bridge.close());

  it("answers each of bob's held calls in turn as the one at the child times out", async () => {
    const aliceSession = await openRawSession(bridge.url, ALICE);
    const bobSession = await openRawSession(bridge.url, BOB);
    const aliceLong = post(bridge, ALICE, call(1, 'trigger-long-running-operation', LONG), {
      session: aliceSession,
    });
    await waitFor(
      async () => (await usage(bridge, 'alice')).unansweredChars > 0,
      "alice's call at the child",
    );
    const bob = [51, 52, 53].map((id) => post(bridge, BOB, padded(id), { session: bobSession }));
    await waitFor(() => bobHeld(bridge, 2), "bob's one request at the child and two in his lane");
    const replies = await Promise.all([aliceLong, ...bob]);
    for (const reply of replies) assert.equal(reply.body.error?.code, -32001, JSON.stringify(reply.body));
    await waitFor(async () => {
      const figures = await usage(bridge, 'bob');
      return figures.unansweredChars + figures.queuedChars === 0;
    }, "bob's share and lane empty once his calls timed out");
  });
});
