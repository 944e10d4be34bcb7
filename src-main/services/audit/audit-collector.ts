/**
 * Collects the bridges' audit lines into the store: for each instance, its container's log from where
 * the last collection stopped (a cursor in the store: the last line's docker timestamp and how many
 * lines had exactly that timestamp), over the same road to the host the health monitor takes. The rows
 * and the moved cursor are written in one transaction, so a crash neither loses nor doubles a line; a
 * container that restarted keeps its log and its cursor, a recreated one has a new id and starts afresh.
 */
import {
  AUDIT_USAGE_MAX_DAYS,
  type AuditCallView,
  type AuditCollected,
  type AuditListInput,
  type AuditUsageDay,
  type AuditUsageInput,
} from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import type { HostAccess } from '../bridge-client/host-access';
import type { DockerHost } from '../docker/docker-host';
import { listFleetContainers } from '../health/container-probe';
import { limiter, withTimeout } from '../health/limit';
import type { AuditCallRow, AuditCursor } from '../store/audit-calls-repository';
import type { Store } from '../store/store';
import type { HostRecord, InstanceRecord } from '../store/types';
import { parsePinLine, type PinReport } from '../pins/pin-line';
import { isoOfDockerTs, parseAuditLine, sinceText, splitTimestamp } from './audit-line';

export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

export interface AuditCollectorOptions {
  store: Store;
  access: HostAccess;
  /** Days calls are kept; read at every collection. */
  retentionDays?: () => number;
  /** How long one host's Docker may take to list or hand over a log. */
  timeoutMs?: number;
  /** Hosts collected at once. */
  hostConcurrency?: number;
  clock?: () => number;
  log?: (line: string) => void;
  /**
   * Told of the pinning lines (quarantined, auto-approved, surveyed) of each container's new stretch
   * of log, once those lines are taken (the pin service).
   */
  onPinReports?: (serverId: string, instance: string, reports: PinReport[]) => void;
  /** Told after each collection that finished (the OTLP forwarder sends what it added). */
  onCollected?: (collected: AuditCollected) => void;
}

type Failure = AuditCollected['failed'][number];

export class AuditCollector {
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private readonly hostLimit: ReturnType<typeof limiter>;
  private running: Promise<AuditCollected> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(private readonly o: AuditCollectorOptions) {
    this.clock = o.clock ?? Date.now;
    this.log = o.log ?? ((line) => console.warn(line));
    this.hostLimit = limiter(o.hostConcurrency ?? 8);
  }

