/**
 * Runtime images pushed to the push-registry setting (issue 13), so that every Swarm node, or a
 * Kubernetes cluster, pulls the very bytes the host built. The image is tagged
 * `<registry>/<local repository>:<tag>` on the host's engine (the same road deploy takes: the held SSH
 * session's forwarded socket, or this machine's) and pushed from there; afterwards it is named by digest,
 * `<ref>@sha256:…`. The digests pushed are remembered in a small file in the data directory, so an export
 * can name them without reaching any registry.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FleetError } from '../../shared/errors';
import { engineMessage } from '../docker/docker-errors';
import type { DockerHost } from '../docker/docker-host';
import { bounded } from '../host-ops/engine-call';
import type { HostTargets } from '../host-ops/host-targets';
import type { HostRecord, ServerRecord } from '../store/types';
import type { Store } from '../store/store';
import { registryHost, type RegistryCredentials } from './registry-credentials';
import type { RuntimeImages } from './runtime-images';

export interface PushedImage {
  /** The push-registry value the image went to. */
  registry: string;
  /** `<registry>/<repository>:<tag>`. */
  ref: string;
  /** `sha256:…` of the manifest the registry stored. */
  digest: string;
  /** `<ref>@<digest>`: what services and exports name. */
  pinned: string;
}

export interface ServerPush extends PushedImage {
  server: string;
  host: string;
  /** The local tag the host built (or had). */
  local: string;
  built: boolean;
}

export interface ImagePusherDeps {
  store: Store;
  targets: HostTargets;
  images: RuntimeImages;
  credentials: RegistryCredentials;
  /** The effective push-registry for a host (its id), or the fleet's for null; null when unset. */
  registryFor(hostId: string | null): string | null;
  /** Hosts the server runs on (deploy's rule), for `images push` without --host. */
  hostsOf(server: ServerRecord): HostRecord[];
  /** Where pushed digests are remembered between processes; none in some tests. */
  cacheFile: string | null;
}

interface PushEvent {
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/** The ref a local tag gets in a registry: `mcp-fleet/runtime:abc` → `REGISTRY/mcp-fleet/runtime:abc`. */
export function pushRef(registry: string, localTag: string): string {
  return `${registry}/${localTag}`;
}

export class ImagePusher {
  constructor(private readonly d: ImagePusherDeps) {}

  /** The effective push-registry for a host id (null: the fleet's), or null when none is set. */
  registryFor(hostId: string | null): string | null {
    return this.d.registryFor(hostId);
  }

  /**
   * `images push SERVER [--host H]`: makes the server's runtime image present on the host (building it
   * there when absent) and pushes it. Throws FleetError: invalid_input (no push-registry, no host to
   * choose), not_found, the build's and Docker's errors, unavailable or unauthorized from the registry.
   */
  async pushServer(
    serverName: string,
    hostName: string | undefined,
    progress: (line: string) => void = () => {},
  ): Promise<ServerPush> {
    const server = this.d.store.servers.getByName(serverName);
    if (!server) throw new FleetError('not_found', `no server named "${serverName}"`);
    const host = hostName === undefined ? this.onlyHost(server) : this.d.targets.host(hostName);
    const registry = this.required(host);
    progress(`connecting to ${host.name}`);
    const target = await this.d.targets.target(host);
    // Before anything is built or tagged: a registry that cannot be reached, or refuses, changes nothing.
    await this.check(target.docker, registry);
    const image = await this.d.images.ensure(target, server, progress);
    const pushed = await this.pushTag(target.docker, registry, image.tag, progress, false);
    return { ...pushed, server: server.name, host: host.name, local: image.tag, built: image.built };
  }

  /**
   * Pushes a local tag the host's engine has to the host's push-registry (deploy --swarm). Throws
   * FleetError: invalid_input without a push-registry, unavailable or unauthorized from the registry.
   */
  async push(
    docker: DockerHost,
    hostId: string,
    localTag: string,
    progress: (line: string) => void = () => {},
  ): Promise<PushedImage> {
    const registry = this.d.registryFor(hostId);
    if (registry === null) throw new FleetError('invalid_input', 'no push-registry is set');
    return this.pushTag(docker, registry, localTag, progress, true);
  }

