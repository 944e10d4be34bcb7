/**
 * Drift on one host: the containers its labels say belong to MCP Fleet, against what each server's
 * definition wants there (the same plan deploy would carry out, read instead of acted on).
 */
import { FleetError } from '../../shared/errors';
import { plannedInstances, type MemberWithState } from '../deploy/desired-state';
import type { HostTargets } from '../host-ops/host-targets';
import { instanceUrl, type HostTarget, type PlannedInstance } from '../host-ops/instance-ops';
import { servicesIfManager } from '../host-ops/swarm-services';
import { approvedFileContent } from '../pins/approved-file';
import { observeAll, planReconcile, type ObservedContainer } from '../host-ops/reconcile';
import type { RuntimeImages } from '../deploy/runtime-images';
import { containerName } from '../instance-spec/names';
import { LABELS } from '../instance-spec/constants';
import type { Store } from '../store/store';
import type { InstanceTls } from '../tls/instance-tls';
import type { HostRecord, ServerRecord } from '../store/types';

export type Drift = 'ok' | 'missing' | 'extra' | 'config differs' | 'not running' | 'unknown';

export interface InstanceView {
  name: string;
  server: string;
  member: string | null;
  host: string;
  port: number | null;
  url: string | null;
  /** Docker's state (running, exited, …), `absent`, or `unknown` when the host could not be read. */
  state: string;
  drift: Drift;
  tools: string[] | null;
  /** How its bridge serves TLS, and when its certificate expires; null for a server MCP Fleet does not know. */
  tls: { kind: 'fleet' | 'own' | 'none'; notAfter: string | null } | null;
  /** Why the drift is unknown, or what else went wrong reading it. */
  error?: string;
}

export interface DriftInput {
  store: Store;
  targets: HostTargets;
  images: RuntimeImages;
  host: HostRecord;
  /** The servers deployed to this host. */
  servers: readonly ServerRecord[];
  /** Whether containers of servers the store does not know are reported as extra. */
  reportUnknown: boolean;
  /** Names of every server in the store. */
  known: ReadonlySet<string>;
  /** What each instance was deployed with (certificates), read without issuing anything. */
  tls: InstanceTls;
  /** `ref@digest` a Swarm deploy ran a local runtime tag as (push-registry set and pushed), else null. */
  pushedImage?: (hostId: string, localTag: string) => string | null;
}

export async function readDrift(input: DriftInput): Promise<InstanceView[]> {
  const { store, host } = input;
  const records = store.instances.listByHost(host.id);
  const base = (name: string, server: string, member: string | null): InstanceView => {
    const record = records.find((r) => r.containerName === name);
    return {
      name,
      server,
      member,
      host: host.name,
      port: record?.port ?? null,
      url: null,
      state: 'absent',
      drift: 'ok',
      tools: record ? store.deployState.instanceTools(record.id) : null,
      tls: tlsOf(store, host, name, server),
    };
  };
  let observed: ObservedContainer[];
  let target: HostTarget;
  try {
    target = await input.targets.target(host);
    // A Swarm instance is its service (on a manager): a stopped one has no task container to list.
    const services = await servicesIfManager(target.docker, null);
    const containers = observeAll(await target.docker.listByLabel({ [LABELS.server]: true }));
    observed = services.length === 0 ? containers : [...containers.filter((c) => !c.swarm), ...services];
  } catch (err) {
    const why = messageOf(err);
    return records.flatMap((r) => {
      const server = store.servers.getById(r.serverId);
      if (!server || !input.servers.some((s) => s.id === server.id)) return [];
      const member = r.memberId === null ? null : (store.members.getById(r.memberId)?.name ?? null);
      return [
        {
          ...base(r.containerName, server.name, member),
          state: 'unknown',
          drift: 'unknown' as const,
          error: why,
        },
      ];
    });
  }
  const address = target.address;
  const rows: InstanceView[] = [];
  for (const server of input.servers) {
    const mine = observed.filter((c) => c.server === server.name);
    const members = membersOf(store, server);
    let planned: PlannedInstance[];
    try {
      planned = await desired(
        input,
        server,
        members,
        target,
        mine.some((c) => c.swarm),
      );
    } catch (err) {
      for (const c of mine)
        rows.push({ ...fromContainer(base, c, address), drift: 'unknown', error: messageOf(err) });
      continue;
    }
    for (const step of planReconcile(planned, mine)) {
      if (step.kind === 'remove') {
        rows.push({ ...fromContainer(base, step.current, address), drift: 'extra' });
        continue;
      }
      const d = step.desired;
      const row = {
        ...base(d.name, server.name, d.member),
        port: d.spec.port,
        url: instanceUrl(address, d.spec.port, d.spec.tls),
      };
      if (step.kind === 'create') rows.push({ ...row, drift: 'missing' });
      else {
        const state = step.current.state;
        const drift =
          step.kind === 'keep' ? 'ok' : step.reason === 'config' ? 'config differs' : 'not running';
        rows.push({ ...row, state, drift });
      }
    }
    // A Shared server without a port yet (just changed from Dedicated) wants its one instance; the
    // old shape's containers are extra above.
    if (server.mode === 'shared' && server.port === null && members.length > 0) {
      rows.push({ ...base(containerName(server.name, null), server.name, null), drift: 'missing' });
    }
    // Members never deployed have no port yet: they are missing without a spec to compare.
    if (server.mode === 'dedicated') {
      for (const m of members.filter((x) => x.state.port === null)) {
        rows.push({
          ...base(containerName(server.name, m.record.name), server.name, m.record.name),
          drift: 'missing',
        });
      }
    }
  }
  if (input.reportUnknown) {
    for (const c of observed.filter((x) => !input.known.has(x.server))) {
      rows.push({
        ...fromContainer(base, c, address),
        drift: 'extra',
        error: `MCP Fleet has no server "${c.server}"`,
      });
    }
  }
  return rows;
}