  /** Collects now (or joins the collection underway). A host that fails only lands in `failed`. */
  collect(): Promise<AuditCollected> {
    this.running ??= this.run()
      .then((collected) => {
        this.o.onCollected?.(collected);
        return collected;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** The newest calls matching the filter, oldest first. */
  list(input: AuditListInput): AuditCallView[] {
    return this.o.store.auditCalls.list({
      server: input.server,
      member: input.member,
      target: input.tool,
      since: input.since === undefined ? undefined : new Date(input.since).toISOString(),
      limit: input.limit ?? 1000,
    });
  }

  /**
   * Calls and errors per member and UTC day since `input.since`. Throws FleetError('invalid_input')
   * when `since` lies more than AUDIT_USAGE_MAX_DAYS days back.
   */
  usage(input: AuditUsageInput): AuditUsageDay[] {
    const now = this.clock();
    const since = Date.parse(input.since);
    if (!(since >= now - AUDIT_USAGE_MAX_DAYS * DAY_MS)) {
      throw new FleetError(
        'invalid_input',
        `the usage chart reaches back at most ${AUDIT_USAGE_MAX_DAYS} days; since ${input.since} is further`,
      );
    }
    return this.o.store.auditCalls.usage({
      since: new Date(since).toISOString(),
      // Calls stamped ahead of this clock (a host's clock runs fast) still count, on their own day.
      until: new Date(now + DAY_MS).toISOString(),
      server: input.server,
      member: input.member,
    });
  }

  /** Collects now and then every intervalMs after the previous collection ends, until stop(). */
  start(intervalMs: number): void {
    if (this.started) return;
    this.started = true;
    const next = (delay: number): void => {
      if (!this.started) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.collect()
          .catch((err: unknown) => this.log(`audit collection failed: ${messageOf(err)}`))
          .finally(() => next(intervalMs));
      }, delay);
      this.timer.unref();
    };
    next(0);
  }

  /** Stops the schedule and waits for a collection underway. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private retentionDays(): number {
    const days = this.o.retentionDays?.() ?? DEFAULT_RETENTION_DAYS;
    return Number.isInteger(days) && days >= 1 ? days : DEFAULT_RETENTION_DAYS;
  }

  private async run(): Promise<AuditCollected> {
    const { store } = this.o;
    const records = store.instances.list();
    const byHost = new Map<string, InstanceRecord[]>();
    for (const r of records) byHost.set(r.hostId, [...(byHost.get(r.hostId) ?? []), r]);
    const failed: Failure[] = [];
    let added = 0;
    await Promise.all(
      [...byHost].map(([hostId, recs]) =>
        this.hostLimit(async () => {
          const host = store.hosts.getById(hostId);
          if (host) added += await this.collectHost(host, recs, failed);
        }),
      ),
    );
    store.auditCalls.keepCursors(records.map((r) => r.containerName));
    const retentionDays = this.retentionDays();
    const pruned = store.auditCalls.prune(new Date(this.clock() - retentionDays * DAY_MS).toISOString());
    return { instances: records.length, added, pruned, retentionDays, failed };
  }

  private async collectHost(host: HostRecord, recs: InstanceRecord[], failed: Failure[]): Promise<number> {
    const fail = (r: InstanceRecord, err: unknown): void => {
      failed.push({ instance: r.containerName, host: host.name, message: messageOf(err) });
    };
    let docker: DockerHost;
    let containers: Awaited<ReturnType<typeof listFleetContainers>>;
    try {
      await this.timed(() => this.o.access.reach(host), `host "${host.name}" did not answer`);
      docker = await this.timed(() => this.o.access.docker(host), `Docker on "${host.name}" did not answer`);
      const d = docker;
      containers = await this.timed(
        () => listFleetContainers(d),
        `Docker on "${host.name}" did not list its containers`,
      );
    } catch (err) {
      for (const r of recs) fail(r, err);
      return 0;
    }
    let added = 0;
    // One container at a time per host: each log is read into memory whole.
    for (const r of recs) {
      const info = containers.get(r.containerName);
      // No container (yet, or any more): nothing to collect, and nothing is lost by waiting.
      if (!info) continue;
      try {
        added += await this.timed(
          () => this.collectContainer(docker, r, info.Id),
          `the log of ${r.containerName} on "${host.name}" did not arrive in time`,
        );
      } catch (err) {
        fail(r, err);
      }
    }
    return added;
  }

  /** Takes the container's lines after its cursor; returns how many calls were added. */
  private async collectContainer(
    docker: DockerHost,
    r: InstanceRecord,
    containerId: string,
  ): Promise<number> {
    const { store } = this.o;
    const from = store.auditCalls.cursor(containerId);
    const server = store.servers.getById(r.serverId)?.name ?? r.serverId;
    let lastTs = from?.lastTs ?? '';
    let count = from?.sameTsCount ?? 0;
    let atFrom = 0;
    let seen = 0;
    const rows: AuditCallRow[] = [];
    const reports: PinReport[] = [];
    const options =
      from === null ? { timestamps: true } : { timestamps: true, since: sinceText(from.lastTs) };
    for (const line of await docker.logLines(containerId, options)) {
      // The bridge writes its lines to stdout; stderr holds nothing of its audit.
      if (line.stream !== 'stdout') continue;
      const split = splitTimestamp(line.text);
      if (split === null) continue;
      const { ts } = split;
      if (from !== null) {
        if (ts < from.lastTs) continue;
        if (ts === from.lastTs && ++atFrom <= from.sameTsCount) continue;
      }
      seen += 1;
      if (ts === lastTs) count += 1;
      else {
        lastTs = ts;
        count = 1;
      }
      const call = parseAuditLine(split.text);
      if (call) rows.push({ ...call, at: call.at ?? isoOfDockerTs(ts), server, instance: r.containerName });
      else if (this.o.onPinReports) {
        const report = parsePinLine(split.text);
        if (report) reports.push(report);
      }
    }
    if (seen === 0) return 0;
    const to: AuditCursor = { containerId, instance: r.containerName, lastTs, sameTsCount: count };
    const collectedAt = new Date(this.clock()).toISOString();
    // Another process (the CLI beside the app) may have taken these lines meanwhile: then they are its.
    if (!store.auditCalls.append(from, to, rows, collectedAt)) return 0;
    if (reports.length > 0) {
      try {
        this.o.onPinReports?.(r.serverId, r.containerName, reports);
      } catch (err) {
        this.log(`pinning lines of ${r.containerName} not taken: ${messageOf(err)}`);
      }
    }
    return rows.length;
  }

  private timed<T>(fn: () => Promise<T>, message: string): Promise<T> {
    const ms = this.o.timeoutMs ?? 60_000;
    return withTimeout(fn, ms, () => new FleetError('unavailable', `${message} within ${ms / 1000} s`));
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
