/**
 * What a server reaches on its host besides its port: bind mounts of host folders, named volumes,
 * existing Docker networks and extra /etc/hosts lines. Declared once here for the contract, the store,
 * the CLI flags, the deploy and every export. Pure rules only: whether a path exists on the host or a
 * network is there is checked by the deploy and `hosts check`, which can ask the host.
 * This module imports only zod.
 */
import { z } from 'zod';

/** A bind mount of a host path (ro unless said), or a named volume (per member in Dedicated unless shared). */
export type MountSpec =
  | { kind: 'bind'; source: string; target: string; readOnly: boolean }
  | { kind: 'volume'; source: string; target: string; readOnly: boolean; shared: boolean };

export interface ExtraHost {
  name: string;
  ip: string;
}

/** Everything a server reaches on its host; each list may be empty. */
export interface ServerReach {
  mounts: MountSpec[];
  networks: string[];
  extraHosts: ExtraHost[];
  /** Lets a bind mount of the Docker socket through; off by default, since it hands over the host. */
  allowDockerSocket: boolean;
}

export const EMPTY_REACH: ServerReach = {
  mounts: [],
  networks: [],
  extraHosts: [],
  allowDockerSocket: false,
};

/** Paths that hand a container the Docker engine, and so the host. */
export const DOCKER_SOCKET_PATHS = ['/var/run/docker.sock', '/run/docker.sock'];

/** Docker's volume and network name alphabet. */
const DOCKER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const DOCKER_NAME_RULE = 'letters, digits, "_", "." and "-", starting with a letter or digit, at most 128';
/** Networks a server may not join: they are the engine's own, not an application's. */
const RESERVED_NETWORKS = new Set(['host', 'none', 'bridge', 'ingress', 'docker_gwbridge']);
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:]{2,39}$/;

/** Normalises an absolute POSIX path (no "..", no empty parts, no trailing "/"); null when it is not one. */
export function normalAbsolutePath(p: string): string | null {
  if (!p.startsWith('/') || p.length > 4096 || /[\0\n\r,:]/.test(p)) return null;
  const parts = p.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return null;
  return `/${parts.join('/')}`;
}

/** Why a mount is refused, or null. `allowDockerSocket` lets a bind of the Docker socket through. */
export function mountProblem(m: MountSpec, allowDockerSocket = false): string | null {
  const target = normalAbsolutePath(m.target);
  if (target === null || target !== m.target) {
    return `mount target ${JSON.stringify(m.target.slice(0, 200))} must be an absolute path without "..", ",", ":" or a trailing "/"`;
  }
  if (target === '/') return 'a mount may not cover the container\'s "/"';
  if (m.kind === 'bind') {
    const source = normalAbsolutePath(m.source);
    if (source === null || source !== m.source) {
      return `mount source ${JSON.stringify(m.source.slice(0, 200))} must be an absolute host path without "..", ",", ":" or a trailing "/"`;
    }
    if (source === '/') return 'the host\'s "/" may not be mounted';
    if (DOCKER_SOCKET_PATHS.includes(source) && !allowDockerSocket) {
      return `${source} is the Docker socket: it gives the server the whole host; add --allow-docker-socket if that is meant`;
    }
    return null;
  }
  if (!DOCKER_NAME.test(m.source))
    return `volume name ${JSON.stringify(m.source.slice(0, 200))} must be ${DOCKER_NAME_RULE}`;
  return null;
}

/** Why a network name is refused, or null. */
export function networkProblem(name: string): string | null {
  if (!DOCKER_NAME.test(name))
    return `network name ${JSON.stringify(name.slice(0, 200))} must be ${DOCKER_NAME_RULE}`;
  if (RESERVED_NETWORKS.has(name)) return `network "${name}" is Docker's own; name an application network`;
  return null;
}

/** Why an extra host line is refused, or null. */
export function extraHostProblem(h: ExtraHost): string | null {
  if (!HOST_NAME.test(h.name))
    return `--add-host name ${JSON.stringify(h.name.slice(0, 200))} must be a host name`;
  if (!IPV4.test(h.ip) && !(IPV6.test(h.ip) && h.ip.includes(':'))) {
    return `--add-host address ${JSON.stringify(h.ip.slice(0, 200))} must be an IPv4 or IPv6 address`;
  }
  return null;
}

