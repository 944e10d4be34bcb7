/**
 * Instances: the containers that run servers. Listing reads the labels on every host that runs one and
 * compares them with the definitions, reporting drift; the lifecycle actions (logs, restart, stop,
 * remove) act on one container through the held connection.
 */
import type { InstanceTls } from '../tls/instance-tls';
import { FleetError } from '../../shared/errors';
import type { HostTargets } from '../host-ops/host-targets';
import { removeInstance, type HostTarget } from '../host-ops/instance-ops';
import type { DeployService } from '../deploy/deploy-service';
import type { LogOptions } from '../docker/docker-host';
import type { LogLine } from '../docker/log-stream';
import type { EventBus } from '../events';
import { LABELS } from '../instance-spec/constants';
import type { Store } from '../store/store';
import type { HostRecord, InstanceRecord, ServerRecord } from '../store/types';
import { readDrift, type InstanceView } from './drift';
import type { RuntimeImages } from '../deploy/runtime-images';
import {
  currentTaskContainer,
  inspectService,
  removeService,
  restartService,
  stopService,
} from '../host-ops/swarm-services';

export interface InstanceServiceDeps {
  store: Store;
  events: EventBus;
  actor: string;
  targets: HostTargets;
  deploy: DeployService;
  images: RuntimeImages;
  tls: InstanceTls;
  /** `ref@digest` a Swarm deploy ran a local runtime tag as, for drift (see ImagePusher.pinnedFor). */
  pushedImage?: (hostId: string, localTag: string) => string | null;
}

export interface InstanceRef {
  /** The container name. */
  name: string;
  /** Needed only when instances of that name run on several hosts. */
  host?: string | undefined;
}

interface Located {
  target: HostTarget;
  name: string;
  record: InstanceRecord | null;
  /** A Swarm service rather than a plain container. */
  swarm: boolean;
}

export class InstanceService {
  constructor(private readonly d: InstanceServiceDeps) {}

  /**
   * Every instance the store knows or a host runs, with its drift. Never throws for a host's faults:
   * its rows say `unknown` with the reason. Throws FleetError('not_found') for an unknown server filter.
   */
  async list(filter: { server?: string | undefined } = {}): Promise<InstanceView[]> {
    const { store } = this.d;
    const servers = store.servers
      .list()
      .filter((s) => filter.server === undefined || s.name === filter.server);
    if (filter.server !== undefined && servers.length === 0) {
      throw new FleetError('not_found', `no server named "${filter.server}"`);
    }
    // Each host is compared with the servers deployed to it; another host record may name the same
    // machine, and its servers' containers are that record's business.
    const hosts = new Map<string, { host: HostRecord; servers: ServerRecord[] }>();
    for (const server of servers) {
      for (const host of this.d.deploy.hostsOf(server)) {
        const entry = hosts.get(host.id) ?? { host, servers: [] };
        entry.servers.push(server);
        hosts.set(host.id, entry);
      }
    }
    const known = new Set(this.d.store.servers.list().map((s) => s.name));
    const rows = await Promise.all(
      [...hosts.values()].map((h) =>
        readDrift({ ...this.d, ...h, reportUnknown: filter.server === undefined, known }),
      ),
    );
    return rows.flat().sort((a, b) => (a.server + a.name < b.server + b.name ? -1 : 1));
  }

  /** The last `tail` lines of the container's log. */
  async tail(ref: InstanceRef, tail: number): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    for await (const line of this.logs(ref, { tail })) lines.push(line);
    return lines;
  }

  /** The container's log lines; with `follow`, until the container stops or the caller stops reading. */
  async *logs(ref: InstanceRef, options: LogOptions = {}): AsyncGenerator<LogLine> {
    const { target, name, swarm } = await this.locate(ref);
    if (!swarm) {
      yield* target.docker.logs(name, options);
      return;
    }
    // A Swarm instance's log is its current task's (a stopped service has none to show).
    const task = await currentTaskContainer(target.docker, name);
    if (task === null) throw new FleetError('not_found', `the Swarm service ${name} has no running task`);
    yield* target.docker.logs(task, options);
  }

  /** Throws FleetError: not_found, the SSH and Docker errors. */
  async restart(ref: InstanceRef): Promise<void> {
    await this.act(ref, 'instances.restart', async ({ target, name, record, swarm }) => {
      await (swarm ? restartService(target.docker, name) : target.docker.restart(name));
      if (record) this.d.store.instances.setStatus(record.id, 'running');
    });
  }

  async stop(ref: InstanceRef): Promise<void> {
    await this.act(ref, 'instances.stop', async ({ target, name, record, swarm }) => {
      await (swarm ? stopService(target.docker, name) : target.docker.stop(name));
      if (record) this.d.store.instances.setStatus(record.id, 'stopped');
    });
  }

  /** Removes the container, its files and its state volume; a later deploy makes it anew. */
  async remove(ref: InstanceRef): Promise<void> {
    await this.act(ref, 'instances.remove', async ({ target, name, record, swarm }) => {
      if (swarm) {
        await removeService(target.docker, { id: name, instance: name }, true);
        if (record) this.d.store.instances.remove(record.id);
        return;
      }
      const info = await target.docker.inspect(name);
      const instance = info?.Config.Labels?.[LABELS.instance] ?? name;
      await removeInstance(target, { id: name, instance }, true);
      if (record) this.d.store.instances.remove(record.id);
    });
  }

  private async act(ref: InstanceRef, action: string, fn: (found: Located) => Promise<void>): Promise<void> {
    const found = await this.locate(ref);
    const audit = (outcome: 'ok' | 'failed', detail: string): void => {
      this.d.store.audit.append({
        actor: this.d.actor,
        action,
        target: `${found.name}@${found.target.hostName}`,
        outcome,
        detail,
      });
    };
    try {
      await fn(found);
    } catch (err) {
      audit('failed', err instanceof FleetError ? err.message : 'unexpected error');
      throw err;
    }
    audit('ok', '');
    this.d.events.emit('store:changed', { domain: 'instances' });
  }

  /** Finds the instance by container name among the store's records, then on the hosts they name. */
  private async locate(ref: InstanceRef): Promise<Located> {
    const { store } = this.d;
    const host = ref.host === undefined ? null : this.d.targets.host(ref.host);
    const records = store.instances
      .list()
      .filter((i) => i.containerName === ref.name && (host === null || i.hostId === host.id));
    if (records.length > 1) {
      const names = records.map((r) => store.hosts.getById(r.hostId)?.name ?? r.hostId).join(', ');
      throw new FleetError(
        'invalid_input',
        `${ref.name} runs on several hosts (${names}): say which with --host`,
      );
    }
    const record = records[0] ?? null;
    const hostRecord = record ? store.hosts.getById(record.hostId) : host;
    if (!hostRecord) {
      throw new FleetError(
        'not_found',
        `no instance named "${ref.name}"${host ? ` on ${host.name}` : ''}: see \`mcp-fleet instances list\``,
      );
    }
    const target = await this.d.targets.target(hostRecord);
    // A container of that name is a plain instance; else a Swarm service of that name (deploy --swarm).
    if (await target.docker.inspect(ref.name)) return { target, name: ref.name, record, swarm: false };
    if (await inspectService(target.docker, ref.name)) return { target, name: ref.name, record, swarm: true };
    if (!record) throw new FleetError('not_found', `no instance named "${ref.name}" on ${hostRecord.name}`);
    return { target, name: ref.name, record, swarm: false };
  }
}
