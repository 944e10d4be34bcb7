/**
 * A server's reach (shared/server-mounts.ts) as its container gets it: bind mounts and named volumes
 * beside the instance's own files, extra networks joined before the start, extra /etc/hosts lines.
 * A server with an empty reach gets nothing here, so its container (and config hash) stays as it was.
 */
import { FleetError } from '../../shared/errors';
import { EMPTY_REACH, reachProblem, volumeName } from '../../shared/server-mounts';
import type { ServerRecord } from '../store/types';
import { CONTAINER_FILES_DIR } from './constants';
import type { MountSpec } from './types';

export interface ContainerReach {
  mounts: MountSpec[];
  extraNetworks: string[];
  /** `NAME:IP`, as `--add-host` and the Engine's ExtraHosts take them. */
  extraHosts: string[];
  /** The Docker volumes the mounts name (per member in Dedicated unless shared), each once. */
  volumes: string[];
}

/** Where Swarm mounts the instance's files; no mount may sit on it either. */
const SWARM_SECRETS_DIR = '/run/secrets';

/**
 * The container side of the server's reach for one instance (`member` null for Shared). Checks the
 * reach again (a record may predate a rule) and refuses a mount over a path the instance itself uses:
 * its files, /tmp, its state volume. Throws FleetError('invalid_input') naming the server and the path.
 */
export function containerReach(
  server: ServerRecord,
  member: string | null,
  stateTarget: string | null,
): ContainerReach {
  const reach = server.reach ?? EMPTY_REACH;
  const problem = reachProblem(reach);
  if (problem !== null) throw new FleetError('invalid_input', `server "${server.name}": ${problem}`);
  const reserved = [CONTAINER_FILES_DIR, SWARM_SECRETS_DIR, '/tmp', ...(stateTarget ? [stateTarget] : [])];
  const mounts = reach.mounts.map((m): MountSpec => {
    const taken = reserved.find((r) => overlaps(r, m.target));
    if (taken !== undefined) {
      throw new FleetError(
        'invalid_input',
        `server "${server.name}": the mount at ${m.target} would cover ${taken}, which the instance itself uses; choose another container path`,
      );
    }
    return m.kind === 'bind'
      ? { type: 'bind', source: m.source, target: m.target, readOnly: m.readOnly }
      : {
          type: 'volume',
          source: volumeName(server.name, m, member),
          target: m.target,
          readOnly: m.readOnly,
        };
  });
  return {
    mounts,
    extraNetworks: [...reach.networks],
    extraHosts: reach.extraHosts.map((h) => `${h.name}:${h.ip}`),
    volumes: [...new Set(mounts.flatMap((m) => (m.type === 'volume' ? [m.source] : [])))],
  };
}

/** Whether one of two normalised absolute paths is the other or inside it. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