/** Why a whole reach is refused (each part, then duplicates), or null. */
export function reachProblem(r: ServerReach): string | null {
  if (r.mounts.length > 64 || r.networks.length > 16 || r.extraHosts.length > 64) {
    return 'at most 64 mounts, 16 networks and 64 extra hosts';
  }
  const targets = new Set<string>();
  for (const m of r.mounts) {
    const problem = mountProblem(m, r.allowDockerSocket);
    if (problem !== null) return problem;
    if (targets.has(m.target)) return `two mounts share the container path ${m.target}`;
    targets.add(m.target);
  }
  const networks = new Set<string>();
  for (const n of r.networks) {
    const problem = networkProblem(n);
    if (problem !== null) return problem;
    if (networks.has(n)) return `network "${n}" is given twice`;
    networks.add(n);
  }
  const names = new Set<string>();
  for (const h of r.extraHosts) {
    const problem = extraHostProblem(h);
    if (problem !== null) return problem;
    if (names.has(h.name.toLowerCase())) return `--add-host ${h.name} is given twice`;
    names.add(h.name.toLowerCase());
  }
  return null;
}

/** `HOST_PATH:CONTAINER_PATH[:ro|:rw]` (ro when left out); throws Error with the rule. */
export function parseBindFlag(text: string): MountSpec {
  const parts = text.split(':');
  const mode = parts.length === 3 ? parts[2] : parts.length === 2 ? 'ro' : undefined;
  if ((mode !== 'ro' && mode !== 'rw') || parts[0] === undefined || parts[1] === undefined) {
    throw new Error(
      `--mount ${JSON.stringify(text.slice(0, 200))} must be HOST_PATH:CONTAINER_PATH[:ro|:rw]`,
    );
  }
  return { kind: 'bind', source: parts[0], target: parts[1], readOnly: mode === 'ro' };
}

/** `NAME:CONTAINER_PATH[:ro|:rw]` (rw when left out: a volume is the server's own); throws Error with the rule. */
export function parseVolumeFlag(text: string, shared: boolean): MountSpec {
  const parts = text.split(':');
  const mode = parts.length === 3 ? parts[2] : parts.length === 2 ? 'rw' : undefined;
  if ((mode !== 'ro' && mode !== 'rw') || parts[0] === undefined || parts[1] === undefined) {
    throw new Error(`--volume ${JSON.stringify(text.slice(0, 200))} must be NAME:CONTAINER_PATH[:ro|:rw]`);
  }
  return { kind: 'volume', source: parts[0], target: parts[1], readOnly: mode === 'ro', shared };
}

/** `NAME:IP` (an IPv6 address keeps its colons: the name ends at the first one); throws Error with the rule. */
export function parseAddHostFlag(text: string): ExtraHost {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) {
    throw new Error(`--add-host ${JSON.stringify(text.slice(0, 200))} must be NAME:IP`);
  }
  return { name: text.slice(0, at), ip: text.slice(at + 1) };
}

/** The flag form of a mount, as parseBindFlag/parseVolumeFlag read it. */
export function mountFlag(m: MountSpec): string {
  return `${m.source}:${m.target}:${m.readOnly ? 'ro' : 'rw'}`;
}

/**
 * The Docker volume a named volume becomes on a host: one per server, or per member in Dedicated mode
 * unless it is shared, so members never see each other's files. Names are Docker-safe by construction.
 */
export function volumeName(
  server: string,
  m: { source: string; shared: boolean },
  member: string | null,
): string {
  return member === null || m.shared
    ? `mcp-fleet-${server}-${m.source}`
    : `mcp-fleet-${server}-${member}-${m.source}`;
}

const MountSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('bind'),
    source: z.string().max(4096),
    target: z.string().max(4096),
    readOnly: z.boolean().default(true),
  }),
  z.strictObject({
    kind: z.literal('volume'),
    source: z.string().max(128),
    target: z.string().max(4096),
    readOnly: z.boolean().default(false),
    shared: z.boolean().default(false),
  }),
]);

/** The contract's form of a reach: each part checked by reachProblem. */
export const ServerReachSchema = z
  .strictObject({
    mounts: z.array(MountSchema).max(64).default([]),
    networks: z.array(z.string().max(128)).max(16).default([]),
    extraHosts: z
      .array(z.strictObject({ name: z.string().max(253), ip: z.string().max(64) }))
      .max(64)
      .default([]),
    allowDockerSocket: z.boolean().default(false),
  })
  .superRefine((value, ctx) => {
    const problem = reachProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
