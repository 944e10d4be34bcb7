import { FleetError } from '../../shared/errors';
import type { SettingSource } from '../../shared/fleet-settings';
import type { SshSessionRegistry } from '../ssh/ssh-session-registry';
import type { Store } from '../store/store';
import type { HostRecord } from '../store/types';
import type { DockerClientFactory, DockerTransport } from './docker-client-factory';
import { mapDockerError, statusOf } from './docker-errors';
import { DockerHost, type SwarmRole } from './docker-host';
import { canListenHere, parseListeningPorts, pickFree } from './free-ports';

/** What `hosts check` reports; each field is filled as far as the check got. */
export interface HostCheckResult {
  reachable: boolean;
  /** The host key fingerprint ("SHA256:…"): the pinned one once logged in, else the one offered. */
  fingerprint: string | null;
  dockerVersion: string | null;
  /** Whether the login may use the engine; null when that could not be found out. */
  dockerPermitted: boolean | null;
  /** Docker's architecture name (amd64, arm64, …). */
  arch: string | null;
  /** The engine's place in a Swarm: a manager can take `deploy --swarm`; null when unknown. */
  swarm?: SwarmRole | null;
  /** A few ports in the asked range that nothing listens on and no container publishes. */
  freePorts?: number[];
  dockerTransport?: DockerTransport;
  /** The host's effective base image: on the host, or to be pulled (and whether its registry answered). */
  baseImage?: BaseImageCheck;
  /** The networks the servers that run here join (their --network), and whether each is there. */
  networks?: NetworkCheck[];
  /** The first thing that went wrong, as an operator sentence. */
  error?: string;
}

export interface BaseImageCheck {
  ref: string;
  source: SettingSource;
  /**
   * present: on the host; pullable: not there, and the engine's registry answered for it (the first
   * deploy pulls it); unreachable: not there, and the registry refused or could not be reached (set
   * base-image to an image the host has or can reach); unknown: the registry did not answer in time.
   */
  state: 'present' | 'pullable' | 'unreachable' | 'unknown';
  detail: string;
}

export interface NetworkCheck {
  name: string;
  /** The servers with instances on this host that join it. */
  servers: string[];
  /**
   * present: a container can join it; missing: no such network here; not-attachable: a Swarm overlay
   * network made without --attachable, which only Swarm services can join.
   */
  state: 'present' | 'missing' | 'not-attachable';
}

export interface CheckHostDeps {
  store: Store;
  ssh: SshSessionRegistry;
  docker: DockerClientFactory;
  /** The host's effective base-image setting; without it the check leaves the base image out. */
  baseImage?: (hostId: string) => { ref: string; source: SettingSource };
  /** How long the registry may take to answer for the base image; default 15 s. */
  registryTimeoutMs?: number;
}

export interface CheckHostOptions {
  /** Inclusive range to look for free ports in. */
  portRange?: [number, number];
  portCount?: number;
}

// `ss` where iproute2 is installed, else the kernel's own tables.
const LISTENING = 'ss -Hltn 2>/dev/null || cat /proc/net/tcp /proc/net/tcp6 2>/dev/null';

const UNAME_TO_DOCKER: Record<string, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv7l: 'arm',
  i686: '386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

function messageOf(err: unknown): string {
  return err instanceof FleetError ? err.message : 'unexpected error; see the log for details';
}

/** Checks a host: reachability and host key, Docker version and permission, architecture, free ports. Never throws for the host's faults. */
export async function checkHost(
  deps: CheckHostDeps,
  hostId: string,
  options: CheckHostOptions = {},
): Promise<HostCheckResult> {
  const host = deps.store.hosts.getById(hostId);
  if (!host) throw new FleetError('not_found', 'no such host; it may have been removed');
  const result: HostCheckResult = {
    reachable: false,
    fingerprint: null,
    dockerVersion: null,
    dockerPermitted: null,
    arch: null,
  };
  const fail = (err: unknown): HostCheckResult => {
    result.error ??= messageOf(err);
    return result;
  };

  if (host.kind === 'ssh') {
    try {
      await deps.ssh.client(hostId);
      result.reachable = true;
      result.fingerprint = deps.store.hosts.getById(hostId)?.hostKeySha256 ?? null;
    } catch (err) {
      // Refused logins and changed keys come from a host that answered: show what key it offers.
      const answered =
        err instanceof FleetError &&
        ['unauthorized', 'host_key_mismatch', 'invalid_input'].includes(err.code);
      result.reachable = answered;
      if (answered)
        result.fingerprint = await deps.ssh.probe(hostId).then(
          (p) => p.fingerprint,
          () => null,
        );
      return fail(err);
    }
  } else {
    result.reachable = true;
  }

  let docker: DockerHost | null = null;
  try {
    const candidate = new DockerHost(await deps.docker.client(hostId));
    const version = await candidate.version();
    result.dockerVersion = version.version;
    result.arch = version.arch;
    result.dockerPermitted = true;
    result.dockerTransport = candidate.transport;
    docker = candidate;
  } catch (err) {
    if (err instanceof FleetError && err.code === 'unauthorized') result.dockerPermitted = false;
    fail(err);
  }
  if (docker)
    result.swarm = await docker.swarm().then(
      (s) => s.role,
      () => null,
    );
  if (docker && deps.baseImage) {
    try {
      result.baseImage = await checkBaseImage(docker, deps.baseImage(hostId), deps.registryTimeoutMs);
    } catch (err) {
      fail(err);
    }
  }

  if (docker) {
    try {
      const networks = await checkNetworks(deps.store, docker, hostId);
      if (networks.length > 0) result.networks = networks;
    } catch (err) {
      fail(err);
    }
  }

  try {
    result.arch ??= await machineArch(deps, host);
    result.freePorts = await freePorts(deps, host, docker, options);
  } catch (err) {
    fail(err);
  }
  return result;
}

