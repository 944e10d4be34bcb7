/**
 * buildInstanceSpec: the canonical description of one instance, from the server definition, its
 * member(s), the host-side folder, the runtime image tag and the port. Deploy and every export read
 * this and nothing else, so they cannot disagree about how an instance runs.
 */
import path from 'node:path';
import { bridgeLimitArgs, rootFlagText } from '../../shared/bridge-settings';
import { FleetError } from '../../shared/errors';
import { splitPackage } from '../server/source';
import type { EnvEntry, MemberRecord, ServerRecord } from '../store/types';
import { parseCidrs, parsePublishAddress } from './address';
import { computeConfigHash } from './config-hash';
import {
  APPROVED_FILE_NAME,
  CONTAINER_APPROVED_FILE,
  CONTAINER_ENV_FILE,
  CONTAINER_MEMBERS_FILE,
  CONTAINER_PINS_DIR,
  CONTAINER_PORT,
  CONTAINER_TLS_CERT_FILE,
  CONTAINER_TLS_KEY_FILE,
  DEFAULT_LIMITS,
  ENV_FILE_NAME,
  LABELS,
  MEMBERS_FILE_NAME,
  MIB,
  PINS_DIR_NAME,
  RUNTIME_GID,
  RUNTIME_UID,
  TLS_CERT_FILE_NAME,
  TLS_KEY_FILE_NAME,
  UVX_LIMITS,
} from './constants';
import {
  assertWritable,
  envFileContent,
  envFilePlainContent,
  envParts,
  membersFileContent,
} from './file-contents';
import { assertHostPath, containerName, stateVolumeName } from './names';
import { prepareContainer } from './prepare';
import { containerReach } from './reach';
import { serverCommand } from './server-command';
import type {
  ContainerSpec,
  HostFile,
  InstanceFiles,
  InstanceSpec,
  Limits,
  MountSpec,
  SourceImageConfig,
  TlsMaterial,
} from './types';

export interface InstanceSpecInput {
  server: ServerRecord;
  /** Shared: the server's members (at least one). Dedicated: exactly the member this instance serves. */
  members: readonly MemberRecord[];
  /** Dedicated: the member's own env values (a personal API key), added after the server's. */
  memberEnv?: readonly EnvEntry[];
  /** The runtime image tag (`mcp-fleet/runtime:<hash>`, see services/runtime-image). */
  image: string;
  /** Required for an image source: what that image runs (`docker image inspect`). */
  imageConfig?: SourceImageConfig;
  /** Host port, stable across redeploys. */
  port: number;
  /** Address the port is published on; '' (default) for all interfaces. */
  publishAddress?: string;
  /** Absolute host folder for this instance's files (instanceConfigDir). */
  configDir: string;
  /** Source ranges the bridge admits (--allow-cidr); none: any source with a valid token. */
  allowCidrs?: readonly string[];
  /** Per-server changes to the default limits. */
  limits?: Partial<Limits>;
  /** The bridge's certificate and key; absent or null: plain HTTP (a server deployed with --no-tls). */
  tls?: TlsMaterial | null;
  /** The approved set's file content (tool pinning); absent: the bridge runs without --approved. */
  approved?: string;
}

/** Servers known to keep state in a file: a named volume holds it, the env var points there. */
const STATEFUL: Record<string, { envKey: string; file: string }> = {
  '@modelcontextprotocol/server-memory': {
    envKey: 'MEMORY_FILE_PATH',
    file: '/var/lib/mcp-server/memory.json',
  },
};

/** Throws FleetError('invalid_input') for a server no token could reach (no members yet). */
export function assertHasMembers(server: { name: string }, members: readonly unknown[]): void {
  if (members.length > 0) return;
  throw new FleetError(
    'invalid_input',
    `server "${server.name}" has no members, so no token could reach it: add one with \`mcp-fleet members add ${server.name} NAME\``,
  );
}

