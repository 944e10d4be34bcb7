/**
 * What the monitor remembers about one instance between sweeps: its state with the failure threshold,
 * the restarts and slow traffic it saw (for `degraded`), and the short history (sparkline, timeline).
 */
import type {
  HealthChange,
  HealthHistory,
  HealthSample,
  HealthState,
  HealthTransition,
  InstanceHealth,
} from '../../shared/contract';
import type { Verdict } from './classify';
import type { HealthOptions } from './health-options';
import type { BridgeStatus, ContainerFacts, Observation, RecentEvents } from './observation';
import { Ring } from './ring';

export interface InstanceIdentity {
  instanceId: string;
  server: string;
  member: string | null;
  host: string;
  containerName: string;
  /** Its server was deployed with --no-tls. */
  plainHttp: boolean;
}

/** What inspect said about the container last time; list calls do not carry it. */
export interface InspectFacts {
  id: string;
  restartCount: number;
  startedAt: number | null;
  finishedAt: number | null;
  exitCode: number | null;
  oomKilled: boolean;
  error: string | null;
}

type TrackerOptions = Pick<
  HealthOptions,
  'failureThreshold' | 'restartWindowMs' | 'slowRequestMs' | 'historySamples' | 'historyTransitions'
>;

// Uptime in /status is rounded to the second and read a little after the container started.
const SAME_START_MS = 5_000;

const iso = (ms: number): string => new Date(ms).toISOString();

export class InstanceTracker {
  state: HealthState | null = null;
  reason = 'not checked yet';
  since: number;
  checkedAt: number | null = null;
  latencyMs: number | null = null;
  childRestarts: number | null = null;
  sessions: number | null = null;
  /** Failed checks in a row that have not yet changed the state. */
  failures = 0;
  /** MCP requests the monitor itself has sent (the bridge counts them in its figures too). */
  ownSent = 0;
  inspected: InspectFacts | null = null;
  readonly recent: RecentEvents = { childExits: [], containerRestarts: [], slowTraffic: null };
  private bridge: {
    startedAt: number;
    restarts: number;
    /** Requests recorded, and requests the monitor had sent, when this bridge was first seen. */
    recordedBase: number;
    ownBase: number;
    clientsMax: number;
  } | null = null;
  private readonly samples: Ring<HealthSample>;
  private readonly transitions: Ring<HealthTransition>;

  constructor(
    public identity: InstanceIdentity,
    private readonly opts: TrackerOptions,
    now: number,
  ) {
    this.since = now;
    this.samples = new Ring(opts.historySamples);
    this.transitions = new Ring(opts.historyTransitions);
  }

  /** Keeps what inspect said, counting the restarts the engine made since the last look. */
  noteInspect(facts: InspectFacts): void {
    const before = this.inspected;
    if (before?.id === facts.id) {
      const made = facts.restartCount - before.restartCount;
      for (let i = 0; i < made; i++) {
        this.recent.containerRestarts.push({ at: facts.startedAt ?? Date.now(), exitCode: null });
      }
    } else if (facts.restartCount > 0 && facts.startedAt !== null) {
      // Seen for the first time mid-loop: at least its latest restart is known.
      this.recent.containerRestarts.push({ at: facts.startedAt, exitCode: null });
    }
    this.inspected = facts;
  }

  /** True when the bridge started after the container start inspect reported: the engine restarted it. */
  restartedSinceInspect(status: BridgeStatus, now: number): boolean {
    const started = this.inspected?.startedAt;
    if (started === null || started === undefined) return true;
    return now - status.uptimeSeconds * 1000 > started + SAME_START_MS;
  }

