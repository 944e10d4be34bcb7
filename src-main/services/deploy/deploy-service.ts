/**
 * Deploy: brings a host to exactly what a server's definition wants. It reads the labels of the
 * server's containers on the host, plans (create missing, replace changed or stopped, remove extra),
 * and acts; so running it twice changes nothing, and running it after a cut-off one finishes the job.
 * Every run is a deploy-history row and an audit entry, whatever the outcome.
 */
import { FleetError } from '../../shared/errors';
import type { EventBus } from '../events';
import { withFileLock, type FileLocks } from '../host-ops/file-lock';
import { LABELS } from '../instance-spec/constants';
import type { ServerDeployOptions } from '../store/deploy-state-repository';
import type { Store } from '../store/store';
import type { HostRecord, ServerRecord } from '../store/types';
import { ownCertificateInfo } from '../tls/fleet-ca';
import { assertTlsName, type InstanceTls } from '../tls/instance-tls';
import type { TlsMaterial } from '../instance-spec/types';
import { desiredNames, plannedInstances, type MemberWithState } from './desired-state';
import { checkReach, makeReachVolumes } from './reach-check';
import type { HostTargets } from '../host-ops/host-targets';
import type { HostTarget, PlannedInstance } from '../host-ops/instance-ops';
import { removePrepareLeftovers } from '../host-ops/prepare-run';
import { DEFAULT_PORT_RANGE, PortPicker, assignPorts } from '../host-ops/ports';
import { observeAll, planReconcile, type Step } from '../host-ops/reconcile';
import type { RuntimeImages } from './runtime-images';
import type { ImagePusher } from './image-push';
import { executeSteps, recordOutcomes } from '../host-ops/run-steps';
import { approvedFileContent } from '../pins/approved-file';
import { swarmOps } from '../host-ops/swarm-ops';
import { observedFor, swarmManager } from '../host-ops/swarm-services';
import type { DeployOptions, DeployResult, InstanceOutcome, RunOptions } from './types';

export interface DeployServiceDeps {
  store: Store;
  events: EventBus;
  actor: string;
  targets: HostTargets;
  images: RuntimeImages;
  portRange?: [number, number];
  /** Instances made at once in a (non-rolling) deploy. */
  concurrency?: number;
  /** Locks shared with other processes on this machine (the app and the CLI); none in some tests. */
  locks?: FileLocks;
  /** The certificate each instance serves (fleet CA leaf, the operator's own, or none). */
  tls: InstanceTls;
  /** With a push-registry set, a Swarm deploy pushes the image first and names it by digest. */
  pusher?: ImagePusher;
}

/** An instance whose connection test passed in a deploy: what the health monitor is handed. */
export interface TestedInstance {
  hostId: string;
  containerName: string;
  /** Epoch ms the test passed. */
  at: number;
  /** How long initialize + tools/list took, ms. */
  elapsedMs: number;
}

/** A deploy's recorded outcome: what the alerts are told. */
export interface FinishedDeploy {
  server: string;
  host: string;
  outcome: 'ok' | 'failed';
  detail: string;
}

export class DeployService {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly testedListeners = new Set<(tested: TestedInstance[]) => void | Promise<void>>();
  private readonly finishedListeners = new Set<(run: FinishedDeploy) => void>();

  constructor(private readonly d: DeployServiceDeps) {}

  /**
   * Deploys `serverName` on `hostName`. Throws FleetError: not_found, invalid_input (a definition
   * that cannot run), conflict (port taken), the SSH and Docker errors, unavailable (image build,
   * connection test; the message says which instance and why). Failures are recorded before throwing.
   */
  deploy(
    serverName: string,
    hostName: string,
    options: DeployOptions = {},
    run: RunOptions = {},
  ): Promise<DeployResult> {
    const server = this.server(serverName);
    const host = this.d.targets.host(hostName);
    return this.locked(server.id, () => this.deployLocked(server, host, options, run), run.onProgress);
  }

  /**
   * Hears of every instance a deploy tested green (the health monitor, the pin service); returns the
   * unsubscribe. A listener's promise is waited for (its failure ignored) before the deploy returns.
   */
  onTested(listener: (tested: TestedInstance[]) => void | Promise<void>): () => void {
    this.testedListeners.add(listener);
    return () => this.testedListeners.delete(listener);
  }

