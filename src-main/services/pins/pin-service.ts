/**
 * Tool pinning, the app's side (issue 14). The bridges report what their server offers (pin-line.ts,
 * through the audit collection of their logs); this service keeps the approved definitions in the
 * store and the approved-set file on each host, and tells the bridges to read it again (SIGHUP) when it
 * changes, which never restarts a server.
 *
 * - First green deploy: before a first set is recorded, a server's bridges serve what they list and
 *   report each entry with its definition (auto-approved); when one says it has read every list
 *   (`definitions_surveyed`), what was reported is the first set, and it is pushed. A deploy waits for
 *   that (afterDeploy), so the set exists when the deploy returns.
 * - Later: a definition that changed, or a new one, is reported quarantined; it is kept beside the
 *   approved one (for the diff) and raises a `tool_quarantined` alert once per definition.
 * - `approve` pins the newest reported definition of each named entry (or of all) and pushes.
 * - With auto-approval on, new entries a bridge served are pinned as reported; changed ones never.
 */
import { FleetError } from '../../shared/errors';
import type {
  PinEntryView,
  PinsApproveInput,
  PinsChanged,
  PinsPushOutcome,
  PinsView,
} from '../../shared/contract';
import type { PinKind } from '../../shared/tool-pins';
import type { EventBus } from '../events';
import type { HostTarget } from '../host-ops/instance-ops';
import { mapDockerError } from '../docker/docker-errors';
import { APPROVED_FILE_NAME, PINS_DIR_NAME } from '../instance-spec/constants';
import { instanceConfigDir } from '../instance-spec/names';
import type { RaiseInput } from '../alerts/alert-service';
import type { Store } from '../store/store';
import type { HostRecord, ServerRecord } from '../store/types';
import { approvedFileContent } from './approved-file';
import type { PinReport } from './pin-line';

const NOUN: Readonly<Record<PinKind, string>> = {
  tools: 'tool',
  prompts: 'prompt',
  resourceTemplates: 'resource template',
};

export interface PinServiceDeps {
  store: Store;
  events: EventBus;
  actor: string;
  targets: { target(host: HostRecord): Promise<HostTarget> };
  /** Takes every instance's new log lines now (the audit collector, which hands the pin lines here). */
  collect: () => Promise<unknown>;
  /** Raises an alert (the alert service); absent in processes without one. */
  raise?: (input: RaiseInput) => unknown;
  log?: (line: string) => void;
  clock?: () => number;
  /** How long a deploy waits for its bridges' first report; default 20 s. */
  surveyWaitMs?: number;
}

export class PinService {
  private readonly pushes = new Map<string, Promise<PinsPushOutcome[]>>();
  private readonly log: (line: string) => void;
  private readonly clock: () => number;

  constructor(private readonly d: PinServiceDeps) {
    this.log = d.log ?? ((line) => console.warn(line));
    this.clock = d.clock ?? Date.now;
  }

  /** The collector's hook: the pinning lines of one instance's new stretch of log. */
  observe(serverId: string, instance: string, reports: readonly PinReport[]): void {
    const { store } = this.d;
    const server = store.servers.getById(serverId);
    if (!server) return;
    let changed = false;
    const alerts: RaiseInput[] = [];
    store.transaction(() => {
      for (const report of reports) {
        const state = store.pins.state(serverId);
        if (report.what === 'surveyed') {
          if (state.recordedAt === null) {
            store.pins.markRecorded(serverId);
            store.audit.append({
              actor: this.d.actor,
              action: 'pins.record',
              target: server.name,
              outcome: 'ok',
              detail: `first approved set from ${instance}: ${store.pins.pins(serverId).length} definition(s)`,
            });
            changed = true;
          }
          continue;
        }
        const pin = store.pins.pin(serverId, report.kind, report.name);
        if (pin?.hash === report.hash) continue;
        const definition = {
          kind: report.kind,
          name: report.name,
          hash: report.hash,
          definition: report.definition,
        };
        if (report.what === 'auto_approved' && pin === null && report.definition !== null) {
          // Before the first set, everything served is the first set; later only with auto-approval.
          if (state.recordedAt === null || state.autoApproveNew) {
            store.pins.approve(serverId, definition);
            if (state.recordedAt !== null) {
              store.audit.append({
                actor: 'auto-approval',
                action: 'pins.approve',
                target: `${server.name}/${report.name}`,
                outcome: 'ok',
                detail: `new ${NOUN[report.kind]} ${report.hash.slice(0, 12)} from ${instance}`,
              });
            }
            changed = true;
            continue;
          }
        }
        if (store.pins.saw(serverId, definition)) {
          const why = pin === null ? 'is new' : 'changed its definition';
          alerts.push({
            kind: 'tool_quarantined',
            severity: 'warning',
            subject: `server ${server.name}`,
            message:
              `${NOUN[report.kind]} ${JSON.stringify(report.name.slice(0, 120))} ${why} and is quarantined ` +
              `on ${instance}: no member is served it until it is approved ` +
              `(mcp-fleet tools list ${server.name}; tools approve ${server.name} ${report.name.slice(0, 120)}).`,
            dedupKey: `tool_quarantined:${server.name}:${report.kind}:${report.name}:${report.hash}`,
          });
          changed = true;
        }
      }
    });
    for (const alert of alerts) {
      try {
        this.d.raise?.(alert);
      } catch (err) {
        this.log(`alert not raised: ${messageOf(err)}`);
      }
    }
    if (!changed) return;
    this.d.events.emit('store:changed', { domain: 'servers' });
    // A first set, or an auto-approved entry: every bridge of the server serves from the new file.
    void this.push(server.name).catch((err: unknown) =>
      this.log(`pins of ${server.name}: ${messageOf(err)}`),
    );
  }

