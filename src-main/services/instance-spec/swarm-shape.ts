/**
 * How an instance runs as a Swarm service, shared by `deploy --swarm` (the Engine's service API) and
 * the swarm stack export: its env and members files become Docker secrets mounted under /run/secrets
 * (owned by the container user, mode 0400), and the bridge is pointed there. Secrets are immutable,
 * so their names carry the config hash: a changed definition gets new ones and the service rolls onto them.
 */
import {
  CONTAINER_ENV_FILE,
  CONTAINER_FILES_DIR,
  CONTAINER_MEMBERS_FILE,
  CONTAINER_TLS_CERT_FILE,
  CONTAINER_TLS_KEY_FILE,
  RUNTIME_GID,
  RUNTIME_UID,
} from './constants';
import type { ContainerSpec, InstanceSpec } from './types';

export const SWARM_SECRET_TARGETS = {
  env: 'mcp-fleet-env',
  members: 'mcp-fleet-members.json',
  tlsCert: 'mcp-fleet-tls.crt',
  tlsKey: 'mcp-fleet-tls.key',
} as const;

export type SwarmSecretKey = keyof typeof SWARM_SECRET_TARGETS;

/** One file of an instance as a Docker secret: its versioned name, where it is mounted, its content. */
export interface SwarmSecretFile {
  key: SwarmSecretKey;
  name: string;
  target: string;
  content: string;
}

const CONTAINER_PATHS: Record<string, SwarmSecretKey> = {
  [CONTAINER_ENV_FILE]: 'env',
  [CONTAINER_MEMBERS_FILE]: 'members',
  [CONTAINER_TLS_CERT_FILE]: 'tlsCert',
  [CONTAINER_TLS_KEY_FILE]: 'tlsKey',
};

export const SWARM_SECRET_OWNER = {
  uid: String(RUNTIME_UID),
  gid: String(RUNTIME_GID),
  mode: 0o400,
} as const;

/** Every file of one version of an instance as a secret: env, members, and the TLS files when it has them. */
export function swarmSecretFiles(
  spec: InstanceSpec,
  instance: string,
  configHash: string,
): SwarmSecretFile[] {
  const version = configHash.slice(0, 12);
  const file = (key: SwarmSecretKey, suffix: string, content: string): SwarmSecretFile => ({
    key,
    name: `${instance}-${suffix}-${version}`,
    target: SWARM_SECRET_TARGETS[key],
    content,
  });
  const { env, members, tls } = spec.files;
  return [
    file('env', 'env', env.content),
    file('members', 'members', members.content),
    ...(tls
      ? [file('tlsCert', 'tls-crt', tls.cert.content), file('tlsKey', 'tls-key', tls.key.content)]
      : []),
  ];
}

/** The container's arguments with the files' paths moved to where Swarm mounts the secrets. */
export function swarmArgs(cmd: readonly string[]): string[] {
  return cmd.map((word) => {
    const key = CONTAINER_PATHS[word];
    return key === undefined ? word : `/run/secrets/${SWARM_SECRET_TARGETS[key]}`;
  });
}

/** The byte size of a tmpfs mount from its `--tmpfs` options (Swarm takes only the size). */
export function tmpfsBytes(options: string): number {
  const size = /(?:^|,)size=(\d+)([kmg]?)(?:,|$)/.exec(options);
  if (!size) return 64 * 1024 * 1024;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[size[2] as '' | 'k' | 'm' | 'g'];
  return Number(size[1]) * unit;
}

/** An Engine service mount (the fields of Dockerode's ServiceSpec mounts that MCP Fleet sets). */
export interface SwarmMount {
  Type: 'bind' | 'volume';
  Source: string;
  Target: string;
  ReadOnly: boolean;
}

/**
 * The service's bind and volume mounts: every named volume (state and the server's own) and the
 * server's bind mounts. The instance's files are not among them: Swarm mounts them as secrets.
 */
export function swarmMounts(container: ContainerSpec): SwarmMount[] {
  return container.mounts.flatMap((m) =>
    m.type === 'volume' || !isFilesPath(m.target)
      ? [{ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly }]
      : [],
  );
}

/** The service's extra networks (they must be Swarm overlay networks); [] for none. */
export function swarmNetworks(container: ContainerSpec): { Target: string }[] {
  return container.extraNetworks.map((network) => ({ Target: network }));
}

/** The service's extra /etc/hosts lines, as the service API takes them: `IP NAME`. */
export function swarmHosts(container: ContainerSpec): string[] {
  return container.extraHosts.map((line) => {
    const at = line.indexOf(':');
    return `${line.slice(at + 1)} ${line.slice(0, at)}`;
  });
}

function isFilesPath(target: string): boolean {
  return target === CONTAINER_FILES_DIR || target.startsWith(`${CONTAINER_FILES_DIR}/`);
}
