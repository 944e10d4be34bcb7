/**
 * One sweep over every instance: hosts in parallel (bounded), each host's Docker state in one list
 * call, then each instance's bridge probed (bounded across all hosts). A host that does not answer
 * turns its instances unknown and is left alone for a while, doubling up to hostBackoffMaxMs.
 */
import type { HealthChange } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import type { DockerHost } from '../docker/docker-host';
import type { Store } from '../store/store';
import type { HostRecord, InstanceRecord, MemberRecord } from '../store/types';
import { toFailure } from '../bridge-client/bridge-http';
import type { BridgeClient, BridgeTarget, ProbeCredential } from '../bridge-client/bridge-client';
import { classify } from './classify';
import { factsFromList, inspectContainer, listFleetContainers, withInspect } from './container-probe';
import type { HealthOptions } from './health-options';
import type { HostAccess } from '../bridge-client/host-access';
import type { InstanceTracker } from './instance-tracker';
import { limiter, withTimeout } from './limit';
import type { BridgeStatus, ContainerFacts, ContainerView, Observation, Probe } from './observation';
import { duration, span } from './words';

type Containers = Awaited<ReturnType<typeof listFleetContainers>>;

interface HostState {
  failures: number;
  nextTryAt: number;
  message: string;
}

export interface SweepStats {
  hosts: number;
  /** Hosts left alone this sweep because they did not answer recently. */
  hostsBackedOff: number;
  instances: number;
  dockerLists: number;
  dockerInspects: number;
}

export interface SweepContext {
  store: Store;
  access: HostAccess;
  probe: BridgeClient;
  options: HealthOptions;
  tracker(instanceId: string): InstanceTracker;
  /** Where each instance's bridge was last reached, so the monitor can end its session on stop. */
  lastTarget: Map<string, { target: BridgeTarget; credential: ProbeCredential }>;
}

// A refused token is not retried on every sweep: the bridge rate-limits sources that fail to log in.
const REFUSED_RETRY_MS = 5 * 60_000;

export class Sweeper {
  private readonly hostState = new Map<string, HostState>();
  private readonly refused = new Map<string, { token: string; until: number }>();
  private readonly credentials = new Map<string, ProbeCredential | null>();
  private readonly instanceLimit: ReturnType<typeof limiter>;
  private readonly hostLimit: ReturnType<typeof limiter>;

  constructor(private readonly c: SweepContext) {
    this.instanceLimit = limiter(c.options.concurrency);
    this.hostLimit = limiter(c.options.hostConcurrency);
  }

  /** Probes every instance once; resolves with the state changes and what it cost. */
  async sweep(
    records: InstanceRecord[],
    now: number,
  ): Promise<{ changes: HealthChange[]; stats: SweepStats }> {
    const stats: SweepStats = {
      hosts: 0,
      hostsBackedOff: 0,
      instances: records.length,
      dockerLists: 0,
      dockerInspects: 0,
    };
    const changes: HealthChange[] = [];
    const members = new Map<string, MemberRecord[]>();
    const byHost = new Map<string, InstanceRecord[]>();
    for (const r of records) {
      const list = byHost.get(r.hostId);
      if (list) list.push(r);
      else byHost.set(r.hostId, [r]);
    }
    for (const id of this.hostState.keys()) if (!byHost.has(id)) this.hostState.delete(id);
    await Promise.all(
      [...byHost].map(([hostId, recs]) =>
        this.hostLimit(async () => {
          const host = this.c.store.hosts.getById(hostId);
          if (!host) return;
          stats.hosts += 1;
          const ctx: HostSweep = { host, now, stats, changes, members };
          await this.sweepHost(ctx, recs);
        }),
      ),
    );
    return { changes, stats };
  }

