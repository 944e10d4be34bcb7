/**
 * Judges one observation: a plain function, so every rule is tested without a host. The monitor
 * applies the failure threshold on top (instance-tracker.ts): a `soft` verdict must repeat before it
 * counts, a `hard` one (the container is not running) counts at once.
 */
import type { HealthState } from '../../shared/contract';
import type { HealthOptions } from './health-options';
import type { BridgeStatus, ContainerFacts, Observation, RecentEvents } from './observation';
import { duration, exitWords, span, times } from './words';

export type Severity = 'ok' | 'soft' | 'hard';

export interface Verdict {
  state: HealthState;
  reason: string;
  severity: Severity;
}

export type ClassifyOptions = Pick<HealthOptions, 'slowPingMs' | 'slowRequestMs' | 'restartWindowMs'>;

const KILLED_EXIT_CODES: Record<number, string> = { 137: 'SIGKILL', 143: 'SIGTERM' };

export function classify(o: Observation, recent: RecentEvents, opts: ClassifyOptions): Verdict {
  if (!o.host.reachable) return { state: 'unknown', reason: o.host.message, severity: 'soft' };
  const c = o.container;
  if (c === null) return { state: 'unknown', reason: 'the container was not looked at', severity: 'soft' };
  if (c.kind === 'missing') {
    return {
      state: 'unhealthy',
      reason:
        'the container is missing on the host (removed outside MCP Fleet?): deploy again to recreate it',
      severity: 'hard',
    };
  }
  if (c.kind === 'found' && c.state !== 'running') {
    if (o.stoppedOnPurpose && (c.state === 'exited' || c.state === 'created')) {
      return {
        state: 'unknown',
        reason: 'stopped on purpose; not checked until it is started again',
        severity: 'ok',
      };
    }
    return notRunning(c, o.now);
  }

  const ping = o.ping;
  const status = o.status?.ok ? o.status.value : null;
  if (status && status.child.state !== 'ready') {
    return { state: 'unhealthy', reason: childDown(status, o.now), severity: 'soft' };
  }
  if (ping && !ping.ok) {
    return { state: 'unhealthy', reason: `MCP ping failed: ${ping.failure.message}`, severity: 'soft' };
  }
  if (o.status && !o.status.ok && !ping) {
    const f = o.status.failure;
    // Refusals of the monitor itself are whole sentences already; the rest say what the bridge did.
    const own = f.kind === 'unauthorized' || f.kind === 'forbidden' || f.kind === 'rate_limited';
    const reason = own ? f.message : `the bridge does not answer: ${f.message}`;
    return { state: 'unhealthy', reason, severity: 'soft' };
  }
  if (!ping) return { state: 'unknown', reason: 'the bridge was not probed', severity: 'soft' };

  const notes: string[] = [];
  if (c.kind === 'error') notes.push(`${c.message} (the bridge itself answers)`);
  if (o.status && !o.status.ok) notes.push(`its /status did not answer: ${o.status.failure.message}`);
  notes.push(...degradations(o, recent, opts));
  if (notes.length > 0) return { state: 'degraded', reason: notes.join('; '), severity: 'ok' };
  const up = c.kind === 'found' && c.startedAt !== null ? `; up ${span(o.now - c.startedAt)}` : '';
  return {
    state: 'healthy',
    reason: `answers MCP ping in ${duration(ping.value.rttMs)}${up}`,
    severity: 'ok',
  };
}

function notRunning(c: ContainerFacts, now: number): Verdict {
  const ago = c.finishedAt !== null ? ` ${span(now - c.finishedAt)} ago` : '';
  const engine = c.error ? ` (${c.error})` : '';
  switch (c.state) {
    case 'restarting': {
      const count = c.restartCount !== null ? `, restarted ${times(c.restartCount)}` : '';
      const code = c.exitCode !== null ? `; it last exited with code ${c.exitCode}` : '';
      return {
        state: 'unhealthy',
        reason: `the container keeps restarting${count}${code}`,
        severity: 'soft',
      };
    }
    case 'paused':
      return { state: 'unhealthy', reason: 'the container is paused', severity: 'hard' };
    case 'created':
      return {
        state: 'unhealthy',
        reason: `the container was created but never started${engine}`,
        severity: 'hard',
      };
    case 'removing':
      return { state: 'unhealthy', reason: 'the container is being removed', severity: 'soft' };
    default: {
      if (c.oomKilled) {
        return {
          state: 'unhealthy',
          reason: `the container was killed for lack of memory${ago}: raise its memory limit`,
          severity: 'hard',
        };
      }
      const signal = c.exitCode !== null ? KILLED_EXIT_CODES[c.exitCode] : undefined;
      const how =
        c.exitCode === null
          ? 'stopped'
          : signal
            ? `was killed (${signal}, exit code ${c.exitCode})`
            : `exited with code ${c.exitCode}`;
      return { state: 'unhealthy', reason: `the container ${how}${ago}${engine}`, severity: 'hard' };
    }
  }
}

function childDown(status: BridgeStatus, now: number): string {
  const exit = status.child.lastExit;
  const state = status.child.state === 'backoff' ? 'waiting to be restarted' : status.child.state;
  if (!exit) return `the MCP server process is not running (${state})`;
  const at = Date.parse(exit.at);
  const ago = Number.isFinite(at) ? ` ${span(now - at)} ago` : '';
  const restarts = status.child.restarts > 0 ? `, restarted ${times(status.child.restarts)} so far` : '';
  return `the MCP server process is down (${state}): it exited ${exitWords(exit)}${ago}${restarts}`;
}

function degradations(o: Observation, recent: RecentEvents, opts: ClassifyOptions): string[] {
  const notes: string[] = [];
  const since = o.now - opts.restartWindowMs;
  const exits = recent.childExits.filter((e) => e.at >= since);
  const last = exits[exits.length - 1];
  if (last && exits[0]) {
    const how = exitWords(last.exit);
    notes.push(`child exited${how ? ` ${how}` : ''} ${times(exits.length)} in ${span(o.now - exits[0].at)}`);
  }
  const restarts = recent.containerRestarts.filter((r) => r.at >= since);
  if (restarts[0]) {
    notes.push(`the container restarted ${times(restarts.length)} in ${span(o.now - restarts[0].at)}`);
  }
  if (o.ping?.ok && o.ping.value.rttMs > opts.slowPingMs) {
    notes.push(`MCP ping took ${duration(o.ping.value.rttMs)} (slow above ${duration(opts.slowPingMs)})`);
  }
  const slow = recent.slowTraffic;
  if (slow && slow.at >= since) {
    notes.push(
      `requests through the bridge are slow: p99 ${duration(slow.p99)} over the last ${slow.window} (slow above ${duration(opts.slowRequestMs)})`,
    );
  }
  return notes;
}
