import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { DockerClient, DockerTransport } from './docker-client-factory';
import { mapDockerError, statusOf } from './docker-errors';
import type { DockerWhere } from './docker-errors';
import { buildImage } from './image-build';
import type { BuildContext, ImageBuildOptions } from './image-build';
import { demuxBuffer, demuxLines, destroyQuietly } from './log-stream';
import type { LogLine } from './log-stream';

export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  /** Docker's name for the architecture: amd64, arm64, … */
  arch: string;
}

export interface LogOptions {
  follow?: boolean;
  /** Lines from the end to start with; all when absent. */
  tail?: number;
  /** Unix seconds; as text, with a fraction ("1764669600.123456"), as the engine also reads it. */
  since?: number | string;
  timestamps?: boolean;
}

export interface StatsSnapshot {
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  pids: number | null;
}

/** A label filter: a value to match, or true for "has the label". */
export type LabelFilter = Record<string, string | true>;

/** manager: takes `deploy --swarm`; worker: in a Swarm but cannot; inactive: not in one. */
export type SwarmRole = 'manager' | 'worker' | 'inactive';

/**
 * One host's Docker engine with operator-worded errors. Every method throws FleetError (from
 * mapDockerError): not_found, conflict (name or port taken), unauthorized (login may not use Docker),
 * unavailable (engine down, connection lost).
 */
export class DockerHost {
  readonly docker: Dockerode;
  readonly transport: DockerTransport;
  readonly where: DockerWhere;

  constructor(client: DockerClient) {
    this.docker = client.docker;
    this.transport = client.transport;
    this.where = client.where;
  }

  async ping(): Promise<void> {
    await this.call('the engine', () => this.docker.ping());
  }

  async version(): Promise<EngineVersion> {
    const v = await this.call('the engine', () => this.docker.version());
    return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
  }

  info(): Promise<Record<string, unknown>> {
    return this.call('the engine', () => this.docker.info() as Promise<Record<string, unknown>>);
  }

  /** The engine's place in a Swarm (from `docker info`): a manager can take services. */
  async swarm(): Promise<{ role: SwarmRole; nodeId: string | null; state: string }> {
    const info = await this.info();
    const swarm = info.Swarm as
      { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string } | undefined;
    const state = swarm?.LocalNodeState || 'inactive';
    const role: SwarmRole =
      state !== 'active' ? 'inactive' : swarm?.ControlAvailable === true ? 'manager' : 'worker';
    return { role, nodeId: swarm?.NodeID || null, state };
  }

  /** Creates a container (not started); resolves to its id. */
  async create(options: Dockerode.ContainerCreateOptions): Promise<string> {
    const what = options.name ? `container ${options.name}` : 'the new container';
    const container = await this.call(what, () => this.docker.createContainer(options));
    return container.id;
  }

  /** Starts a container; one already running is left as it is. */
  async start(idOrName: string): Promise<void> {
    await this.tolerate(304, `container ${idOrName}`, () => this.docker.getContainer(idOrName).start());
  }

  /** Stops a container (SIGTERM, then SIGKILL after `timeoutSeconds`); one already stopped is left as it is. */
  async stop(idOrName: string, timeoutSeconds = 10): Promise<void> {
    await this.tolerate(304, `container ${idOrName}`, () =>
      this.docker.getContainer(idOrName).stop({ t: timeoutSeconds }),
    );
  }

  async restart(idOrName: string, timeoutSeconds = 10): Promise<void> {
    await this.call(`container ${idOrName}`, () =>
      this.docker.getContainer(idOrName).restart({ t: timeoutSeconds }),
    );
  }

  /** Removes a container, running or not, with its anonymous volumes; false when there was none. */
  async remove(idOrName: string): Promise<boolean> {
    return this.tolerate(404, `container ${idOrName}`, () =>
      this.docker.getContainer(idOrName).remove({ force: true, v: true }),
    );
  }

  /** The container's full description, or null when there is none. */
  async inspect(idOrName: string): Promise<Dockerode.ContainerInspectInfo | null> {
    return this.orNull(`container ${idOrName}`, () => this.docker.getContainer(idOrName).inspect());
  }

  /** Containers (running or not, unless `all` is false) carrying every given label. */
  listByLabel(labels: LabelFilter, all = true): Promise<Dockerode.ContainerInfo[]> {
    const label = Object.entries(labels).map(([k, v]) => (v === true ? k : `${k}=${v}`));
    return this.call('containers', () => this.docker.listContainers({ all, filters: { label } }));
  }

  /**
   * A container's log as lines, stdout and stderr told apart. With `follow` it goes on until the
   * container stops or the caller stops iterating (break, return, throw), which closes the stream.
   */
  async *logs(idOrName: string, options: LogOptions = {}): AsyncGenerator<LogLine> {
    const { source, tty } = await this.logSource(idOrName, options);
    try {
      yield* demuxLines(source, tty);
    } finally {
      destroyQuietly(source);
    }
  }