/** Throws FleetError('invalid_input') for anything that cannot run as given; names the field at fault. */
export function buildInstanceSpec(input: InstanceSpecInput): InstanceSpec {
  const { server } = input;
  const mode = server.mode;
  const members = [...input.members].sort((a, b) => (a.name < b.name ? -1 : 1));
  assertHasMembers(server, members);
  if (mode === 'dedicated' && members.length !== 1) {
    throw new FleetError(
      'invalid_input',
      `a Dedicated instance serves exactly one member, not ${members.length}`,
    );
  }
  if (mode === 'shared' && input.memberEnv !== undefined && input.memberEnv.length > 0) {
    throw new FleetError('invalid_input', 'per-member values apply to Dedicated instances only');
  }
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
    throw new FleetError('invalid_input', `port ${input.port} is not a port number (1-65535)`);
  }
  assertWritable(input.image, 'the image reference');
  const member = mode === 'dedicated' ? (members[0] as MemberRecord) : null;
  const name = containerName(server.name, member?.name ?? null);
  const configDir = assertHostPath(input.configDir.replace(/\/+$/, ''), 'the instance folder');
  const publishAddress = parsePublishAddress(input.publishAddress ?? '');
  const cidrs = parseCidrs(input.allowCidrs ?? []).map((c) => c.text);
  const limits = resolveLimits(server, input.limits);
  const bridgeFlags = sharedModeFlags(server);

  server.args.forEach((word, i) => assertWritable(word, `server argument ${i + 1}`));
  const argv = serverCommand(server, input.imageConfig);
  argv.forEach((word) => assertWritable(word, "a word of the server's command"));

  const state = stateOf(server);
  const env: EnvEntry[] = [
    ...imageEnv(input.imageConfig),
    ...(state ? [{ key: state.envKey, value: state.file, secret: false }] : []),
    ...server.env,
    ...(input.memberEnv ?? []),
  ];
  const parts = envParts(env);
  const tls = input.tls ?? null;
  if (tls) {
    assertPem(tls.certPem, 'CERTIFICATE', 'the TLS certificate');
    assertPem(tls.keyPem, 'PRIVATE KEY', 'the TLS private key');
  }
  const files: InstanceFiles = {
    env: {
      ...hostFile(
        configDir,
        ENV_FILE_NAME,
        CONTAINER_ENV_FILE,
        envFileContent(parts),
        parts.secret.length > 0,
      ),
      plainContent: envFilePlainContent(parts),
      secretKeys: parts.secretKeys,
    },
    members: hostFile(
      configDir,
      MEMBERS_FILE_NAME,
      CONTAINER_MEMBERS_FILE,
      membersFileContent(members),
      false,
    ),
    tls: tls
      ? {
          cert: hostFile(configDir, TLS_CERT_FILE_NAME, CONTAINER_TLS_CERT_FILE, tls.certPem, false),
          key: hostFile(configDir, TLS_KEY_FILE_NAME, CONTAINER_TLS_KEY_FILE, tls.keyPem, true),
        }
      : null,
  };
  const pinsDir = path.posix.join(configDir, PINS_DIR_NAME);
  const approved =
    input.approved === undefined
      ? null
      : { dir: pinsDir, hostPath: path.posix.join(pinsDir, APPROVED_FILE_NAME), content: input.approved };
  const stateVolume = state ? { name: stateVolumeName(name), target: path.posix.dirname(state.file) } : null;
  const reach = containerReach(server, member?.name ?? null, stateVolume?.target ?? null);

  const mounts: MountSpec[] = [
    { type: 'bind', source: files.env.hostPath, target: files.env.containerPath, readOnly: true },
    { type: 'bind', source: files.members.hostPath, target: files.members.containerPath, readOnly: true },
    ...(files.tls
      ? [files.tls.cert, files.tls.key].map((f) => ({
          type: 'bind' as const,
          source: f.hostPath,
          target: f.containerPath,
          readOnly: true,
        }))
      : []),
    ...(stateVolume
      ? [{ type: 'volume' as const, source: stateVolume.name, target: stateVolume.target, readOnly: false }]
      : []),
    ...(approved
      ? [{ type: 'bind' as const, source: approved.dir, target: CONTAINER_PINS_DIR, readOnly: true }]
      : []),
    // The server's own mounts come last: a server without them keeps the list (and hash) it had.
    ...reach.mounts,
  ];
  const labels: Record<string, string> = {
    [LABELS.server]: server.name,
    [LABELS.instance]: name,
    ...(member ? { [LABELS.member]: member.name } : {}),
  };
  const container: ContainerSpec = {
    name,
    image: input.image,
    entrypoint: null,
    cmd: [
      ...['--port', String(CONTAINER_PORT), '--host', '0.0.0.0'],
      ...['--members', CONTAINER_MEMBERS_FILE, '--mode', mode],
      ...(files.tls ? ['--tls-cert', CONTAINER_TLS_CERT_FILE, '--tls-key', CONTAINER_TLS_KEY_FILE] : []),
      ...(approved ? ['--approved', CONTAINER_APPROVED_FILE] : []),
      ...bridgeFlags,
      // The app reaches the bridge through the host's SSH session, so from the host itself: the
      // container's gateway. The bridge admits it beside the ranges (see src-bridge/README.md).
      ...cidrs.flatMap((cidr) => ['--allow-cidr', cidr]),
      ...(cidrs.length > 0 ? ['--allow-gateway'] : []),
      ...['--env-file', CONTAINER_ENV_FILE, '--'],
      ...argv,
    ],
    user: `${RUNTIME_UID}:${RUNTIME_GID}`,
    // The runtime image works in /opt/mcp-server; an image source's command expects its own folder.
    workdir: server.sourceKind === 'image' ? input.imageConfig?.workingDir || '/' : null,
    env: {},
    labels,
    network: null,
    ports: [
      {
        // With an allowlist, all interfaces means IPv4 only: docker-proxy relays IPv6 clients to an
        // IPv4-only container from the gateway's address, which the bridge admits as the host.
        hostIp: publishAddress === '' && cidrs.length > 0 ? '0.0.0.0' : publishAddress,
        hostPort: input.port,
        containerPort: CONTAINER_PORT,
      },
    ],
    mounts,
    tmpfs: { '/tmp': tmpfsOptions(limits) },
    extraNetworks: reach.extraNetworks,
    extraHosts: reach.extraHosts,
    capDrop: ['ALL'],
    capAdd: [],
    securityOpt: ['no-new-privileges'],
    readOnlyRootfs: true,
    init: true,
    pidsLimit: limits.pidsLimit,
    memoryBytes: limits.memoryBytes,
    nanoCpus: limits.nanoCpus,
    restart: 'unless-stopped',
    autoRemove: false,
  };
  const configHash = computeConfigHash(container, listFiles(files), members);
  container.labels[LABELS.configHash] = configHash;

  return {
    server: server.name,
    member: member?.name ?? null,
    mode,
    configDir,
    files,
    approved,
    stateVolume,
    prepare: prepareContainer({
      image: input.image,
      instance: name,
      configDir,
      files: listFiles(files).map((f) => path.posix.basename(f.hostPath)),
      stateVolume,
      volumes: reach.volumes,
    }),
    container,
    configHash,
    port: input.port,
    tls: files.tls !== null,
  };
}

