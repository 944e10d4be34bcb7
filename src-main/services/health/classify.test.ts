// The health rules on their own: every observation a sweep can make, judged without a host.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from './classify';
import { DEFAULT_HEALTH_OPTIONS } from './health-options';
import type { BridgeStatus, ContainerFacts, Observation, RecentEvents } from './observation';

const NOW = Date.parse('2026-05-01T12:00:00Z');
const opts = DEFAULT_HEALTH_OPTIONS;

function container(over: Partial<ContainerFacts> = {}): ContainerFacts {
  return {
    kind: 'found',
    id: 'c1',
    state: 'running',
    exitCode: null,
    oomKilled: false,
    restartCount: 0,
    startedAt: NOW - 3_600_000,
    finishedAt: null,
    error: null,
    target: { address: '127.0.0.1', port: 18080 },
    ...over,
  };
}

function status(over: Partial<BridgeStatus['child']> = {}): BridgeStatus {
  return {
    uptimeSeconds: 3600,
    child: { state: 'ready', pid: 7, restarts: 0, lastExit: null, ...over },
    sessions: 1,
    requests: {},
    latencyMs: { p50: 1, p99: 2, window: 10 },
  };
}

function obs(over: Partial<Observation> = {}): Observation {
  return {
    now: NOW,
    host: { reachable: true },
    container: container(),
    status: { ok: true, value: status() },
    ping: { ok: true, value: { rttMs: 3.2 } },
    ...over,
  };
}

const quiet = (): RecentEvents => ({ childExits: [], containerRestarts: [], slowTraffic: null });

describe('classify', () => {
  it('calls a running container whose bridge answers healthy, with the ping time and uptime', () => {
    const v = classify(obs(), quiet(), opts);
    assert.equal(v.state, 'healthy');
    assert.equal(v.severity, 'ok');
    assert.equal(v.reason, 'answers MCP ping in 3 ms; up 1 hour');
  });

  it('calls an unreachable host unknown, never unhealthy, and keeps its reason', () => {
    const v = classify(
      obs({
        host: { reachable: false, message: 'cannot reach host "db-2": connection refused' },
        container: null,
      }),
      quiet(),
      opts,
    );
    assert.deepEqual(v, {
      state: 'unknown',
      reason: 'cannot reach host "db-2": connection refused',
      severity: 'soft',
    });
  });

  it('calls a killed container unhealthy at once, saying how it ended', () => {
    const v = classify(
      obs({
        container: container({ state: 'exited', exitCode: 137, finishedAt: NOW - 12_000 }),
        status: null,
        ping: null,
      }),
      quiet(),
      opts,
    );
    assert.equal(v.state, 'unhealthy');
    assert.equal(v.severity, 'hard');
    assert.equal(v.reason, 'the container was killed (SIGKILL, exit code 137) 12 s ago');
  });

  it('does not call an instance the operator stopped unhealthy', () => {
    const v = classify(
      obs({
        container: container({ state: 'exited', exitCode: 0 }),
        status: null,
        ping: null,
        stoppedOnPurpose: true,
      }),
      quiet(),
      opts,
    );
    assert.deepEqual(v, {
      state: 'unknown',
      reason: 'stopped on purpose; not checked until it is started again',
      severity: 'ok',
    });
  });

  it('names an out-of-memory kill and the limit to raise', () => {
    const v = classify(
      obs({
        container: container({ state: 'exited', exitCode: 137, oomKilled: true }),
        status: null,
        ping: null,
      }),
      quiet(),
      opts,
    );
    assert.match(v.reason, /killed for lack of memory.*raise its memory limit/);
  });

  it('treats a restarting container as a soft failure (it may come back by itself)', () => {
    const v = classify(
      obs({
        container: container({ state: 'restarting', restartCount: 3, exitCode: 1 }),
        status: null,
        ping: null,
      }),
      quiet(),
      opts,
    );
    assert.equal(v.severity, 'soft');
    assert.equal(
      v.reason,
      'the container keeps restarting, restarted three times; it last exited with code 1',
    );
  });

  it('calls a missing container unhealthy and says how to recreate it', () => {
    const v = classify(obs({ container: { kind: 'missing' }, status: null, ping: null }), quiet(), opts);
    assert.equal(v.state, 'unhealthy');
    assert.match(v.reason, /missing on the host.*deploy again/);
  });

  it('calls a bridge whose MCP server is down unhealthy, with its last exit', () => {
    const down = status({
      state: 'backoff',
      restarts: 4,
      lastExit: { code: 1, signal: null, at: new Date(NOW - 5_000).toISOString() },
    });
    const v = classify(
      obs({
        status: { ok: true, value: down },
        ping: { ok: false, failure: { kind: 'unavailable', message: 'x' } },
      }),
      quiet(),
      opts,
    );
    assert.equal(v.state, 'unhealthy');
    assert.equal(
      v.reason,
      'the MCP server process is down (waiting to be restarted): it exited with code 1 5 s ago, restarted four times so far',
    );
  });

  it('says the bridge does not answer when nothing listens on its port', () => {
    const v = classify(
      obs({
        status: {
          ok: false,
          failure: { kind: 'refused', message: 'nothing answers on port 18080 of the host' },
        },
        ping: null,
      }),
      quiet(),
      opts,
    );
    assert.equal(v.state, 'unhealthy');
    assert.equal(v.reason, 'the bridge does not answer: nothing answers on port 18080 of the host');
  });

  it('calls repeated child exits in the window degraded, in the words of the issue', () => {
    const recent = quiet();
    for (const ago of [110_000, 60_000, 20_000]) {
      recent.childExits.push({ at: NOW - ago, exit: { code: 1, signal: null } });
    }
    const v = classify(obs(), recent, opts);
    assert.equal(v.state, 'degraded');
    assert.equal(v.reason, 'child exited with code 1 three times in 2 minutes');
  });

  it('forgets restarts older than the window', () => {
    const recent = quiet();
    recent.childExits.push({ at: NOW - opts.restartWindowMs - 1, exit: { code: 1, signal: null } });
    recent.containerRestarts.push({ at: NOW - opts.restartWindowMs - 1, exitCode: null });
    assert.equal(classify(obs(), recent, opts).state, 'healthy');
  });

  it('calls a slow ping degraded, and slow client traffic degraded, naming both thresholds', () => {
    const slowPing = classify(obs({ ping: { ok: true, value: { rttMs: 1800 } } }), quiet(), opts);
    assert.equal(slowPing.state, 'degraded');
    assert.equal(slowPing.reason, 'MCP ping took 1.8 s (slow above 1 s)');
    const recent = quiet();
    recent.slowTraffic = { at: NOW - 1000, p99: 7200, window: 12 };
    const slowCalls = classify(obs(), recent, opts);
    assert.equal(slowCalls.state, 'degraded');
    assert.equal(
      slowCalls.reason,
      'requests through the bridge are slow: p99 7.2 s over the last 12 (slow above 5 s)',
    );
  });

  it('calls a bridge that answers while Docker does not degraded, not unhealthy', () => {
    const v = classify(
      obs({ container: { kind: 'error', message: 'the Docker engine on db-1 did not answer: EPIPE' } }),
      quiet(),
      opts,
    );
    assert.equal(v.state, 'degraded');
    assert.match(v.reason, /did not answer: EPIPE \(the bridge itself answers\)/);
  });
});