  /**
   * After a deploy tested instances green: when the server has no first set yet, waits (bounded) for
   * its bridges' survey to be collected and the set recorded and pushed, so a first deploy returns with
   * it. Later deploys do not wait: what changed reaches the store at the next collection. Never throws.
   */
  async afterDeploy(serverName: string): Promise<void> {
    const server = this.d.store.servers.getByName(serverName);
    if (!server || this.d.store.pins.state(server.id).recordedAt !== null) return;
    const deadline = this.clock() + (this.d.surveyWaitMs ?? 20_000);
    try {
      for (;;) {
        await this.d.collect();
        if (this.d.store.pins.state(server.id).recordedAt !== null) break;
        if (this.clock() > deadline) {
          this.log(`pins of ${serverName}: no survey collected yet; recorded at a later collection`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await this.pushes.get(serverName);
    } catch (err) {
      this.log(`pins of ${serverName}: ${messageOf(err)}`);
    }
  }

  /** The server's pinned definitions and the quarantined ones. Throws not_found. */
  list(serverName: string): PinsView {
    const server = this.server(serverName);
    const { store } = this.d;
    const state = store.pins.state(server.id);
    const byKey = new Map<string, PinEntryView>();
    const key = (kind: PinKind, name: string) => `${kind}\n${name}`;
    for (const pin of store.pins.pins(server.id)) {
      byKey.set(key(pin.kind, pin.name), {
        kind: pin.kind,
        name: pin.name,
        status: 'approved',
        approved: { hash: pin.hash, definition: pin.definition, at: pin.at },
        quarantined: null,
      });
    }
    for (const seen of store.pins.seen(server.id)) {
      const k = key(seen.kind, seen.name);
      const entry = byKey.get(k);
      // seen() is newest first per key: the first one met is the one shown.
      if (entry?.quarantined) continue;
      const quarantined = { hash: seen.hash, definition: seen.definition, at: seen.at };
      if (entry) byKey.set(k, { ...entry, status: 'changed', quarantined });
      else byKey.set(k, { kind: seen.kind, name: seen.name, status: 'new', approved: null, quarantined });
    }
    const order: Record<PinKind, number> = { tools: 0, prompts: 1, resourceTemplates: 2 };
    const entries = [...byKey.values()].sort(
      (a, b) => order[a.kind] - order[b.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    return {
      server: server.name,
      recordedAt: state.recordedAt,
      autoApproveNew: state.autoApproveNew,
      entries,
    };
  }

  /**
   * Approves the newest quarantined definition of each named entry (all of them when no name is
   * given) and pushes the set. Throws not_found, invalid_input (a name with nothing quarantined: names
   * it; nothing is approved then).
   */
  async approve(input: PinsApproveInput): Promise<PinsChanged> {
    const server = this.server(input.server);
    const names = input.names ?? [];
    const quarantined = this.list(server.name).entries.filter(
      (e) => e.quarantined !== null && (input.kind === undefined || e.kind === input.kind),
    );
    const chosen = names.length === 0 ? quarantined : quarantined.filter((e) => names.includes(e.name));
    const missing = names.filter((n) => !chosen.some((e) => e.name === n));
    if (missing.length > 0) {
      throw new FleetError(
        'invalid_input',
        `nothing quarantined is named ${missing.map((n) => JSON.stringify(n.slice(0, 120))).join(', ')} on server "${server.name}"; see mcp-fleet tools list ${server.name}`,
      );
    }
    const { store } = this.d;
    store.transaction(() => {
      for (const e of chosen) {
        const q = e.quarantined;
        if (q === null) continue;
        store.pins.approve(server.id, { kind: e.kind, name: e.name, hash: q.hash, definition: q.definition });
        store.audit.append({
          actor: this.d.actor,
          action: 'pins.approve',
          target: `${server.name}/${e.name}`,
          outcome: 'ok',
          detail: `${NOUN[e.kind]} ${e.status} → ${q.hash.slice(0, 12)}`,
        });
      }
      // Approving before the first survey arrived makes what is approved the first set.
      if (chosen.length > 0) store.pins.markRecorded(server.id);
    });
    if (chosen.length > 0) this.d.events.emit('store:changed', { domain: 'servers' });
    const pushed = chosen.length > 0 ? await this.push(server.name) : [];
    return {
      pins: this.list(server.name),
      approved: chosen.map((e) => ({ kind: e.kind, name: e.name })),
      pushed,
    };
  }

  /** Turns auto-approval of new definitions on or off and pushes the set. Throws not_found. */
  async setAutoApprove(serverName: string, on: boolean): Promise<PinsChanged> {
    const server = this.server(serverName);
    const { store } = this.d;
    store.transaction(() => {
      store.pins.setAutoApproveNew(server.id, on);
      store.audit.append({
        actor: this.d.actor,
        action: 'pins.auto-approve',
        target: server.name,
        outcome: 'ok',
        detail: on ? 'new definitions approved automatically' : 'new definitions quarantined',
      });
    });
    this.d.events.emit('store:changed', { domain: 'servers' });
    return { pins: this.list(server.name), approved: [], pushed: await this.push(server.name) };
  }

  /**
   * Writes the server's approved set beside every instance that serves with one and tells its bridge
   * to read it (SIGHUP). An instance deployed before pinning (no --approved) is skipped: a deploy
   * replaces it. One push per server at a time; a push asked for meanwhile runs after it.
   */
  push(serverName: string): Promise<PinsPushOutcome[]> {
    const previous = this.pushes.get(serverName) ?? Promise.resolve([]);
    const next = previous.catch(() => []).then(() => this.pushNow(serverName));
    this.pushes.set(serverName, next);
    void next
      .finally(() => {
        if (this.pushes.get(serverName) === next) this.pushes.delete(serverName);
      })
      .catch(() => undefined);
    return next;
  }

  private async pushNow(serverName: string): Promise<PinsPushOutcome[]> {
    const server = this.server(serverName);
    const { store } = this.d;
    const content = approvedFileContent(store, server.id);
    const outcomes: PinsPushOutcome[] = [];
    const byHost = new Map<string, string[]>();
    for (const r of store.instances.listByServer(server.id)) {
      byHost.set(r.hostId, [...(byHost.get(r.hostId) ?? []), r.containerName]);
    }
    for (const [hostId, names] of byHost) {
      const host = store.hosts.getById(hostId);
      if (!host) continue;
      let target: HostTarget;
      try {
        target = await this.d.targets.target(host);
      } catch (err) {
        for (const instance of names)
          outcomes.push({ instance, host: host.name, outcome: 'failed', detail: messageOf(err) });
        continue;
      }
      for (const instance of names) {
        outcomes.push({ instance, host: host.name, ...(await this.pushTo(target, instance, content)) });
      }
    }
    return outcomes;
  }

  private async pushTo(
    target: HostTarget,
    instance: string,
    content: string,
  ): Promise<{ outcome: PinsPushOutcome['outcome']; detail: string }> {
    try {
      const info = await target.docker.inspect(instance);
      if (info === null) return { outcome: 'skipped', detail: 'no container (deploy to make it)' };
      if (!(info.Config.Cmd ?? []).includes('--approved')) {
        return { outcome: 'skipped', detail: 'deployed without pinning (Swarm, or before it): deploy again' };
      }
      const dir = `${instanceConfigDir(target.home, instance)}/${PINS_DIR_NAME}`;
      await target.files.writePublic(dir, { hostPath: `${dir}/${APPROVED_FILE_NAME}`, content });
      if (!info.State.Running) return { outcome: 'pushed', detail: 'written; read when it starts' };
      await target.docker.docker
        .getContainer(info.Id)
        .kill({ signal: 'SIGHUP' })
        .catch((err: unknown) => {
          throw mapDockerError(err, target.docker.where, `container ${instance}`);
        });
      return { outcome: 'pushed', detail: 'written; the bridge was told to read it' };
    } catch (err) {
      return { outcome: 'failed', detail: messageOf(err) };
    }
  }

  private server(name: string): ServerRecord {
    const server = this.d.store.servers.getByName(name);
    if (!server) throw new FleetError('not_found', `no server named "${name}"`);
    return server;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