  private async sweepHost(h: HostSweep, recs: InstanceRecord[]): Promise<void> {
    const { host, now } = h;
    const unreachable = (message: string): void => {
      for (const r of recs)
        this.judge(
          h,
          r,
          { now, host: { reachable: false, message }, container: null, status: null, ping: null },
          null,
        );
    };
    const backoff = this.hostState.get(host.id);
    if (backoff && now < backoff.nextTryAt) {
      h.stats.hostsBackedOff += 1;
      unreachable(`${backoff.message}; next try in ${span(backoff.nextTryAt - now)}`);
      return;
    }
    const limit = this.c.options.timeoutMs;
    try {
      await this.timed(
        () => this.c.access.reach(host),
        `host "${host.name}" did not answer within ${duration(limit)}`,
      );
    } catch (err) {
      unreachable(this.hostDown(host, err, now));
      return;
    }
    this.hostState.delete(host.id);
    let docker: DockerHost | null = null;
    let containers: Containers | { error: string };
    try {
      docker = await this.timed(() => this.c.access.docker(host), `Docker on "${host.name}" did not answer`);
      const d = docker;
      containers = await this.timed(
        () => listFleetContainers(d),
        `Docker on "${host.name}" did not list its containers within ${duration(limit)}`,
      );
      h.stats.dockerLists += 1;
    } catch (err) {
      // The session may have dropped during the call: then the host, not Docker, is what failed.
      const gone = await this.timed(
        () => this.c.access.reach(host),
        `host "${host.name}" did not answer within ${duration(limit)}`,
      ).then(
        () => null,
        (reachErr: unknown) => reachErr,
      );
      if (gone !== null) {
        unreachable(this.hostDown(host, gone, now));
        return;
      }
      containers = { error: messageOf(err) };
    }
    await Promise.all(
      recs.map((r) => this.instanceLimit(() => this.probeInstance(h, r, docker, containers))),
    );
  }

  private async probeInstance(
    h: HostSweep,
    r: InstanceRecord,
    docker: DockerHost | null,
    containers: Containers | { error: string },
  ): Promise<void> {
    const tracker = this.c.tracker(r.id);
    let container: ContainerView;
    if (!(containers instanceof Map)) container = { kind: 'error', message: containers.error };
    else {
      const info = containers.get(r.containerName);
      if (!info) container = { kind: 'missing' };
      else {
        container = factsFromList(info, tracker.inspected);
        if (docker && (container.state !== 'running' || tracker.inspected?.id !== container.id)) {
          container = await this.inspect(h, docker, tracker, container);
        }
      }
    }
    const obs: Observation = {
      now: h.now,
      host: { reachable: true },
      container,
      status: null,
      ping: null,
      stoppedOnPurpose: r.status === 'stopped',
    };
    const running =
      container.kind === 'error' || (container.kind === 'found' && container.state === 'running');
    if (running) await this.probeBridge(h, r, docker, tracker, obs);
    this.judge(h, r, obs, obs.ping?.ok ? obs.ping.value.rttMs : null);
  }

  private async probeBridge(
    h: HostSweep,
    r: InstanceRecord,
    docker: DockerHost | null,
    tracker: InstanceTracker,
    obs: Observation,
  ): Promise<void> {
    const container = obs.container;
    const published = container?.kind === 'found' ? container.target : null;
    // Without Docker's word, the bridge is looked for where the app published it.
    const where = published ?? (container?.kind === 'error' ? { address: '127.0.0.1', port: r.port } : null);
    if (!where) {
      obs.status = fail('refused', 'the container publishes no port for its bridge');
      return;
    }
    const credential = this.credential(h, r);
    if (!credential) {
      obs.status = fail(
        'unauthorized',
        'no member of this server holds a token the monitor could use: add a member',
      );
      return;
    }
    const refused = this.refused.get(r.id);
    if (refused && refused.token === credential.token && h.now < refused.until) {
      obs.status = fail(
        'unauthorized',
        `the bridge refused the token of member "${credential.member}"; the monitor tries again in ${span(refused.until - h.now)}`,
      );
      return;
    }
    this.refused.delete(r.id);
    // The certificate this instance was deployed with is the only one accepted (none: plain HTTP).
    const pin = this.c.store.tls.leaf(h.host.id, r.containerName)?.fingerprint256 ?? null;
    const target: BridgeTarget = { agent: this.c.access.agent(h.host), ...where, pin };
    this.c.lastTarget.set(r.id, { target, credential });
    let status: Probe<BridgeStatus>;
    try {
      status = { ok: true, value: await this.c.probe.status(target, credential) };
    } catch (err) {
      status = { ok: false, failure: toFailure(err) };
    }
    obs.status = status;
    if (!status.ok) {
      if (status.failure.kind === 'unauthorized') {
        this.refused.set(r.id, { token: credential.token, until: h.now + REFUSED_RETRY_MS });
        // The store may hold a newer token than the one read: read it again next time.
        this.credentials.delete(r.id);
      }
      return;
    }
    if (docker && container?.kind === 'found' && tracker.restartedSinceInspect(status.value, h.now)) {
      obs.container = await this.inspect(h, docker, tracker, container);
    }
    tracker.noteStatus(status.value, h.now);
    // A server that is not up answers nothing; an initialize now would only wait out its start.
    if (status.value.child.state !== 'ready') return;
    try {
      const rttMs = await this.c.probe.ping(r.id, target, credential, () => (tracker.ownSent += 1));
      obs.ping = { ok: true, value: { rttMs } };
    } catch (err) {
      obs.ping = { ok: false, failure: toFailure(err) };
    }
  }

