// The memory of one instance between sweeps: the failure threshold, restarts read from /status and
// inspect, slow traffic told apart from the monitor's own pings, and the bounded history.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from './classify';
import { healthOptions } from './health-options';
import { InstanceTracker } from './instance-tracker';
import type { BridgeStatus, Observation } from './observation';

const T0 = Date.parse('2026-05-01T12:00:00Z');
const identity = {
  instanceId: 'i1',
  server: 'memory',
  member: 'alice',
  host: 'db-1',
  containerName: 'mcp-memory-alice',
  plainHttp: false,
};

function tracker(over: Parameters<typeof healthOptions>[0] = {}): InstanceTracker {
  return new InstanceTracker(
    identity,
    healthOptions({ historySamples: 3, historyTransitions: 2, ...over }),
    T0,
  );
}

const at = (now: number): Observation => ({
  now,
  host: { reachable: true },
  container: null,
  status: null,
  ping: null,
});
const healthy: Verdict = { state: 'healthy', reason: 'fine', severity: 'ok' };
const lost: Verdict = {
  state: 'unhealthy',
  reason: 'MCP ping failed: no answer within 5 s',
  severity: 'soft',
};
const exited: Verdict = { state: 'unhealthy', reason: 'the container exited with code 1', severity: 'hard' };

function status(
  uptimeSeconds: number,
  restarts: number,
  requests: number,
  p99: number,
  exitAt?: number,
): BridgeStatus {
  return {
    uptimeSeconds,
    child: {
      state: 'ready',
      pid: 9,
      restarts,
      lastExit: exitAt === undefined ? null : { code: 1, signal: null, at: new Date(exitAt).toISOString() },
    },
    sessions: 1,
    requests: { 'tools/call': { count: requests, errors: 0 } },
    latencyMs: { p50: 1, p99, window: requests },
  };
}

describe('InstanceTracker', () => {
  it('holds the state through one soft failure and changes it on the second in a row', () => {
    const t = tracker({ failureThreshold: 2 });
    assert.deepEqual(t.apply(healthy, at(T0), 3), {
      instanceId: 'i1',
      previous: null,
      state: 'healthy',
      reason: 'fine',
    });
    assert.equal(t.apply(lost, at(T0 + 10_000), null), null);
    assert.equal(t.view(T0).state, 'healthy');
    assert.match(t.view(T0).reason, /failed check 1 of 2 before it counts/);
    // A good check in between starts the count again.
    assert.equal(t.apply(healthy, at(T0 + 20_000), 3), null);
    assert.equal(t.apply(lost, at(T0 + 30_000), null), null);
    const change = t.apply(lost, at(T0 + 40_000), null);
    assert.equal(change?.state, 'unhealthy');
    assert.equal(change?.previous, 'healthy');
  });

  it('changes at once for a hard failure (the container is not running)', () => {
    const t = tracker({ failureThreshold: 3 });
    t.apply(healthy, at(T0), 3);
    assert.equal(t.apply(exited, at(T0 + 10_000), null)?.state, 'unhealthy');
  });

  it('counts child restarts between two reads of the same bridge, at the time of the last exit', () => {
    const t = tracker();
    t.noteStatus(status(600, 0, 5, 2), T0);
    t.noteStatus(status(610, 3, 5, 2, T0 + 8_000), T0 + 10_000);
    assert.equal(t.recent.childExits.length, 3);
    assert.equal(t.recent.childExits[0]?.at, T0 + 8_000);
    assert.equal(t.view(T0 + 10_000).restarts.child, 3);
  });

  it('takes a restarted bridge as a new baseline instead of a negative count', () => {
    const t = tracker();
    t.noteStatus(status(600, 2, 50, 2), T0);
    t.noteStatus(status(3, 0, 0, 2), T0 + 10_000);
    assert.equal(t.recent.childExits.length, 0);
  });

  it('marks slow traffic only when clients (not the monitor) sent requests since the last read', () => {
    const t = tracker({ slowRequestMs: 1000 });
    t.noteStatus(status(600, 0, 10, 4000), T0);
    // Only the monitor's own ping arrived: the old p99 says nothing new.
    t.ownSent = 1;
    t.noteStatus(status(610, 0, 11, 4000), T0 + 10_000);
    assert.equal(t.recent.slowTraffic, null);
    t.noteStatus(status(620, 0, 15, 4000), T0 + 20_000);
    assert.deepEqual(t.recent.slowTraffic, { at: T0 + 20_000, p99: 4000, window: 15 });
    // Fast traffic clears it.
    t.noteStatus(status(630, 0, 25, 200), T0 + 30_000);
    assert.equal(t.recent.slowTraffic, null);
  });

  it('does not take its own slow request, recorded only after a later read, for client traffic', () => {
    const t = tracker({ slowRequestMs: 1000 });
    t.noteStatus(status(600, 0, 0, 0), T0);
    t.ownSent = 1; // an initialize the bridge is still working on
    t.noteStatus(status(610, 0, 0, 0), T0 + 10_000);
    t.ownSent = 2;
    t.noteStatus(status(620, 0, 2, 5700), T0 + 20_000);
    assert.equal(t.recent.slowTraffic, null);
  });

  it('counts container restarts the engine made, not a manual start of the same container', () => {
    const t = tracker();
    const facts = {
      id: 'c1',
      restartCount: 0,
      startedAt: T0,
      finishedAt: null,
      exitCode: null,
      oomKilled: false,
      error: null,
    };
    t.noteInspect(facts);
    t.noteInspect({ ...facts, startedAt: T0 + 60_000 });
    assert.equal(t.recent.containerRestarts.length, 0);
    t.noteInspect({ ...facts, restartCount: 2, startedAt: T0 + 90_000 });
    assert.equal(t.recent.containerRestarts.length, 2);
  });

  it('tells a bridge that started after the inspected container start (the engine restarted it)', () => {
    const t = tracker();
    t.noteInspect({
      id: 'c1',
      restartCount: 0,
      startedAt: T0,
      finishedAt: null,
      exitCode: null,
      oomKilled: false,
      error: null,
    });
    assert.equal(t.restartedSinceInspect(status(60, 0, 0, 1), T0 + 61_000), false);
    assert.equal(t.restartedSinceInspect(status(5, 0, 0, 1), T0 + 61_000), true);
  });

  it('keeps only the newest samples and transitions', () => {
    const t = tracker({ failureThreshold: 1 });
    const verdicts = [healthy, exited, healthy, exited, healthy];
    verdicts.forEach((v, i) => t.apply(v, at(T0 + i * 10_000), v === healthy ? i : null));
    const h = t.history();
    assert.deepEqual(
      h.samples.map((s) => s.latencyMs),
      [2, null, 4],
    );
    assert.deepEqual(
      h.transitions.map((x) => `${x.from}->${x.to}`),
      ['healthy->unhealthy', 'unhealthy->healthy'],
    );
  });
});
