/**
 * The one health monitor of the main process: sweeps every instance on a schedule (never two sweeps
 * at once), keeps each instance's state and short history, and pushes changes as `health:changed`.
 */
import type {
  EventPayload,
  HealthChange,
  HealthCounts,
  HealthHistory,
  HealthState,
  HealthSummary,
  InstanceHealth,
} from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import type { EventBus } from '../events';
import type { Store } from '../store/store';
import type { InstanceRecord } from '../store/types';
import { BridgeClient } from '../bridge-client/bridge-client';
import type { BridgeTarget, ProbeCredential } from '../bridge-client/bridge-client';
import { healthOptions } from './health-options';
import type { HealthOptions } from './health-options';
import type { HostAccess } from '../bridge-client/host-access';
import { InstanceTracker } from './instance-tracker';
import type { InstanceIdentity } from './instance-tracker';
import { Sweeper } from './sweeper';
import type { SweepStats } from './sweeper';

export interface HealthMonitorDeps {
  store: Store;
  access: HostAccess;
  events: EventBus;
  options?: Partial<HealthOptions>;
  /** Epoch ms; tests move it to step through backoff. */
  clock?: () => number;
  clientVersion?: string;
  log?: (line: string) => void;
}

export interface SweepReport extends SweepStats {
  startedAt: number;
  durationMs: number;
  changes: number;
  /** Instances whose failed check waits for the threshold before it counts. */
  pending: number;
}

const ORDER: Record<HealthState, number> = { unhealthy: 0, degraded: 1, unknown: 2, healthy: 3 };