  /** Hears of every deploy's outcome once it is recorded (the alerts); returns the unsubscribe. */
  onFinished(listener: (run: FinishedDeploy) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  /** Deploys the server again on every host that runs it (after members or tokens changed). */
  async redeploy(serverName: string, run: RunOptions = {}): Promise<DeployResult[]> {
    const results: DeployResult[] = [];
    for (const host of this.hostsOf(this.server(serverName))) {
      results.push(await this.deploy(serverName, host.name, {}, run));
    }
    return results;
  }

  /** `servers update`: a rolling redeploy, one instance at a time, stopping at the first failure. */
  update(serverName: string, onProgress?: (line: string) => void): Promise<DeployResult[]> {
    return this.redeploy(serverName, { rolling: true, ...(onProgress ? { onProgress } : {}) });
  }

  /** Hosts the server has instances on, else the host of its last successful deploy. */
  hostsOf(server: ServerRecord): HostRecord[] {
    const ids = new Set(this.d.store.instances.listByServer(server.id).map((i) => i.hostId));
    if (ids.size === 0) {
      const last = this.d.store.deploys.list({ serverId: server.id }).find((r) => r.outcome === 'ok');
      if (last?.hostId) ids.add(last.hostId);
    }
    return [...ids].flatMap((id) => {
      const host = this.d.store.hosts.getById(id);
      return host ? [host] : [];
    });
  }

  /**
   * Runs fn while no other deploy of the same server runs in this process or in another one on this
   * machine (the app and the CLI share the data folder); `onWait` hears when it has to wait for one.
   */
  locked<T>(serverId: string, fn: () => Promise<T>, onWait?: (line: string) => void): Promise<T> {
    const previous = this.locks.get(serverId) ?? Promise.resolve();
    const what = `a deploy of ${this.d.store.servers.getById(serverId)?.name ?? serverId}`;
    const guarded = (): Promise<T> => withFileLock(this.d.locks, `server-${serverId}`, what, fn, onWait);
    const next = previous.then(guarded, guarded);
    const settled = next.catch(() => undefined);
    this.locks.set(serverId, settled);
    void settled.then(() => {
      if (this.locks.get(serverId) === settled) this.locks.delete(serverId);
    });
    return next;
  }

  private async deployLocked(
    server: ServerRecord,
    host: HostRecord,
    given: DeployOptions,
    run: RunOptions,
  ): Promise<DeployResult> {
    const { store } = this.d;
    const progress = run.onProgress ?? (() => {});
    const options = this.saveOptions(server, given);
    const record = store.deploys.start({ serverId: server.id, hostId: host.id, detail: `on ${host.name}` });
    const fail = (err: unknown): never => {
      const message = err instanceof FleetError ? err.message : 'unexpected error; see the log for details';
      this.finish(record.id, server, host, 'failed', message);
      throw err;
    };
    let target: HostTarget;
    let image: Awaited<ReturnType<RuntimeImages['ensure']>>;
    let steps: Step<PlannedInstance>[];
    let nodeId: string | null;
    try {
      progress(`connecting to ${host.name}`);
      target = await this.d.targets.target(host);
      const members = this.members(server);
      // A Shared server whose last member left serves nobody: its instance goes (with the tokens it holds).
      const undeploy = server.mode === 'shared' && members.length === 0 && run.removeIfNoMembers === true;
      // Before anything is made on the host (the image included): its mount sources and networks.
      if (!undeploy) {
        await checkReach({
          server,
          host,
          docker: target.docker,
          ssh: this.d.targets.sessions,
          swarm: options.swarm === true,
        });
      }
      // The target, not only its engine: the host's own settings (base image, registries) apply.
      image = await this.d.images.ensure(target, this.server(server.name), progress);
      // Swarm with a push-registry: every node pulls the same bytes, named by digest.
      const pusher = this.d.pusher;
      if (!undeploy && options.swarm === true && pusher && pusher.registryFor(host.id) !== null) {
        // Refused before anything goes to the registry when the host cannot take services anyway.
        await swarmManager(target.docker);
        const pushed = await pusher.push(target.docker, host.id, image.tag, progress);
        image = { ...image, tag: pushed.pinned };
      }
      const portOf = await assignPorts(
        {
          store: this.d.store,
          picker: new PortPicker(
            this.d.store,
            this.d.targets.sessions,
            host,
            target,
            this.d.portRange ?? DEFAULT_PORT_RANGE,
          ),
        },
        server,
        members,
        given.port,
      );
      const tls = new Map<string, TlsMaterial | null>();
      if (!undeploy) {
        for (const name of desiredNames(
          server,
          members.map((m) => m.record),
        )) {
          tls.set(name, await this.d.tls.forDeploy(host, name, options));
        }
      }
      const planned = undeploy
        ? []
        : plannedInstances({
            server: this.server(server.name),
            members,
            image,
            home: target.home,
            portOf,
            options,
            tlsOf: (name) => tls.get(name) ?? null,
            // Swarm services read their files as Docker secrets, which cannot change in place: unpinned.
            ...(options.swarm === true ? {} : { approved: approvedFileContent(this.d.store, server.id) }),
          });
      const containers = observeAll(await target.docker.listByLabel({ [LABELS.server]: server.name }));
      const names = [
        ...planned.map((p) => p.name),
        ...containers.flatMap((o) => (o.instance ? [o.instance] : [])),
      ];
      await removePrepareLeftovers(target.docker, names);
      const kind = await observedFor(
        target.docker,
        server.name,
        host.name,
        containers,
        options.swarm === true,
      );
      nodeId = kind.nodeId;
      steps = planReconcile(planned, kind.observed);
      await makeReachVolumes(target.docker, steps, nodeId !== null);
    } catch (err) {
      return fail(err);
    }
    const outcomes = await executeSteps(target, steps, {
      ...(nodeId !== null ? { ops: swarmOps(nodeId) } : {}),
      progress,
      rolling: run.rolling ?? false,
      concurrency: this.d.concurrency ?? 8,
      tools: (name) => this.recordedTools(host.id, name),
    });
    const hashes = new Map(
      steps.flatMap((s) => (s.kind === 'remove' ? [] : [[s.desired.name, s.desired.configHash] as const])),
    );
    recordOutcomes(store, server, host, outcomes, hashes);
    this.d.events.emit('store:changed', { domain: 'instances' });
    const tested = outcomes.flatMap((o) =>
      o.tested ? [{ hostId: host.id, containerName: o.name, ...o.tested }] : [],
    );
    if (tested.length > 0) {
      await Promise.allSettled(
        [...this.testedListeners].map(async (listener) => {
          await listener(tested);
        }),
      );
    }
    const failed = outcomes.filter((o) => o.action === 'failed');
    const summary = outcomes.map((o) => `${o.name} ${o.action}`).join(', ') || 'no instances';
    const result: DeployResult = {
      deployId: record.id,
      server: server.name,
      host: host.name,
      image: image.tag,
      imageBuilt: image.built,
      instances: outcomes,
      changed: image.built || outcomes.some((o) => o.action !== 'unchanged'),
    };
    if (failed.length > 0) {
      const first = failed[0] as InstanceOutcome;
      const skipped = outcomes.filter((o) => o.action === 'skipped').length;
      return fail(
        new FleetError(
          first.errorCode ?? 'unavailable',
          `deploy of ${server.name} on ${host.name}: ${failed.length} of ${outcomes.length} instance(s) failed` +
            `${skipped > 0 ? ` (${skipped} left on the previous version)` : ''}: ${first.error ?? first.name}`,
        ),
      );
    }
    this.finish(
      record.id,
      server,
      host,
      'ok',
      `image ${image.tag}${image.built ? ' (built)' : ''}; ${summary}`,
    );
    return result;
  }

  private finish(
    id: string,
    server: ServerRecord,
    host: HostRecord,
    outcome: 'ok' | 'failed',
    detail: string,
  ): void {
    this.d.store.transaction(() => {
      this.d.store.deploys.finish(id, outcome, detail);
      this.d.store.audit.append({
        actor: this.d.actor,
        action: 'deploy.run',
        target: `${server.name}@${host.name}`,
        outcome,
        detail,
      });
    });
    const run = { server: server.name, host: host.name, outcome, detail };
    for (const listener of this.finishedListeners) {
      try {
        listener(run);
      } catch {
        // A listener's failure is not the deploy's.
      }
    }
  }

  /** Validates the given options before anything is saved or a host contacted. Throws FleetError('invalid_input'). */
  private saveOptions(server: ServerRecord, given: DeployOptions): ServerDeployOptions {
    if (given.tls?.kind === 'own') ownCertificateInfo(given.tls.certPem, given.tls.keyPem);
    given.tlsNames?.forEach(assertTlsName);
    const saved = this.d.store.deployState.serverOptions(server.id);
    const next: ServerDeployOptions = {
      ...saved,
      ...(given.publishAddress === undefined ? {} : { publishAddress: given.publishAddress }),
      ...(given.allowCidrs === undefined ? {} : { allowCidrs: given.allowCidrs }),
      ...(given.limits === undefined ? {} : { limits: { ...saved.limits, ...defined(given.limits) } }),
      ...(given.swarm === undefined ? {} : { swarm: given.swarm }),
      ...(given.tls === undefined ? {} : { tls: given.tls }),
      ...(given.tlsNames === undefined ? {} : { tlsNames: given.tlsNames }),
    };
    this.d.store.deployState.setServerOptions(server.id, next);
    return next;
  }

  private members(server: ServerRecord): MemberWithState[] {
    return this.d.store.members.listByServer(server.id).map((record) => ({
      record,
      state: this.d.store.deployState.member(record.id) ?? { env: [], port: null, previousTokenSha256: null },
    }));
  }

  private recordedTools(hostId: string, name: string): string[] | null {
    const inst = this.d.store.instances.listByHost(hostId).find((i) => i.containerName === name);
    return inst ? this.d.store.deployState.instanceTools(inst.id) : null;
  }

  private server(name: string): ServerRecord {
    const server = this.d.store.servers.getByName(name);
    if (!server) throw new FleetError('not_found', `no server named "${name}"`);
    return server;
  }
}

/** The fields that have a value: an absent limit keeps the saved one. */
function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