  /** `ref@digest` of a local tag pushed to the host's push-registry, or null (none set, not pushed). */
  pinnedFor(hostId: string, localTag: string): string | null {
    const registry = this.d.registryFor(hostId);
    if (registry === null) return null;
    const { ref, digest } = this.exported(registry, localTag);
    return digest === null ? null : `${ref}@${digest}`;
  }

  /** What an export names for a local tag: the pushed ref, with its digest once pushed. */
  exported(registry: string, localTag: string): { ref: string; digest: string | null } {
    const ref = pushRef(registry, localTag);
    return { ref, digest: this.readCache()[ref] ?? null };
  }

  private async pushTag(
    docker: DockerHost,
    registry: string,
    localTag: string,
    progress: (line: string) => void,
    check: boolean,
  ): Promise<PushedImage> {
    if (check) await this.check(docker, registry);
    const ref = pushRef(registry, localTag);
    const colon = ref.lastIndexOf(':');
    const repo = ref.slice(0, colon);
    const tag = ref.slice(colon + 1);
    const hadTag = await docker.hasImage(ref);
    const engine = docker.docker;
    try {
      await bounded(docker, engine.getImage(localTag).tag({ repo, tag }), `tagging ${ref}`);
    } catch (err) {
      throw this.engineError(docker, err, `tagging ${localTag} as ${ref}`);
    }
    try {
      progress(`pushing ${ref} from ${docker.where.hostName}`);
      const digest = await this.pushStream(docker, registry, ref, tag, progress);
      this.remember(ref, digest);
      progress(`pushed ${ref}@${digest}`);
      return { registry, ref, digest, pinned: `${ref}@${digest}` };
    } catch (err) {
      // A refused push leaves the host as it was: the registry tag goes again (the image keeps its own).
      if (!hadTag) await docker.removeImage(ref).catch(() => false);
      throw err;
    }
  }

  private async pushStream(
    docker: DockerHost,
    registry: string,
    ref: string,
    tag: string,
    progress: (line: string) => void,
  ): Promise<string> {
    const credential = this.d.credentials.get(registry);
    const authconfig =
      credential === null ? undefined : { ...credential, serveraddress: registryHost(registry) };
    let stream: NodeJS.ReadableStream;
    try {
      stream = await bounded(
        docker,
        docker.docker.getImage(ref).push({
          tag,
          ...(authconfig === undefined ? {} : { authconfig }),
        }),
        `pushing ${ref}`,
      );
    } catch (err) {
      throw this.engineError(docker, err, `pushing ${ref}`);
    }
    const events = await new Promise<PushEvent[]>((resolve, reject) => {
      docker.docker.modem.followProgress(
        stream,
        (err: Error | null, output: PushEvent[]) => (err ? reject(err) : resolve(output)),
        (event: PushEvent) => {
          if (event.status !== undefined && /Pushed|digest:/.test(event.status)) progress(event.status);
        },
      );
    }).catch((err: unknown) => {
      throw new FleetError(
        'unavailable',
        `pushing ${ref} from ${docker.where.hostName} was cut off: ${engineMessage(err)}`,
        { cause: err },
      );
    });
    const failure = events.find((e) => e.error !== undefined || e.errorDetail !== undefined);
    if (failure !== undefined) {
      throw registryError(
        registry,
        docker.where.hostName,
        failure.errorDetail?.message ?? failure.error ?? '',
        credential !== null,
      );
    }
    const digest = events.find((e) => e.aux?.Digest !== undefined)?.aux?.Digest ?? '';
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw new FleetError(
        'unavailable',
        `the engine on ${docker.where.hostName} pushed ${ref} to ${registryHost(registry)} but reported no digest`,
      );
    }
    return digest;
  }

  /**
   * The engine logs in to the registry (POST /auth: the registry's /v2/ with the credential, or none),
   * which says whether it can be reached and whether it takes the credential, with the HTTP status.
   */
  private async check(docker: DockerHost, registry: string): Promise<void> {
    const credential = this.d.credentials.get(registry);
    try {
      await bounded(
        docker,
        docker.docker.checkAuth({
          username: credential?.username ?? '',
          password: credential?.password ?? '',
          serveraddress: registryHost(registry),
        }) as Promise<unknown>,
        `reaching ${registryHost(registry)}`,
        30_000,
      );
    } catch (err) {
      if (err instanceof FleetError) throw err;
      throw registryError(registry, docker.where.hostName, engineMessage(err), credential !== null);
    }
  }

