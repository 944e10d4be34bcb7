/**
 * How an instance runs as a Swarm service, shared by `deploy --swarm` (the Engine's service API) and
 * the swarm stack export: its env and members files become Docker secrets mounted under /run/secrets
 * (owned by the container user, mode 0400), and the bridge is pointed there. Secrets are immutable,
 * so their names carry the config hash: a changed definition gets new ones and the service rolls onto them.
 */
import { CONTAINER_ENV_FILE, CONTAINER_MEMBERS_FILE, RUNTIME_GID, RUNTIME_UID } from './constants';

export const SWARM_SECRET_TARGETS = { env: 'mcp-fleet-env', members: 'mcp-fleet-members.json' } as const;

export const SWARM_SECRET_OWNER = {
  uid: String(RUNTIME_UID),
  gid: String(RUNTIME_GID),
  mode: 0o400,
} as const;

/** The secret names of one version of an instance. */
export function swarmSecretNames(instance: string, configHash: string): { env: string; members: string } {
  const version = configHash.slice(0, 12);
  return { env: `${instance}-env-${version}`, members: `${instance}-members-${version}` };
}

/** The container's arguments with the files' paths moved to where Swarm mounts the secrets. */
export function swarmArgs(cmd: readonly string[]): string[] {
  return cmd.map((word) =>
    word === CONTAINER_ENV_FILE
      ? `/run/secrets/${SWARM_SECRET_TARGETS.env}`
      : word === CONTAINER_MEMBERS_FILE
        ? `/run/secrets/${SWARM_SECRET_TARGETS.members}`
        : word,
  );
}

/** The byte size of a tmpfs mount from its `--tmpfs` options (Swarm takes only the size). */
export function tmpfsBytes(options: string): number {
  const size = /(?:^|,)size=(\d+)([kmg]?)(?:,|$)/.exec(options);
  if (!size) return 64 * 1024 * 1024;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[size[2] as '' | 'k' | 'm' | 'g'];
  return Number(size[1]) * unit;
}