/** Every file an instance reads, in a fixed order: env, members, then the TLS certificate and key. */
export function listFiles(files: InstanceFiles): HostFile[] {
  return [files.env, files.members, ...(files.tls ? [files.tls.cert, files.tls.key] : [])];
}

function assertPem(text: string, label: string, what: string): void {
  assertWritable(text, what);
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(text)) {
    throw new FleetError('invalid_input', `${what} is not PEM (no BEGIN ${label} line)`);
  }
}

function hostFile(dir: string, file: string, containerPath: string, content: string, secret: boolean) {
  return { hostPath: path.posix.join(dir, file), containerPath, content, mode: 0o600, secret };
}

/**
 * The bridge flags for the server's roots and caps. Only what is set: a server without them renders the
 * argv (and so the config hash) it always did, and its running containers are left alone.
 * Throws FleetError('invalid_input') for roots on a Dedicated server, which the bridge refuses to start with.
 */
function sharedModeFlags(server: ServerRecord): string[] {
  if (server.mode === 'dedicated' && server.roots.length > 0) {
    throw new FleetError(
      'invalid_input',
      `server "${server.name}" is Dedicated: roots (--root) are for Shared servers only`,
    );
  }
  const roots = server.roots.map((root, i) => {
    const text = rootFlagText(root);
    assertWritable(text, `root ${i + 1}`);
    return ['--root', text];
  });
  return [...roots.flat(), ...bridgeLimitArgs(server.bridgeLimits)];
}

function resolveLimits(server: ServerRecord, overrides: Partial<Limits> | undefined): Limits {
  const limits: Limits = {
    ...DEFAULT_LIMITS,
    ...(server.sourceKind === 'uvx' ? UVX_LIMITS : {}),
    ...(overrides ?? {}),
  };
  const positive = (value: number, what: string, min: number): void => {
    if (!Number.isInteger(value) || value < min)
      throw new FleetError('invalid_input', `${what} must be at least ${min}`);
  };
  positive(limits.memoryBytes, 'the memory limit (bytes)', 6 * MIB);
  positive(limits.nanoCpus, 'the CPU limit (nano-CPUs)', 10_000_000);
  positive(limits.pidsLimit, 'the process limit', 16);
  positive(limits.tmpfsSizeBytes, 'the /tmp size (bytes)', MIB);
  return limits;
}

/** Docker's tmpfs options; the size in MiB when it divides, so `docker inspect` reads naturally. */
export function tmpfsOptions(limits: Limits): string {
  const size =
    limits.tmpfsSizeBytes % MIB === 0 ? `${limits.tmpfsSizeBytes / MIB}m` : String(limits.tmpfsSizeBytes);
  return ['rw', ...(limits.tmpExec ? [] : ['noexec']), 'nosuid', `size=${size}`].join(',');
}

function stateOf(server: ServerRecord): { envKey: string; file: string } | null {
  if (server.sourceKind !== 'npx') return null;
  const known = STATEFUL[splitPackage('npx', server.sourceValue).name];
  if (!known) return null;
  // An absolute path the operator chose keeps its place; the volume goes to its folder instead.
  const chosen = server.env.find((e) => e.key === known.envKey && !e.secret)?.value;
  return chosen !== undefined && chosen.startsWith('/') && chosen.length > 1
    ? { envKey: known.envKey, file: chosen }
    : known;
}

/** An image source's ENV, which the bridge would not pass on by itself; its HOME is not writable here. */
function imageEnv(config: SourceImageConfig | undefined): EnvEntry[] {
  if (!config) return [];
  return config.env.flatMap((pair) => {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || key === 'HOME') return [];
    return [{ key, value: pair.slice(eq + 1), secret: false }];
  });
}
