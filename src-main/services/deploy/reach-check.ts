/**
 * What a server reaches on a host, checked there before a deploy makes anything: every bind source
 * exists (and does not resolve, through a symlink, to "/" or to the Docker socket when that is not
 * allowed), every network exists and can take the instance. Then the server's named volumes are made,
 * labelled, for the instances the deploy creates or replaces.
 */
import { realpath } from 'node:fs/promises';
import { FleetError } from '../../shared/errors';
import { DOCKER_SOCKET_PATHS, EMPTY_REACH, reachProblem } from '../../shared/server-mounts';
import { mapDockerError, statusOf } from '../docker/docker-errors';
import type { DockerHost } from '../docker/docker-host';
import { bounded } from '../host-ops/engine-call';
import type { PlannedInstance } from '../host-ops/instance-ops';
import { runOnce } from '../host-ops/prepare-run';
import type { Step } from '../host-ops/reconcile';
import { LABELS } from '../instance-spec/constants';
import { prepareContainer } from '../instance-spec/prepare';
import type { SshSessionRegistry } from '../ssh/ssh-session-registry';
import type { HostRecord, ServerRecord } from '../store/types';

export interface ReachCheckInput {
  server: ServerRecord;
  host: HostRecord;
  docker: DockerHost;
  /** The host's SSH session (the files' road); unused for the local host. */
  ssh: SshSessionRegistry;
  /** The instances become Swarm services: their networks must be Swarm (overlay) networks. */
  swarm: boolean;
}

/** A path as the host resolves it; null when it does not exist (or the login cannot see it). */
type Resolved = { path: string; real: string | null };

// For each path: "+<real path>" NUL when it exists, "-" NUL when not, "?" NUL when it cannot be resolved.
const RESOLVE_SH =
  'for p; do if [ -e "$p" ]; then if r=$(readlink -f -- "$p"); then printf "+%s\\0" "$r"; else printf "?\\0"; fi; ' +
  'else printf -- "-\\0"; fi; done';

/**
 * Throws FleetError naming the path or network and the host: invalid_input for a reach the rules
 * refuse (also after resolving symlinks), not_found for a missing path or network, and the SSH and
 * Docker errors. Reads only; makes nothing.
 */
export async function checkReach(input: ReachCheckInput): Promise<void> {
  const { server, host } = input;
  const reach = server.reach ?? EMPTY_REACH;
  const problem = reachProblem(reach);
  if (problem !== null) throw new FleetError('invalid_input', `server "${server.name}": ${problem}`);
  const binds = reach.mounts.flatMap((m) => (m.kind === 'bind' ? [m.source] : []));
  for (const { path, real } of await resolvePaths(input, binds)) {
    if (real === null) {
      throw new FleetError(
        'not_found',
        `mount source ${path} of server "${server.name}" does not exist on host ${host.name}` +
          `${host.kind === 'ssh' ? ` (or the login ${host.user ?? ''} there cannot see it)` : ''}: ` +
          "create it there, or change the server's mounts; nothing was deployed",
      );
    }
    if (real === '/') {
      throw new FleetError(
        'invalid_input',
        `mount source ${path} of server "${server.name}" is, on host ${host.name}, a link to the host's "/", which may not be mounted`,
      );
    }
    if (DOCKER_SOCKET_PATHS.includes(real) && !reach.allowDockerSocket) {
      throw new FleetError(
        'invalid_input',
        `mount source ${path} of server "${server.name}" is, on host ${host.name}, the Docker socket ${real}: ` +
          'it gives the server the whole host; add --allow-docker-socket if that is meant',
      );
    }
  }
  for (const network of reach.networks) await checkNetwork(input, network);
}

/**
 * Makes the server's named volumes (labelled with the server) for the instances a deploy creates or
 * replaces; for Swarm services also hands their roots to the container user, which the plain
 * instance's prepare container does. Throws the Docker FleetErrors.
 */