export class HealthMonitor {
  readonly options: HealthOptions;
  private readonly trackers = new Map<string, InstanceTracker>();
  private readonly lastTarget = new Map<string, { target: BridgeTarget; credential: ProbeCredential }>();
  private readonly probe: BridgeClient;
  private readonly sweeper: Sweeper;
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private running: Promise<SweepReport> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private paused = false;
  private lastSweepAt: number | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: HealthMonitorDeps) {
    this.options = healthOptions(deps.options);
    this.clock = deps.clock ?? Date.now;
    this.log = deps.log ?? ((line) => console.warn(line));
    this.probe = new BridgeClient(this.options.timeoutMs, deps.clientVersion ?? '0');
    this.sweeper = new Sweeper({
      store: deps.store,
      access: deps.access,
      probe: this.probe,
      options: this.options,
      tracker: (id) => this.trackerFor(id),
      lastTarget: this.lastTarget,
    });
    this.unsubscribe = deps.events.subscribe((event, payload) => {
      const domain = event === 'store:changed' ? (payload as EventPayload<'store:changed'>).domain : null;
      if (domain !== null && domain !== 'hosts') this.sweeper.invalidateCredentials();
      // Instances came or went (a deploy here or in another process): look at them now, not at the
      // next scheduled sweep.
      if (domain === 'instances' && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
        this.schedule(0);
      }
    });
  }

  /**
   * What a deploy's connection test saw (initialize + tools/list through the auth layer, over the same
   * road the monitor takes): the instance counts as healthy from that moment, with the test's time as
   * its latency, instead of "not checked yet" until the next sweep.
   */
  noteTested(
    tested: readonly { hostId: string; containerName: string; at: number; elapsedMs: number }[],
  ): void {
    const records = this.deps.store.instances.list();
    this.sync(records);
    const changes: HealthChange[] = [];
    for (const t of tested) {
      const record = records.find((r) => r.hostId === t.hostId && r.containerName === t.containerName);
      const tracker = record ? this.trackers.get(record.id) : undefined;
      if (!record || !tracker) continue;
      const change = tracker.apply(
        {
          state: 'healthy',
          reason: "its deploy's connection test passed (initialize + tools/list through the auth layer)",
          severity: 'ok',
        },
        { now: t.at, host: { reachable: true }, container: null, status: null, ping: null },
        t.elapsedMs,
      );
      if (change) changes.push(change);
    }
    this.emit(changes);
  }

  /** Sweeps now and then every intervalMs after the previous sweep ends, until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /**
   * Stops the schedule, waits for a sweep underway, ends the monitor's MCP sessions and closes its
   * connections. A stopped monitor is not started again.
   */
  async stop(): Promise<void> {
    this.started = false;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    const closing = [...this.lastTarget].map(([id, { target, credential }]) =>
      this.probe.close(id, target, credential),
    );
    this.lastTarget.clear();
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    this.deps.access.dispose();
  }

  /** Pauses or resumes the schedule (a sweep underway finishes); resuming sweeps at once. */
  setPaused(paused: boolean): HealthSummary {
    if (paused !== this.paused) {
      this.paused = paused;
      if (paused && this.timer) clearTimeout(this.timer);
      if (paused) this.timer = null;
      else if (this.started && !this.running) this.schedule(0);
      this.emit([]);
    }
    return this.summary();
  }

  /** One sweep now (or the one underway). Never throws: a failing host only makes its instances unknown. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.runSweep().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  summary(): HealthSummary {
    const now = this.clock();
    this.sync(this.deps.store.instances.list());
    const instances = [...this.trackers.values()]
      .map((t) => t.view(now))
      .sort((a, b) => ORDER[a.state] - ORDER[b.state] || label(a).localeCompare(label(b)));
    return {
      monitoring: this.started,
      paused: this.paused,
      intervalMs: this.options.intervalMs,
      lastSweepAt: this.lastSweepAt === null ? null : new Date(this.lastSweepAt).toISOString(),
      counts: countStates(instances),
      instances,
    };
  }

  /** When the last sweep started (epoch ms), or null before the first. */
  get lastSweep(): number | null {
    return this.lastSweepAt;
  }

  /** Throws FleetError('not_found') for an instance the monitor does not know. */
  history(instanceId: string): HealthHistory {
    const tracker = this.trackers.get(instanceId);
    if (!tracker) throw new FleetError('not_found', 'no such instance; it may have been removed');
    return tracker.history();
  }

  private schedule(delay: number): void {
    if (!this.started || this.paused) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sweep().finally(() => this.schedule(this.options.intervalMs));
    }, delay);
    // The schedule alone must not keep a process (a CLI run) alive.
    this.timer.unref();
  }

  private async runSweep(): Promise<SweepReport> {
    const startedAt = this.clock();
    const began = performance.now();
    const records = this.deps.store.instances.list();
    this.sync(records);
    try {
      const { changes, stats } = await this.sweeper.sweep(records, startedAt);
      this.lastSweepAt = startedAt;
      // Every sweep of some instance, changes or not: open UIs read "checked N ago" from the summary
      // this refreshes. Nothing to tell while there is no instance.
      if (changes.length > 0 || this.trackers.size > 0) this.emit(changes);
      const pending = [...this.trackers.values()].filter((t) => t.pending).length;
      return { ...stats, startedAt, durationMs: performance.now() - began, changes: changes.length, pending };
    } catch (err) {
      this.log(`[mcp-fleet] health sweep failed: ${err instanceof Error ? err.name : 'unknown error'}`);
      return {
        startedAt,
        durationMs: performance.now() - began,
        changes: 0,
        pending: 0,
        hosts: 0,
        hostsBackedOff: 0,
        instances: records.length,
        dockerLists: 0,
        dockerInspects: 0,
      };
    }
  }

  private emit(changed: HealthChange[]): void {
    const views = [...this.trackers.values()].map((t) => t.view(this.clock()));
    this.deps.events.emit('health:changed', { changed, counts: countStates(views), paused: this.paused });
  }

  /** Follows the store: trackers for new instances, names refreshed, removed ones forgotten. */
  private sync(records: InstanceRecord[]): void {
    const { store } = this.deps;
    // Two queries for every name, rather than one per instance: this runs on every sweep and summary.
    const servers = new Map(store.servers.list().map((x) => [x.id, x.name]));
    const hosts = new Map(store.hosts.list().map((x) => [x.id, x.name]));
    const plain = new Set(
      store.servers
        .list()
        .filter((x) => store.deployState.serverOptions(x.id).tls?.kind === 'none')
        .map((x) => x.id),
    );
    const seen = new Set<string>();
    for (const r of records) {
      seen.add(r.id);
      const tracker = this.trackers.get(r.id);
      const member =
        r.memberId === null
          ? null
          : (tracker?.identity.member ?? store.members.getById(r.memberId)?.name ?? r.memberId);
      const identity: InstanceIdentity = {
        instanceId: r.id,
        server: servers.get(r.serverId) ?? r.serverId,
        member,
        host: hosts.get(r.hostId) ?? r.hostId,
        containerName: r.containerName,
        plainHttp: plain.has(r.serverId),
      };
      if (tracker) tracker.identity = identity;
      else this.trackers.set(r.id, new InstanceTracker(identity, this.options, this.clock()));
    }
    for (const id of [...this.trackers.keys()]) {
      if (seen.has(id)) continue;
      this.trackers.delete(id);
      this.lastTarget.delete(id);
      this.probe.forget(id);
    }
  }

  private trackerFor(id: string): InstanceTracker {
    const tracker = this.trackers.get(id);
    if (!tracker) throw new FleetError('internal', 'an instance was probed before it was tracked');
    return tracker;
  }
}

function label(i: InstanceHealth): string {
  return `${i.server}/${i.member ?? ''}`;
}

export function countStates(instances: readonly { state: HealthState }[]): HealthCounts {
  const counts: HealthCounts = { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 };
  for (const i of instances) counts[i.state] += 1;
  return counts;
}
