/**
 * Lists a server's tools as a given definition would serve them, before that definition is saved: its
 * runtime image (the one a deploy runs; built on the host when missing, which the rollout needs anyway)
 * is started once as a throwaway container speaking stdio over Docker attach, asked initialize and every
 * page of tools/list, and removed. `servers set --version` compares the current and the new version so.
 *
 * The server's command and environment (secret values too) go to the container on its standard input,
 * read by a few lines of Node that then start the server: never in the container's config, where
 * `docker inspect` would show them. The container is hardened as an instance is and publishes no port.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, type Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { FleetError } from '../../shared/errors';
import type { ToolDefinition } from '../../shared/tool-diff';
import type { DockerHost } from '../docker/docker-host';
import type { HostTarget } from '../host-ops/instance-ops';
import { DEFAULT_LIMITS, RUNTIME_GID, RUNTIME_UID, UVX_LIMITS } from '../instance-spec/constants';
import { tmpfsOptions } from '../instance-spec/instance-spec';
import { serverCommand } from '../instance-spec/server-command';
import type { Limits, SourceImageConfig } from '../instance-spec/types';
import type { EnsuredImage } from '../deploy/runtime-images';
import type { Store } from '../store/store';
import type { EnvEntry, HostRecord, ServerRecord } from '../store/types';
import { StdioRpc } from './stdio-rpc';

/** On probe containers only: never LABELS.server, so no deploy takes one for an instance. */
export const PROBE_LABEL = 'io.mcp-fleet.probe';

/** The tools of the current and the next definition, listed on `host` (null: the server runs nowhere). */
export interface ToolLists {
  host: string | null;
  before: ToolDefinition[];
  after: ToolDefinition[];
}

export interface ToolProbeDeps {
  store: Store;
  targets: { target(host: HostRecord): Promise<HostTarget> };
  /** RuntimeImages: the image a deploy on that host runs (the host's own settings apply). */
  images: {
    ensure(
      on: { docker: DockerHost; hostId: string },
      server: ServerRecord,
      onProgress?: (line: string) => void,
    ): Promise<EnsuredImage>;
  };
  /** The hosts the server runs on (DeployService.hostsOf); the first is probed. */
  hostsOf(server: ServerRecord): HostRecord[];
  clientVersion: string;
  /** How long one listing may take, start to removal; default 120 s (a uvx server fetches its package). */
  timeoutMs?: number;
}

/** Node run as the container's entrypoint: reads {argv, env} from the first line, then runs the server. */
const LAUNCHER = `const { spawn } = require('node:child_process');
let head = Buffer.alloc(0);
let child = null;
const start = (line, rest) => {
  const { argv, env } = JSON.parse(line);
  const base = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER']) if (process.env[k] !== undefined) base[k] = process.env[k];
  child = spawn(argv[0], argv.slice(1), { env: { ...base, ...env }, stdio: ['pipe', 'inherit', 'inherit'] });
  child.on('error', (e) => { process.stderr.write('cannot start ' + argv[0] + ': ' + e.message + '\\n'); process.exit(127); });
  child.on('exit', (code) => process.exit(code === null ? 1 : code));
  child.stdin.on('error', () => {});
  if (rest.length > 0) child.stdin.write(rest);
};
process.stdin.on('data', (d) => {
  if (child) { child.stdin.write(d); return; }
  head = Buffer.concat([head, d]);
  const nl = head.indexOf(10);
  if (nl !== -1) start(head.subarray(0, nl).toString('utf8'), head.subarray(nl + 1));
});
process.stdin.on('end', () => { if (child) child.stdin.end(); else process.exit(0); });
`;

export interface ProbeContainerInput {
  server: ServerRecord;
  image: string;
  /** An image source's own working folder; null keeps the runtime image's (/opt/mcp-server). */
  workingDir: string | null;
  limits: Limits;
}

/**
 * The create options of a probe container. They hold neither the command nor any env value: both go
 * on standard input. The reach's bind mounts come along read-only, its volumes as empty tmpfs folders
 * (a probe creates no volume), its networks not at all (listing tools needs none).
 */
export function probeContainerOptions(input: ProbeContainerInput): Dockerode.ContainerCreateOptions {
  const { server, limits } = input;
  const reach = server.reach;
  const tmpfs: Record<string, string> = { '/tmp': tmpfsOptions(limits) };
  for (const m of reach.mounts) if (m.kind === 'volume') tmpfs[m.target] = 'rw,noexec,nosuid,size=16m';
  return {
    name: `mcp-fleet-probe-${server.name}-${randomBytes(4).toString('hex')}`,
    Image: input.image,
    Entrypoint: ['node', '-e', LAUNCHER],
    Cmd: [],
    User: `${RUNTIME_UID}:${RUNTIME_GID}`,
    ...(input.workingDir === null ? {} : { WorkingDir: input.workingDir }),
    Labels: { [PROBE_LABEL]: server.name },
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    HostConfig: {
      Binds: reach.mounts.flatMap((m) => (m.kind === 'bind' ? [`${m.source}:${m.target}:ro`] : [])),
      ExtraHosts: reach.extraHosts.map((h) => `${h.name}:${h.ip}`),
      Tmpfs: tmpfs,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Init: true,
      PidsLimit: limits.pidsLimit,
      Memory: limits.memoryBytes,
      NanoCpus: limits.nanoCpus,
      AutoRemove: false,
    },
  };
}

