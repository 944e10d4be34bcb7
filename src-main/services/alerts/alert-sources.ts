/**
 * Where alerts come from: the health monitor's `health:changed` (a change to unhealthy or unknown, which
 * the monitor makes only after its own failure threshold; the restarts it counts), the instances'
 * certificates in the store, and the deploys' outcomes. The pin service raises `tool_quarantined`
 * itself through AlertService.raise.
 */
import { X509Certificate } from 'node:crypto';
import type { EventPayload, InstanceHealth } from '../../shared/contract';
import type { EventBus } from '../events';
import type { Store } from '../store/store';
import type { RaiseInput } from './alert-service';

export interface AlertSourcesOptions {
  alerts: { raise(input: RaiseInput): unknown; prune(): number };
  events: EventBus;
  store: Store;
  /** The monitor's view of every instance (HealthMonitor.summary().instances). */
  instances: () => InstanceHealth[];
  /** A restart storm: this many restarts (of the container or its server process) ... */
  stormRestarts?: number;
  /** ... within this window. */
  stormWindowMs?: number;
  /** A certificate that ends within this many days is announced (once a day). */
  certificateDays?: number;
  /** How often certificates are looked at. */
  certificateCheckMs?: number;
  clock?: () => number;
}

export interface DeployFinished {
  server: string;
  host: string;
  outcome: 'ok' | 'failed';
  detail: string;
}

const DAY_MS = 24 * 60 * 60_000;

interface RestartSeen {
  container: number | null;
  child: number | null;
  /** When each restart was first seen (epoch ms). */
  at: number[];
}

export class AlertSources {
  private readonly clock: () => number;
  private readonly restarts = new Map<string, RestartSeen>();
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: AlertSourcesOptions) {
    this.clock = o.clock ?? Date.now;
  }

  /** Follows health changes and looks at certificates now and then every certificateCheckMs. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.o.events.subscribe((event, payload) => {
      if (event === 'health:changed') this.healthChanged(payload as EventPayload<'health:changed'>);
    });
    const check = (): void => {
      this.checkCertificates();
      this.o.alerts.prune();
    };
    check();
    this.timer = setInterval(check, this.o.certificateCheckMs ?? 60 * 60_000);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A deploy ended (DeployService.onFinished): a failure is an alert. */
  deployFinished(run: DeployFinished): void {
    if (run.outcome !== 'failed') return;
    this.o.alerts.raise({
      kind: 'deploy_failed',
      severity: 'critical',
      subject: `deploy of ${run.server} on ${run.host}`,
      message: run.detail,
      dedupKey: `deploy_failed:${run.server}@${run.host}`,
    });
  }

  /** Raises an alert for each instance certificate (and the fleet CA) ending within certificateDays; returns how many. */
  checkCertificates(): number {
    const { store } = this.o;
    const now = this.clock();
    const limit = now + (this.o.certificateDays ?? 14) * DAY_MS;
    const hosts = new Map(store.hosts.list().map((h) => [h.id, h.name]));
    const servers = new Map(store.servers.list().map((s) => [s.id, s.name]));
    let raised = 0;
    const announce = (subject: string, notAfter: number, key: string): void => {
      const ended = notAfter <= now;
      const days = Math.max(0, Math.floor((notAfter - now) / DAY_MS));
      this.o.alerts.raise({
        kind: 'certificate_expiring',
        severity: ended || days < 3 ? 'critical' : 'warning',
        subject,
        message: ended
          ? `its certificate expired on ${iso(notAfter)}; clients refuse it. Deploy again to renew a fleet certificate, or give a new one with --tls-cert`
          : `its certificate ends on ${iso(notAfter)} (in ${days} day${days === 1 ? '' : 's'}). Deploy again to renew a fleet certificate, or give a new one with --tls-cert`,
        dedupKey: `certificate:${key}`,
        repeatAfterMs: DAY_MS,
      });
      raised += 1;
    };
    for (const instance of store.instances.list()) {
      const leaf = store.tls.leaf(instance.hostId, instance.containerName);
      if (!leaf) continue;
      const notAfter = Date.parse(leaf.notAfter);
      if (!(notAfter < limit)) continue;
      const where = `${servers.get(instance.serverId) ?? instance.serverId} (${instance.containerName}) on ${hosts.get(instance.hostId) ?? instance.hostId}`;
      announce(where, notAfter, `${instance.hostId}:${instance.containerName}:${leaf.fingerprint256}`);
    }
    const ca = store.tls.ca();
    if (ca) {
      const cert = new X509Certificate(ca.certPem);
      const notAfter = cert.validToDate.getTime();
      if (notAfter < limit) announce('the fleet CA', notAfter, `ca:${cert.fingerprint256}`);
    }
    return raised;
  }

  private healthChanged(payload: EventPayload<'health:changed'>): void {
    const views = this.o.instances();
    const byId = new Map(views.map((v) => [v.instanceId, v]));
    for (const change of payload.changed) {
      if (change.state !== 'unhealthy' && change.state !== 'unknown') continue;
      // Stopped on purpose (`instances stop`) reads unknown and is nothing to report.
      if (
        change.state === 'unknown' &&
        this.o.store.instances.getById(change.instanceId)?.status === 'stopped'
      ) {
        continue;
      }
      const view = byId.get(change.instanceId);
      this.o.alerts.raise({
        kind: change.state === 'unhealthy' ? 'instance_unhealthy' : 'instance_unknown',
        severity: change.state === 'unhealthy' ? 'critical' : 'warning',
        subject: view ? describe(view) : `instance ${change.instanceId}`,
        message: `${change.previous ?? 'not checked'} → ${change.state}: ${change.reason}`,
        dedupKey: `health:${change.instanceId}:${change.state}`,
      });
    }
    this.countRestarts(views);
  }

  /** Restarts seen since the last sweep, from the counts the monitor reads (inspect and the bridge's /status). */
  private countRestarts(views: InstanceHealth[]): void {
    const now = this.clock();
    const windowMs = this.o.stormWindowMs ?? 10 * 60_000;
    const threshold = this.o.stormRestarts ?? 5;
    const seen = new Set<string>();
    for (const view of views) {
      seen.add(view.instanceId);
      const { container, child } = view.restarts;
      const before = this.restarts.get(view.instanceId);
      const entry: RestartSeen = { container, child, at: before?.at ?? [] };
      if (before) {
        // A count that went down started again (a new container; a bridge restarted with its child).
        const made =
          grown(before.container, container) +
          (child !== null && before.child !== null && child < before.child
            ? child
            : grown(before.child, child));
        for (let i = 0; i < made; i++) entry.at.push(now);
      }
      entry.at = entry.at.filter((at) => at > now - windowMs);
      this.restarts.set(view.instanceId, entry);
      if (entry.at.length >= threshold) {
        this.o.alerts.raise({
          kind: 'restart_storm',
          severity: 'critical',
          subject: describe(view),
          message: `${entry.at.length} restarts within ${Math.round(windowMs / 60_000)} minutes (container restarts ${container ?? '?'}, server process restarts ${child ?? '?'}); ${view.reason}`,
          dedupKey: `restart_storm:${view.instanceId}`,
          repeatAfterMs: windowMs,
        });
      }
    }
    for (const id of [...this.restarts.keys()]) if (!seen.has(id)) this.restarts.delete(id);
  }
}

function grown(before: number | null, now: number | null): number {
  return before === null || now === null ? 0 : Math.max(0, now - before);
}

function describe(view: InstanceHealth): string {
  return `${view.member === null ? view.server : `${view.server}/${view.member}`} on ${view.host}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