  /**
   * A container's log as it is now (no follow), as lines: read whole, then split in one pass (no
   * promise per line, most of what a long log costs when taken a line at a time). Throws as logs() does.
   * `tty`, when the caller knows it (a container's Tty never changes), saves the inspect.
   */
  async logLines(
    idOrName: string,
    options: Omit<LogOptions, 'follow'> & { tty?: boolean } = {},
  ): Promise<LogLine[]> {
    const tty = options.tty ?? (await this.ttyOf(idOrName));
    const what = `container ${idOrName}`;
    // Read as a stream, not as dockerode's buffered body: that one is decoded whole to text and tried
    // as JSON before it is handed over, a wasted pass over every byte of a long log.
    const body = await this.call(what, async () => {
      const source = await this.dialStream(
        `/containers/${encodeURIComponent(idOrName)}/logs?`,
        this.logParams({ ...options, follow: false }),
      );
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of source) chunks.push(chunk as Buffer);
      } catch (err) {
        destroyQuietly(source);
        throw err;
      }
      return Buffer.concat(chunks);
    });
    return demuxBuffer(body, tty);
  }

  private async ttyOf(idOrName: string): Promise<boolean> {
    const info = await this.inspect(idOrName);
    if (!info)
      throw mapDockerError(
        { statusCode: 404, message: 'no such container' },
        this.where,
        `container ${idOrName}`,
      );
    return info.Config.Tty;
  }

  private logParams(options: LogOptions): Dockerode.ContainerLogsOptions {
    return {
      stdout: true,
      stderr: true,
      follow: options.follow ?? false,
      timestamps: options.timestamps ?? false,
      ...(options.tail === undefined ? {} : { tail: options.tail }),
      ...(options.since === undefined ? {} : { since: options.since }),
    };
  }

  /** A GET whose 200 body comes as a stream (docker-modem's own dial, as dockerode's calls use it). */
  private dialStream(path: string, options: object): Promise<Readable> {
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(
        {
          path,
          method: 'GET',
          isStream: true,
          statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
          options,
        },
        (err: unknown, data: unknown) => {
          // docker-modem's errors are Errors (with statusCode), which mapDockerError reads.
          if (err) reject(err instanceof Error ? err : new Error(`docker: ${JSON.stringify(err)}`));
          else resolve(data as Readable);
        },
      );
    });
  }

  private async logSource(
    idOrName: string,
    options: LogOptions,
  ): Promise<{ source: Readable | Buffer; tty: boolean }> {
    const tty = await this.ttyOf(idOrName);
    const container = this.docker.getContainer(idOrName);
    // dockerode types the two shapes apart: a stream when following, a buffer otherwise.
    const source = (await this.call(`container ${idOrName}`, () =>
      container.logs(this.logParams(options) as Dockerode.ContainerLogsOptions & { follow: true }),
    )) as unknown as Readable | Buffer;
    return { source, tty };
  }

  /** One stats sample (the engine takes about a second to compute CPU use). */
  async stats(idOrName: string): Promise<StatsSnapshot> {
    const s = await this.call(`container ${idOrName}`, () =>
      this.docker.getContainer(idOrName).stats({ stream: false }),
    );
    const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
    const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
    const cpus = s.cpu_stats.online_cpus ?? s.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
    return {
      cpuPercent: systemDelta > 0 && cpuDelta >= 0 ? (cpuDelta / systemDelta) * cpus * 100 : null,
      memoryBytes: s.memory_stats.usage ?? null,
      memoryLimitBytes: s.memory_stats.limit ?? null,
      pids: (s as { pids_stats?: { current?: number } }).pids_stats?.current ?? null,
    };
  }

  /** The image's description, or null when the engine does not have it. */
  imageInspect(ref: string): Promise<Dockerode.ImageInspectInfo | null> {
    return this.orNull(`image ${ref}`, () => this.docker.getImage(ref).inspect());
  }

  async hasImage(ref: string): Promise<boolean> {
    return (await this.imageInspect(ref)) !== null;
  }

  /** Builds an image from a streamed context; see buildImage for progress and errors. */
  buildImage(
    context: BuildContext,
    options: ImageBuildOptions,
  ): Promise<{ tag: string; imageId: string | null }> {
    return buildImage(this.docker, this.where, context, options);
  }

  async removeImage(ref: string): Promise<boolean> {
    return this.tolerate(404, `image ${ref}`, () => this.docker.getImage(ref).remove());
  }

  /** Creates a named volume; one that exists already is kept (Docker answers with it). */
  async createVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.call(`volume ${name}`, () => this.docker.createVolume({ Name: name, Labels: labels }));
  }

  /** Removes a named volume; false when there was none. Throws conflict while a container uses it. */
  async removeVolume(name: string): Promise<boolean> {
    return this.tolerate(404, `volume ${name}`, () => this.docker.getVolume(name).remove());
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapDockerError(err, this.where, what);
    }
  }

  /** Runs fn; true when it did something, false when the engine answered `status` (nothing to do). */
  private async tolerate(status: number, what: string, fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      if (statusOf(err) === status) return false;
      throw mapDockerError(err, this.where, what);
    }
  }

  private async orNull<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw mapDockerError(err, this.where, what);
    }
  }
}