/** What the server's process is given: its command and env as an instance of it would have them. */
export function probeLaunch(
  server: ServerRecord,
  imageConfig: SourceImageConfig | undefined,
  memberEnv: readonly EnvEntry[],
): { argv: string[]; env: Record<string, string> } {
  const argv = serverCommand(server, imageConfig);
  const env: Record<string, string> = {};
  for (const pair of imageConfig?.env ?? []) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && key !== 'HOME') env[key] = pair.slice(eq + 1);
  }
  for (const e of [...server.env, ...memberEnv]) env[e.key] = e.value;
  return { argv, env };
}

export class ToolProbe {
  constructor(private readonly d: ToolProbeDeps) {}

  /**
   * The tools of `current` and of `next` (the same server, changed), each listed by a throwaway
   * container on the first host that runs the server. Throws FleetError: the SSH and Docker errors,
   * the runtime-image errors (a version that cannot be built, an image not on the host), and
   * unavailable when a version does not answer tools/list (with its last output, secrets masked).
   */
  async compare(
    current: ServerRecord,
    next: ServerRecord,
    onProgress: (line: string) => void,
  ): Promise<ToolLists> {
    const host = this.d.hostsOf(current)[0];
    if (host === undefined) return { host: null, before: [], after: [] };
    const target = await this.d.targets.target(host);
    const before = await this.list(target, current, onProgress);
    const after = await this.list(target, next, onProgress);
    return { host: host.name, before, after };
  }

  private async list(
    target: HostTarget,
    server: ServerRecord,
    onProgress: (line: string) => void,
  ): Promise<ToolDefinition[]> {
    const docker = target.docker;
    onProgress(`listing the tools of ${server.sourceValue} on ${docker.where.hostName}`);
    const image = await this.d.images.ensure(target, server, onProgress);
    const launch = probeLaunch(server, image.imageConfig, this.memberEnv(server));
    const secrets = [...server.env, ...this.memberEnv(server)]
      .filter((e) => e.secret && e.value !== '')
      .map((e) => e.value);
    const options = probeContainerOptions({
      server,
      image: image.tag,
      workingDir: server.sourceKind === 'image' ? image.imageConfig?.workingDir || '/' : null,
      limits: this.limits(server),
    });
    const what = `${server.sourceValue} on ${docker.where.hostName}`;
    const id = await docker.create(options);
    const stderr: string[] = [];
    let stream: Duplex | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const container = docker.docker.getContainer(id);
      stream = (await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as Duplex;
      const out = new PassThrough();
      const err = new PassThrough();
      docker.docker.modem.demuxStream(stream, out, err);
      stream.on('end', () => out.end());
      stream.on('error', (e) => out.destroy(e));
      err.setEncoding('utf8');
      err.on('data', (chunk: string) => {
        stderr.push(chunk);
        while (stderr.join('').length > 4096 && stderr.length > 1) stderr.shift();
      });
      const rpc = new StdioRpc(out, stream);
      const timeoutMs = this.d.timeoutMs ?? 120_000;
      timer = setTimeout(
        () => rpc.close(new Error(`it did not list its tools within ${Math.round(timeoutMs / 1000)} s`)),
        timeoutMs,
      );
      await docker.start(id);
      stream.write(`${JSON.stringify(launch)}\n`);
      const tools = await rpc.listTools(this.d.clientVersion);
      return tools.map((t) => t as unknown as ToolDefinition);
    } catch (err) {
      if (err instanceof FleetError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      const state = (await docker.inspect(id).catch(() => null))?.State;
      const exited = state !== undefined && !state.Running ? ` (it exited with code ${state.ExitCode})` : '';
      throw new FleetError(
        'unavailable',
        `could not list the tools of ${what}: ${why}${exited}${lastOutput(stderr.join(''), secrets)}`,
      );
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      stream?.destroy();
      await docker.remove(id).catch(() => undefined);
    }
  }

  /** Dedicated: the first member's own values, as that member's instance has them. */
  private memberEnv(server: ServerRecord): EnvEntry[] {
    if (server.mode !== 'dedicated') return [];
    const first = this.d.store.members.listByServer(server.id).sort((a, b) => (a.name < b.name ? -1 : 1))[0];
    return first === undefined ? [] : (this.d.store.deployState.member(first.id)?.env ?? []);
  }

  private limits(server: ServerRecord): Limits {
    const saved = this.d.store.deployState.serverOptions(server.id).limits ?? {};
    return {
      ...DEFAULT_LIMITS,
      ...(server.sourceKind === 'uvx' ? UVX_LIMITS : {}),
      ...Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)),
    };
  }
}

/** The end of the server's error output, one line, secret values masked; '' when it wrote none. */
function lastOutput(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const s of secrets) masked = masked.split(s).join('••••');
  const line = masked.replace(/\s+/g, ' ').trim().slice(-400);
  return line === '' ? '' : `; last output: ${line}`;
}
