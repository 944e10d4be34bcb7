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
import type { AuditAppend, AuditCallRow, AuditCursor } from '../store/audit-calls-repository';
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

/** Rows a host's collection holds before it writes them (and goes on). */
const FLUSH_ROWS = 50_000;

/** One container's new stretch of log, read and parsed, not yet written. */
interface Taken extends AuditAppend {
  rows: AuditCallRow[];
  reports: PinReport[];
  serverId: string;
}

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
      target: input.tool,
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
    // One container at a time per host: each log is read into memory whole. Their rows are written
    // together, in one transaction, when the host is done or FLUSH_ROWS wait.
    let pending: Taken[] = [];
    let pendingRows = 0;
    let added = 0;
    const flush = (): void => {
      if (pending.length === 0) return;
      const batches = pending;
      pending = [];
      pendingRows = 0;
      added += this.commit(batches);
    };
    for (const r of recs) {
      const info = containers.get(r.containerName);
      // No container (yet, or any more): nothing to collect, and nothing is lost by waiting.
      if (!info) continue;
      try {
        const taken = await this.timed(
          () => this.readContainer(docker, r, info.Id, this.ttyOf(host.id)),
          `the log of ${r.containerName} on "${host.name}" did not arrive in time`,
        );
        if (taken === null) continue;
        pending.push(taken);
        pendingRows += taken.rows.length;
        if (pendingRows >= FLUSH_ROWS) flush();
      } catch (err) {
        fail(r, err);
      }
    }
    flush();
    this.forgetTty(host.id, containers);
    return added;
  }

  /** Writes the containers' rows and cursors in one transaction; tells of the pin reports taken. */
  private commit(batches: Taken[]): number {
    const collectedAt = new Date(this.clock()).toISOString();
    // Another process (the CLI beside the app) may have taken some lines meanwhile: then they are its.
    const taken = this.o.store.auditCalls.appendMany(batches, collectedAt);
    let added = 0;
    batches.forEach((batch, i) => {
      if (!taken[i]) return;
      added += batch.rows.length;
      if (batch.reports.length === 0) return;
      try {
        this.o.onPinReports?.(batch.serverId, batch.to.instance, batch.reports);
      } catch (err) {
        this.log(`pinning lines of ${batch.to.instance} not taken: ${messageOf(err)}`);
      }
    });
    return added;
  }

  /** Per host, its containers' Tty, known from an earlier collection (it never changes for one container). */
  private readonly ttyByHost = new Map<string, Map<string, boolean>>();

  private ttyOf(hostId: string): Map<string, boolean> {
    let known = this.ttyByHost.get(hostId);
    if (!known) this.ttyByHost.set(hostId, (known = new Map<string, boolean>()));
    return known;
  }

  /** Forgets the host's containers that its list no longer has. */
  private forgetTty(hostId: string, listed: Map<string, { Id: string }>): void {
    const ids = new Set([...listed.values()].map((c) => c.Id));
    const known = this.ttyOf(hostId);
    for (const id of known.keys()) if (!ids.has(id)) known.delete(id);
  }

  /** The container's lines after its cursor, parsed; null when there are none. */
  private async readContainer(
    docker: DockerHost,
    r: InstanceRecord,
    containerId: string,
    ttyById: Map<string, boolean>,
  ): Promise<Taken | null> {
    const { store } = this.o;
    const from = store.auditCalls.cursor(containerId);
    const server = store.servers.getById(r.serverId)?.name ?? r.serverId;
    let lastTs = from?.lastTs ?? '';
    let count = from?.sameTsCount ?? 0;
    let atFrom = 0;
    let seen = 0;
    const rows: AuditCallRow[] = [];
    const reports: PinReport[] = [];
    let tty = ttyById.get(containerId);
    if (tty === undefined) {
      const info = await docker.inspect(containerId);
      // Gone since the list: nothing to collect.
      if (!info) return null;
      tty = info.Config.Tty;
      ttyById.set(containerId, tty);
    }
    const options =
      from === null ? { timestamps: true, tty } : { timestamps: true, tty, since: sinceText(from.lastTs) };
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
    if (seen === 0) return null;
    const to: AuditCursor = { containerId, instance: r.containerName, lastTs, sameTsCount: count };
    return { from, to, rows, reports, serverId: r.serverId };
  }

  private timed<T>(fn: () => Promise<T>, message: string): Promise<T> {
    const ms = this.o.timeoutMs ?? 60_000;
    return withTimeout(fn, ms, () => new FleetError('unavailable', `${message} within ${ms / 1000} s`));
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
