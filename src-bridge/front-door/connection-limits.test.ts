// Connection caps against floods of real sockets (hundreds, from several loopback sources), in front of
// the real server-everything from npm: over-cap sockets are closed by the bridge, token-less ones never
// crowd out a member, refused and timed-out sockets are fully closed, and descriptors come back.
// (Under a real descriptor limit, and over HTTPS: connection-limits-fd.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  aliceCalls,
  authenticate,
  endedCount,
  fdCount,
  members,
  open,
  statusOf,
  type Probe,
} from './connection-test-helpers';
import { serverCommand, startTestBridge, waitFor, type TestBridge } from '../test-helpers';

describe('connection caps: a token-less flood', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      members,
      limits: { maxConnections: 100, maxConnectionsPerSource: 50, maxUnauthenticated: 25 },
    });
  });
  after(() => bridge.close());

  it("closes all but a quarter's worth, serves alice and restarts the child meanwhile, and gives every descriptor back", async () => {
    const baseline = fdCount();
    // Hostile sockets: they never end their side, so only the bridge closing them frees anything.
    const flood = open(bridge.port, 300, '127.0.0.2', { allowHalfOpen: true });
    // Each new token-less socket pushes out the oldest of the source holding the most: the flood's own.
    await waitFor(
      () => endedCount(flood) === 275,
      'the bridge to close all but 25 of the 300 sockets',
      30_000,
    );
    assert.ok(
      flood.every((p) => p.data === ''),
      'closed without a byte of HTTP',
    );

    await aliceCalls(bridge.url, 'during-flood');
    const during = await statusOf(bridge.url);
    assert.ok(during.connections.unauthenticated <= 25);
    assert.ok(
      during.connections.refused.unauthenticatedEvicted >= 276,
      `alice got in by pushing one out: ${JSON.stringify(during.connections)}`,
    );

    // Restarting the child needs descriptors too (its pipes): the flood must not have taken them.
    process.kill(during.child.pid, 'SIGKILL');
    await waitFor(async () => {
      const now = await statusOf(bridge.url);
      return now.child.state === 'ready' && now.child.pid !== during.child.pid;
    }, 'the child to be restarted');
    await aliceCalls(bridge.url, 'after-restart');

    for (const probe of flood) probe.socket.destroy();
    await waitFor(() => fdCount() <= baseline, `descriptors back to ${baseline} (now ${fdCount()})`);
  });
});

describe('connection caps: per source and in all', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      members,
      limits: {
        maxConnections: 30,
        maxConnectionsPerSource: 20,
        maxUnauthenticated: 10,
        keepAliveTimeoutMs: 60_000,
      },
    });
  });
  after(() => bridge.close());

  it('closes a source past its share at accept, and any connection past the global cap', async () => {
    // One at a time: opened together, they would be 20 unauthenticated sockets, over that share.
    const members = async (n: number, from: string): Promise<Probe[]> => {
      const probes: Probe[] = [];
      for (let i = 0; i < n; i++) {
        const [probe] = open(bridge.port, 1, from);
        if (!probe) throw new Error('no socket');
        await authenticate(probe, bridge.port);
        probes.push(probe);
      }
      return probes;
    };
    const first = await members(20, '127.0.0.3');
    const [extra] = open(bridge.port, 1, '127.0.0.3');
    await waitFor(() => extra?.closed === true, 'the 21st socket from 127.0.0.3 to be closed');
    assert.equal(extra?.data, '');

    const second = await members(10, '127.0.0.4');
    const [over] = open(bridge.port, 1, '127.0.0.5');
    await waitFor(() => over?.closed === true, 'the 31st socket to be closed');
    assert.ok(
      [...first, ...second].every((p) => !p.closed),
      "members' connections stay",
    );

    for (const probe of [...first, ...second]) probe.socket.destroy();
    await waitFor(async () => {
      try {
        return (await statusOf(bridge.url)).connections.open === 1;
      } catch {
        return false;
      }
    }, 'the connections to be gone');
    const status = await statusOf(bridge.url);
    assert.equal(status.connections.refused.perSource, 1);
    // At least: a status poll that came before the bridge saw the others close was over the cap too.
    assert.ok(status.connections.refused.max >= 1);
    await aliceCalls(bridge.url, 'after');
  });
});

describe('connection caps: timeouts close sockets for good', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      members,
      limits: { headersTimeoutMs: 300, requestTimeoutMs: 300, keepAliveTimeoutMs: 200 },
    });
  });
  after(() => bridge.close());

  // A client that never ends its side (allowHalfOpen) keeps a half-closed socket open at the bridge
  // for ever; only the bridge closing its own side as well gives the descriptor back.
  for (const [what, send, status] of [
    ['sends nothing', '', '408'],
    ['stops half way through its headers', 'GET /status HTTP/1.1\r\nhost: 127.0.0.1\r\n', '408'],
    ['sends what is not HTTP', 'NOT HTTP AT ALL\r\n\r\n', '400'],
  ] as const) {
    it(`answers ${status} to a client that ${what}, then closes the socket completely`, async () => {
      const baseline = fdCount();
      const [probe] = open(bridge.port, 1, '127.0.0.1', { allowHalfOpen: true });
      if (!probe) throw new Error('no socket');
      let ended = false;
      probe.socket.on('end', () => (ended = true));
      probe.socket.write(send);
      await waitFor(() => ended, `the bridge to answer and end its side`);
      assert.match(probe.data, new RegExp(`^HTTP/1\\.1 ${status} `));
      // The probe's own descriptor stays (it never ends its side); the bridge's must be gone.
      await waitFor(
        () => fdCount() <= baseline + 1,
        `the bridge's side to be closed (${fdCount()} > ${baseline + 1})`,
      );
      probe.socket.destroy();
    });
  }

  it('closes an idle keep-alive connection after its keep-alive time', async () => {
    const [probe] = open(bridge.port, 1, '127.0.0.1');
    if (!probe) throw new Error('no socket');
    await authenticate(probe, bridge.port);
    await waitFor(() => probe.closed, 'the idle connection to be closed by the bridge');
  });
});