/** Each network a server with instances on the host joins, inspected on the host's engine. */
async function checkNetworks(store: Store, docker: DockerHost, hostId: string): Promise<NetworkCheck[]> {
  const serversOf = new Map<string, Set<string>>();
  for (const instance of store.instances.listByHost(hostId)) {
    const server = store.servers.getById(instance.serverId);
    for (const network of server?.reach.networks ?? []) {
      (serversOf.get(network) ?? serversOf.set(network, new Set()).get(network))?.add(server?.name ?? '');
    }
  }
  const checks: NetworkCheck[] = [];
  for (const [name, servers] of [...serversOf].sort(([a], [b]) => a.localeCompare(b))) {
    let state: NetworkCheck['state'];
    try {
      const info = (await docker.docker.getNetwork(name).inspect()) as {
        Scope?: string;
        Attachable?: boolean;
      };
      state = info.Scope === 'swarm' && info.Attachable !== true ? 'not-attachable' : 'present';
    } catch (err) {
      if (statusOf(err) !== 404) throw mapDockerError(err, docker.where, `network ${name}`);
      state = 'missing';
    }
    checks.push({ name, servers: [...servers].sort(), state });
  }
  return checks;
}

/**
 * Whether the host has the base image, else whether its engine can reach the image's registry: the
 * engine's distribution endpoint fetches the manifest only (no layers), so nothing big is pulled.
 */
async function checkBaseImage(
  docker: DockerHost,
  base: { ref: string; source: SettingSource },
  timeoutMs = 15_000,
): Promise<BaseImageCheck> {
  const info = await docker.imageInspect(base.ref);
  if (info !== null) {
    const id = info.Id.replace(/^sha256:/, '').slice(0, 12);
    return { ...base, state: 'present', detail: `on the host (image ${id})` };
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
    timer.unref();
  });
  try {
    const answer = await Promise.race([
      docker.docker
        .getImage(base.ref)
        .distribution({})
        .then(
          () => 'ok' as const,
          (err: unknown) => err,
        ),
      late,
    ]);
    if (answer === 'late') {
      return {
        ...base,
        state: 'unknown',
        detail: `not on the host, and its registry did not answer within ${Math.round(timeoutMs / 1000)} s`,
      };
    }
    if (answer === 'ok') {
      return {
        ...base,
        state: 'pullable',
        detail: 'not on the host; the next deploy pulls it (the registry has it)',
      };
    }
    return {
      ...base,
      state: 'unreachable',
      detail: `not on the host, and the host's engine cannot get it from its registry (${engineReason(answer)}): load it there, or set base-image to an image the host has`,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The engine's own reason, one line and short (it names the registry and the network error). */
function engineReason(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  const text =
    typeof json?.message === 'string' ? json.message : err instanceof Error ? err.message : 'no answer';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

async function machineArch(deps: CheckHostDeps, host: HostRecord): Promise<string | null> {
  if (host.kind === 'local') return process.arch === 'x64' ? 'amd64' : process.arch;
  const uname = (await deps.ssh.exec(host.id, ['uname', '-m'], { timeoutMs: 15_000 })).stdout.trim();
  return uname === '' ? null : (UNAME_TO_DOCKER[uname] ?? uname);
}

async function freePorts(
  deps: CheckHostDeps,
  host: HostRecord,
  docker: DockerHost | null,
  options: CheckHostOptions,
): Promise<number[]> {
  const [from, to] = options.portRange ?? [8100, 8999];
  const count = options.portCount ?? 5;
  const taken = new Set<number>();
  // Published ports of stopped containers are not listened on, yet starting them would take them back.
  if (docker) {
    for (const c of await docker.listByLabel({}, true)) {
      for (const p of c.Ports) if (p.PublicPort) taken.add(p.PublicPort);
    }
  }
  if (host.kind === 'ssh') {
    const listing = await deps.ssh.exec(host.id, ['sh', '-c', LISTENING], { timeoutMs: 15_000 });
    for (const port of parseListeningPorts(listing.stdout)) taken.add(port);
    return pickFree(taken, from, to, count);
  }
  const free: number[] = [];
  for (const port of pickFree(taken, from, to, to - from + 1)) {
    if (free.length >= count) break;
    if (await canListenHere(port)) free.push(port);
  }
  return free;
}