export async function makeReachVolumes(
  docker: DockerHost,
  steps: readonly Step<PlannedInstance>[],
  swarm: boolean,
): Promise<void> {
  for (const step of steps) {
    if (step.kind !== 'create' && step.kind !== 'replace') continue;
    const { spec } = step.desired;
    const volumes = reachVolumes(spec.container.mounts, spec.stateVolume?.name ?? null);
    if (volumes.length === 0) continue;
    for (const name of volumes) {
      await bounded(docker, docker.createVolume(name, { [LABELS.server]: spec.server }), `volume ${name}`);
    }
    if (!swarm) continue;
    const code = await runOnce(
      docker,
      prepareContainer({
        image: spec.container.image,
        instance: step.desired.name,
        configDir: null,
        files: [],
        stateVolume: null,
        volumes,
      }),
    );
    if (code !== 0) {
      throw new FleetError(
        'unavailable',
        `handing the volumes of ${step.desired.name} to the container user failed on ${docker.where.hostName} (exit code ${code})`,
      );
    }
  }
}

function reachVolumes(mounts: readonly { type: string; source: string }[], state: string | null): string[] {
  return [...new Set(mounts.flatMap((m) => (m.type === 'volume' && m.source !== state ? [m.source] : [])))];
}

async function resolvePaths(input: ReachCheckInput, paths: readonly string[]): Promise<Resolved[]> {
  if (paths.length === 0) return [];
  if (input.host.kind === 'local') {
    return Promise.all(paths.map(async (path) => ({ path, real: await realpath(path).catch(() => null) })));
  }
  const result = await input.ssh.exec(input.host.id, ['sh', '-c', RESOLVE_SH, 'sh', ...paths], {
    timeoutMs: 30_000,
  });
  const answers = result.stdout.split('\0');
  if (result.code !== 0 || answers.length !== paths.length + 1) {
    const why = result.stderr.trim().split('\n').slice(-1)[0] ?? '';
    throw new FleetError(
      'unavailable',
      `could not look for the mount sources on host ${input.host.name}${why === '' ? '' : `: ${why}`}`,
    );
  }
  return paths.map((path, i) => {
    const answer = answers[i] ?? '-';
    if (answer === '?') {
      throw new FleetError(
        'unavailable',
        `could not resolve mount source ${path} on host ${input.host.name} (readlink -f failed)`,
      );
    }
    return { path, real: answer.startsWith('+') ? answer.slice(1) : null };
  });
}

interface NetworkInfo {
  Scope?: string;
  Driver?: string;
  Attachable?: boolean;
}

async function checkNetwork(input: ReachCheckInput, network: string): Promise<void> {
  const { docker, host, server } = input;
  let info: NetworkInfo;
  try {
    info = await bounded<NetworkInfo>(
      docker,
      docker.docker.getNetwork(network).inspect(),
      `network ${network}`,
    );
  } catch (err) {
    if (statusOf(err) === 404) {
      throw new FleetError(
        'not_found',
        `network "${network}" of server "${server.name}" does not exist on host ${host.name}: ` +
          `create it there (docker network create${input.swarm ? ' --driver overlay --attachable' : ''} ${network}), ` +
          "or change the server's networks; nothing was deployed",
      );
    }
    throw err instanceof FleetError ? err : mapDockerError(err, docker.where, `network ${network}`);
  }
  if (input.swarm && info.Scope !== 'swarm') {
    throw new FleetError(
      'invalid_input',
      `network "${network}" on host ${host.name} is a ${info.Driver ?? 'local'} network, which Swarm services cannot join: ` +
        `use an overlay network (docker network create --driver overlay --attachable ${network})`,
    );
  }
  if (!input.swarm && info.Scope === 'swarm' && info.Attachable !== true) {
    throw new FleetError(
      'invalid_input',
      `network "${network}" on host ${host.name} is a Swarm overlay network that is not attachable, so a container cannot join it: ` +
        'create it with --attachable, or deploy with --swarm',
    );
  }
}
