// Fair share at the child's stdin: member B (bob) sends large arguments to one real server-everything
// from npm while member A (alice) calls echo; alice's calls are answered correctly and are not held
// behind bob's, and bob's excess is refused with 429 for him alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ALICE,
  assertRefused,
  BOB,
  call,
  members,
  post,
  usage,
  WATCHER,
  type Reply,
} from './fair-share-test-helpers';
import {
  connectClient,
  openRawSession,
  raw,
  serverCommand,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

describe("fair share: the child's stdin", () => {
  let bridge: TestBridge;
  const MIB = 1024 * 1024;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      members: members(),
      limits: { memberQueueChars: 4 * MIB },
    });
  });
  after(() => bridge.close());

  const childPid = async (): Promise<number> => {
    const res = await raw(bridge.url.replace('/mcp', '/status'), {
      headers: { authorization: `Bearer ${WATCHER}` },
    });
    return (JSON.parse(res.text) as { child: { pid: number } }).child.pid;
  };

  it("puts alice's echo ahead of bob's queued 1 MiB arguments, and refuses bob's past his queue", async () => {
    const session = await openRawSession(bridge.url, BOB);
    const aliceSession = await openRawSession(bridge.url, ALICE);
    const pid = await childPid();
    // A stopped child reads nothing: stdin fills, and what follows waits in the bridge's lanes.
    process.kill(pid, 'SIGSTOP');
    try {
      let bobAnswered = 0;
      const refused: Reply[] = [];
      const bob = Array.from({ length: 8 }, (_, i) =>
        post(bridge, BOB, call(100 + i, 'echo', { message: `${i}`.repeat(MIB) }), { session }).then(
          (reply) => {
            if (reply.status === 200) bobAnswered += 1;
            else refused.push(reply);
            return reply;
          },
        ),
      );
      // One is written, four wait in bob's lane (4 MiB), and the other three are refused at once.
      await waitFor(
        async () => refused.length === 3 && (await usage(bridge, 'bob')).queuedChars >= 4 * MIB,
        "bob's queue to fill",
      );
      for (const reply of refused) assertRefused(reply, 'queue', reply.body.id);

      const alice = post(bridge, ALICE, call(1, 'echo', { message: 'first' }), { session: aliceSession });
      let bobAnsweredBeforeAlice = -1;
      const aliceDone = alice.then((reply) => {
        bobAnsweredBeforeAlice = bobAnswered;
        return reply;
      });
      await waitFor(
        async () => (await usage(bridge, 'alice')).queuedChars > 0,
        "alice's echo to wait in her lane",
      );
      process.kill(pid, 'SIGCONT');
      const reply = await aliceDone;
      assert.deepEqual(reply.body.result?.content, [{ type: 'text', text: 'Echo: first' }]);
      // Without turns alice's echo would be written after all five of bob's; with them, after two.
      assert.ok(bobAnsweredBeforeAlice <= 2, `bob had ${bobAnsweredBeforeAlice} answers before alice's one`);
      const all = await Promise.all(bob);
      const answered = all.filter((r) => r.status === 200);
      assert.equal(answered.length, 5);
      for (const r of answered) {
        const i = Number(r.body.id) - 100;
        assert.equal(r.body.result?.content?.[0]?.text, `Echo: ${`${i}`.repeat(MIB)}`);
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it("answers every one of alice's echo calls correctly while bob sends many 1-4 MiB bodies at once", async () => {
    const session = await openRawSession(bridge.url, BOB);
    const sizes = Array.from({ length: 8 }, (_, i) => Math.floor((1 + (i % 4) * 0.9) * MIB));
    const bob = Promise.all(
      sizes.map((size, i) =>
        post(bridge, BOB, call(200 + i, 'echo', { message: 'b'.repeat(size) }), { session }),
      ),
    );
    const { client } = await connectClient(bridge.url, ALICE, {}, 'alice-under-flood');
    try {
      for (let i = 0; i < 10; i++) {
        const result = await client.callTool({ name: 'echo', arguments: { message: `a-${i}` } });
        assert.deepEqual(result.content, [{ type: 'text', text: `Echo: a-${i}` }]);
      }
    } finally {
      await client.close();
    }
    for (const [i, reply] of (await bob).entries()) {
      if (reply.status === 200)
        assert.equal(reply.body.result?.content?.[0]?.text.length, 'Echo: '.length + (sizes[i] ?? 0));
      else assert.equal(reply.status, 429, 'bob is only ever refused, never misanswered');
    }
    assert.deepEqual((await usage(bridge, 'alice')).refused, { sessions: 0, inflight: 0, rps: 0, queue: 0 });
  });
});