async function desired(
  input: DriftInput,
  server: ServerRecord,
  members: MemberWithState[],
  target: HostTarget,
  swarm: boolean,
): Promise<PlannedInstance[]> {
  if (server.mode === 'shared' && server.port === null) return [];
  const described = await input.images.describe(target, server);
  // A Swarm deploy with a push-registry ran the image by digest (deploy-service): compare with that.
  const pushed = swarm ? (input.pushedImage?.(target.hostId, described.tag) ?? null) : null;
  const image = pushed === null ? described : { ...described, tag: pushed };
  const pinned = server.mode === 'shared' ? members : members.filter((m) => m.state.port !== null);
  if (server.mode === 'shared' && pinned.length === 0) return [];
  const options = input.store.deployState.serverOptions(server.id);
  return plannedInstances({
    server,
    members: pinned,
    image,
    home: target.home,
    portOf: (memberId) =>
      memberId === null
        ? (server.port ?? 0)
        : (pinned.find((m) => m.record.id === memberId)?.state.port ?? 0),
    options,
    tlsOf: (name) => input.tls.stored(target.hostId, name, options),
    // As a deploy builds them: pinned unless Swarm (the set's content is not in the config hash).
    ...(swarm ? {} : { approved: approvedFileContent(input.store, server.id) }),
  });
}

function membersOf(store: Store, server: ServerRecord): MemberWithState[] {
  return store.members.listByServer(server.id).map((record) => ({
    record,
    state: store.deployState.member(record.id) ?? { env: [], port: null, previousTokenSha256: null },
  }));
}

function fromContainer(
  base: (name: string, server: string, member: string | null) => InstanceView,
  c: ObservedContainer,
  address: string,
): InstanceView {
  const port = c.ports[0] ?? null;
  return {
    ...base(c.name, c.server, c.member),
    state: c.state,
    port,
    url: port === null ? null : instanceUrl(address, port, c.tls === true),
  };
}

/** How an instance serves TLS, from its server's saved choice and the certificate deployed to it. */
function tlsOf(store: Store, host: HostRecord, name: string, serverName: string): InstanceView['tls'] {
  const server = store.servers.getByName(serverName);
  if (!server) return null;
  const kind = store.deployState.serverOptions(server.id).tls?.kind ?? 'fleet';
  if (kind === 'none') return { kind, notAfter: null };
  return { kind, notAfter: store.tls.leaf(host.id, name)?.notAfter ?? null };
}

function messageOf(err: unknown): string {
  return err instanceof FleetError ? err.message : 'unexpected error; see the log for details';
}