  private engineError(docker: DockerHost, err: unknown, what: string): FleetError {
    if (err instanceof FleetError) return err;
    return new FleetError(
      'unavailable',
      `${what} on ${docker.where.hostName} failed: ${engineMessage(err)}`,
      { cause: err },
    );
  }

  private required(host: HostRecord): string {
    const registry = this.d.registryFor(host.id);
    if (registry === null) {
      throw new FleetError(
        'invalid_input',
        `no push-registry is set for ${host.name}: \`mcp-fleet settings set push-registry HOST[:PORT][/PATH]\` (add --host ${host.name} for this host alone)`,
      );
    }
    return registry;
  }

  private onlyHost(server: ServerRecord): HostRecord {
    const hosts = this.d.hostsOf(server);
    if (hosts.length === 1) return hosts[0] as HostRecord;
    throw new FleetError(
      'invalid_input',
      hosts.length === 0
        ? `server "${server.name}" has not been deployed yet: say on which host to build its image with --host HOST`
        : `server "${server.name}" runs on ${hosts.map((h) => h.name).join(', ')}: say which with --host HOST`,
    );
  }

  private remember(ref: string, digest: string): void {
    const file = this.d.cacheFile;
    if (file === null) {
      this.memory[ref] = digest;
      return;
    }
    try {
      const cache = { ...this.readCache(), [ref]: digest };
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      // Only what exports name: without it they say the image has not been pushed yet.
    }
  }

  private readonly memory: Record<string, string> = {};

  private readCache(): Record<string, string> {
    if (this.d.cacheFile === null) return this.memory;
    try {
      return JSON.parse(readFileSync(this.d.cacheFile, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }
}

/**
 * The engine's words about a registry as an operator's sentence naming the registry and, where the
 * engine gave one, the HTTP status. The engine never echoes a credential; a URL's user part is cut anyway.
 */
export function registryError(
  registry: string,
  hostName: string,
  raw: string,
  withCredential?: boolean,
): FleetError {
  const name = registryHost(registry);
  const message = raw.replace(/\/\/[^/@\s]*@/g, '//').trim();
  const status = /status: (\d{3})(?: ([A-Za-z ]+))?/.exec(message);
  const login = `\`mcp-fleet images login ${name}\``;
  if (
    status?.[1] === '401' ||
    /no basic auth credentials|^unauthorized|authentication required/i.test(message)
  ) {
    const http = status
      ? `HTTP ${status[1]}${status[2] ? ` ${status[2].trim()}` : ''}`
      : 'HTTP 401 Unauthorized';
    const given = withCredential ?? !/no basic auth credentials/i.test(message);
    return new FleetError(
      'unauthorized',
      given
        ? `the registry ${name} refused the stored credential (${http}): check it and store it again with ${login}`
        : `the registry ${name} asks for a credential (${http}) and none is stored: ${login}`,
    );
  }
  if (status?.[1] === '403' || /^denied|requested access to the resource is denied/i.test(message)) {
    return new FleetError(
      'unauthorized',
      `the registry ${name} denied the push (HTTP 403 Forbidden): the account lacks push access there`,
    );
  }
  if (/server gave HTTP response to HTTPS client/i.test(message)) {
    return new FleetError(
      'unavailable',
      `the registry ${name} speaks plain HTTP, which the engine on ${hostName} uses only for registries in its insecure-registries (and 127.0.0.0/8): add it there, or serve it over HTTPS`,
    );
  }
  if (status) {
    return new FleetError(
      'unavailable',
      `the registry ${name} answered HTTP ${status[1]}${status[2] ? ` ${status[2].trim()}` : ''} to the engine on ${hostName}: ${message}`,
    );
  }
  if (
    /dial tcp|connection refused|no such host|timeout|deadline exceeded|network is unreachable|EOF/i.test(
      message,
    )
  ) {
    return new FleetError(
      'unavailable',
      `the registry ${name} cannot be reached from the engine on ${hostName}: ${message}`,
    );
  }
  return new FleetError('unavailable', `pushing to ${name} from ${hostName} failed: ${message}`);
}