  /** Reads the child's restarts and the traffic's latency from /status. */
  noteStatus(status: BridgeStatus, now: number): void {
    const startedAt = now - status.uptimeSeconds * 1000;
    const restarts = status.child.restarts;
    const requests = Object.values(status.requests).reduce((sum, r) => sum + r.count, 0);
    const exit = status.child.lastExit;
    const exitAt = exit ? Date.parse(exit.at) : Number.NaN;
    const windowStart = now - this.opts.restartWindowMs;
    const same = this.bridge !== null && Math.abs(this.bridge.startedAt - startedAt) < SAME_START_MS;
    let made = 0;
    if (same && this.bridge) made = restarts - this.bridge.restarts;
    else if (restarts > 0 && exitAt >= windowStart) made = startedAt >= windowStart ? restarts : 1;
    if (exit && made > 0) {
      const at = Number.isFinite(exitAt) ? exitAt : now;
      const what = { code: exit.code, signal: exit.signal, ...(exit.error ? { error: exit.error } : {}) };
      for (let i = 0; i < made; i++) this.recent.childExits.push({ at, exit: what });
    }
    if (same && this.bridge) {
      // Requests the bridge recorded that the monitor did not send. The monitor's own requests still in
      // flight only lower this for a while, so it rising past its highest means clients sent some.
      const fromClients = requests - this.bridge.recordedBase - (this.ownSent - this.bridge.ownBase);
      const p99 = status.latencyMs.p99;
      if (fromClients > this.bridge.clientsMax && p99 !== null) {
        this.recent.slowTraffic =
          p99 > this.opts.slowRequestMs ? { at: now, p99, window: status.latencyMs.window } : null;
      }
      this.bridge.clientsMax = Math.max(this.bridge.clientsMax, fromClients);
      this.bridge.restarts = restarts;
    } else {
      this.bridge = { startedAt, restarts, recordedBase: requests, ownBase: this.ownSent, clientsMax: 0 };
    }
    this.childRestarts = restarts;
    this.sessions = status.sessions;
  }

  /** Applies a verdict through the failure threshold; returns the change, or null when the state stays. */
  apply(verdict: Verdict, o: Observation, latencyMs: number | null): HealthChange | null {
    this.prune(o.now);
    this.checkedAt = o.now;
    this.latencyMs = latencyMs;
    if (!o.host.reachable) this.sessions = null;
    const previous = this.state;
    let next: HealthState | null = verdict.state;
    let reason = verdict.reason;
    if (verdict.severity === 'soft' && next !== previous) {
      this.failures += 1;
      if (this.failures < this.opts.failureThreshold) {
        // One failed check is not yet a state (not even the first one): keep it, say what was seen.
        next = previous;
        reason = `${verdict.reason} (failed check ${this.failures} of ${this.opts.failureThreshold} before it counts)`;
      } else this.failures = 0;
    } else this.failures = 0;
    this.samples.push({ at: iso(o.now), state: next ?? 'unknown', latencyMs });
    this.reason = reason;
    if (next === previous || next === null) return null;
    this.state = next;
    this.since = o.now;
    this.transitions.push({ at: iso(o.now), from: previous, to: next, reason });
    return { instanceId: this.identity.instanceId, previous, state: next, reason };
  }

  /** True while a failed check waits for the threshold before it changes the state. */
  get pending(): boolean {
    return this.failures > 0;
  }

  view(now: number): InstanceHealth {
    const started = this.inspected?.startedAt ?? null;
    const running = this.state === 'healthy' || this.state === 'degraded';
    return {
      ...this.identity,
      state: this.state ?? 'unknown',
      reason: this.reason,
      since: iso(this.since),
      checkedAt: this.checkedAt === null ? null : iso(this.checkedAt),
      latencyMs: this.latencyMs === null ? null : Math.round(this.latencyMs * 10) / 10,
      restarts: { container: this.inspected?.restartCount ?? null, child: this.childRestarts },
      uptimeSeconds: running && started !== null ? Math.max(0, Math.round((now - started) / 1000)) : null,
      sessions: this.sessions,
    };
  }

  history(): HealthHistory {
    return {
      instanceId: this.identity.instanceId,
      samples: this.samples.toArray(),
      transitions: this.transitions.toArray(),
    };
  }

  private prune(now: number): void {
    const since = now - this.opts.restartWindowMs;
    const r = this.recent;
    r.childExits = r.childExits.filter((e) => e.at >= since);
    r.containerRestarts = r.containerRestarts.filter((e) => e.at >= since);
    if (r.slowTraffic && r.slowTraffic.at < since) r.slowTraffic = null;
  }
}

/** Inspect's answer as the tracker keeps it. */
export function inspectFacts(facts: ContainerFacts): InspectFacts | null {
  if (facts.restartCount === null) return null;
  return {
    id: facts.id,
    restartCount: facts.restartCount,
    startedAt: facts.startedAt,
    finishedAt: facts.finishedAt,
    exitCode: facts.exitCode,
    oomKilled: facts.oomKilled ?? false,
    error: facts.error,
  };
}