  private async inspect(
    h: HostSweep,
    docker: DockerHost,
    tracker: InstanceTracker,
    facts: ContainerFacts,
  ): Promise<ContainerView> {
    h.stats.dockerInspects += 1;
    try {
      const found = await this.timed(() => inspectContainer(docker, facts.id), 'inspect did not answer');
      if (!found) return { kind: 'missing' };
      tracker.noteInspect(found.facts);
      return withInspect(facts, found.facts, found.state);
    } catch {
      // The list already said enough to judge; the details wait for the next sweep.
      return facts;
    }
  }

  private judge(h: HostSweep, r: InstanceRecord, obs: Observation, latencyMs: number | null): void {
    const tracker = this.c.tracker(r.id);
    const change = tracker.apply(classify(obs, tracker.recent, this.c.options), obs, latencyMs);
    if (change) h.changes.push(change);
  }

  /** The member whose token the monitor presents: the instance's own, or (Shared) the first by name. */
  /** Forgets the tokens read so far (members changed: added, removed, rotated). */
  invalidateCredentials(): void {
    this.credentials.clear();
  }

  private credential(h: HostSweep, r: InstanceRecord): ProbeCredential | null {
    // Read once and kept: a store read per instance per sweep is most of a sweep's own CPU.
    const known = this.credentials.get(r.id);
    if (known !== undefined) return known;
    let member: MemberRecord | null | undefined;
    if (r.memberId !== null) member = this.c.store.members.getById(r.memberId);
    else {
      let list = h.members.get(r.serverId);
      if (!list) {
        list = this.c.store.members.listByServer(r.serverId);
        h.members.set(r.serverId, list);
      }
      member = list[0];
    }
    const credential = member ? { token: member.token, member: member.name } : null;
    this.credentials.set(r.id, credential);
    return credential;
  }

  private hostDown(host: HostRecord, err: unknown, now: number): string {
    const before = this.hostState.get(host.id);
    const failures = (before?.failures ?? 0) + 1;
    const { hostBackoffBaseMs: base, hostBackoffMaxMs: max } = this.c.options;
    const message = messageOf(err);
    this.hostState.set(host.id, {
      failures,
      nextTryAt: now + Math.min(max, base * 2 ** (failures - 1)),
      message,
    });
    return message;
  }

  private timed<T>(fn: () => Promise<T>, message: string): Promise<T> {
    return withTimeout(fn, this.c.options.timeoutMs, () => new FleetError('unavailable', message));
  }
}

interface HostSweep {
  host: HostRecord;
  now: number;
  stats: SweepStats;
  changes: HealthChange[];
  /** Members per server, read once per sweep. */
  members: Map<string, MemberRecord[]>;
}

function fail(kind: 'refused' | 'unauthorized', message: string): Probe<never> {
  return { ok: false, failure: { kind, message } };
}

function messageOf(err: unknown): string {
  return err instanceof FleetError ? err.message : err instanceof Error ? err.message : String(err);
}
