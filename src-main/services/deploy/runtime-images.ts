/**
 * The runtime image a server runs on, made present on a host. The tag is the content hash of the build
 * context (services/runtime-image), so finding it means assembling the context; that takes a second
 * or more (a baked npm package with its dependency closure), which would dominate a deploy whose image
 * is already there. Tags are therefore remembered per set of inputs, in memory and in a small file in
 * the data directory, and the context is assembled only when the host lacks the image.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FleetError } from '../../shared/errors';
import type { DockerHost } from '../docker/docker-host';
import { runtimeImageOptions, type BakeMethod } from '../instance-spec/image-plan';
import type { SourceImageConfig } from '../instance-spec/types';
import { buildRuntimeImage } from '../runtime-image/build-runtime-image';
import { runtimeImageContext, type RuntimeImageOptions } from '../runtime-image/runtime-image-context';
import type { ServerRecord } from '../store/types';

export interface RuntimeImageSettings {
  resourcesDir: string;
  bridgeBundle: string;
  /** Base for npx, uvx and command sources; runtime-image's default (node:22-bookworm-slim) when absent. */
  baseImage?: string;
  bake?: BakeMethod;
  withUv?: boolean;
  /** The npm-registry setting: where npx packages are installed from. */
  npmRegistry?: string;
  /** The pypi-index setting: uv's default index in the image of a uvx server. */
  pypiIndex?: string;
}

/** The settings for one host (its id), or the fleet's own for null (exports to no host). */
export type RuntimeSettingsFor = (hostId: string | null) => Promise<RuntimeImageSettings>;

/** Where an image goes: a host's engine, with the host's id so its own settings apply. */
export type ImageHost = DockerHost | { docker: DockerHost; hostId: string };

function split(on: ImageHost): { docker: DockerHost; hostId: string | null } {
  return 'hostId' in on ? on : { docker: on, hostId: null };
}

export interface EnsuredImage {
  tag: string;
  built: boolean;
  /** What an image source's own image runs; only for image sources. */
  imageConfig?: SourceImageConfig;
}

const RESOURCE_FILES = ['Dockerfile', 'setup.mjs', 'entrypoint.mjs', 'healthcheck.mjs'];

export class RuntimeImages {
  private readonly tags = new Map<string, string>();

  /** `cacheFile`: where tags survive between processes (the CLI runs one deploy per process). */
  private readonly settings: RuntimeSettingsFor;

  /**
   * `settings` may be a function of the host: the bridge bundle may need building on first use, and
   * each host may have its own base image and registries (read at every call, so a change applies to
   * the next deploy).
   */
  constructor(
    settings: RuntimeImageSettings | RuntimeSettingsFor,
    private readonly cacheFile: string | null = null,
  ) {
    this.settings = typeof settings === 'function' ? settings : () => Promise.resolve(settings);
  }

  /**
   * Makes sure the server's runtime image is on the host, building it there (context streamed over the
   * connection) when absent. Throws FleetError: the runtime-image errors (missing bundle, unpinned
   * package, failed build, named as such) and the Docker errors.
   */
  async ensure(
    on: ImageHost,
    server: ServerRecord,
    onProgress: (line: string) => void = () => {},
  ): Promise<EnsuredImage> {
    const { docker, hostId } = split(on);
    const imageConfig = server.sourceKind === 'image' ? await this.sourceConfig(docker, server) : undefined;
    const extra = imageConfig === undefined ? {} : { imageConfig };
    const options = await this.options(server, hostId);
    const key = this.key(options);
    const known = key === null ? undefined : this.recall(key);
    if (known !== undefined && (await docker.hasImage(known))) return { tag: known, built: false, ...extra };
    const context = await runtimeImageContext(options);
    try {
      if (key !== null) this.remember(key, context.tag);
      if (await docker.hasImage(context.tag)) return { tag: context.tag, built: false, ...extra };
      onProgress(`building ${context.tag} on ${docker.where.hostName}`);
      try {
        await buildRuntimeImage(docker.docker, context, { onProgress });
      } catch (err) {
        const why = err instanceof FleetError ? err.message : String(err);
        throw new FleetError(
          'unavailable',
          `the runtime image for "${server.name}" could not be built on ${docker.where.hostName}: ${why}`,
          { cause: err },
        );
      }
      return { tag: context.tag, built: true, ...extra };
    } finally {
      await context.dispose();
    }
  }

  /** The image the server runs on the host (tag, and an image source's config), without building. */
  async describe(
    on: ImageHost,
    server: ServerRecord,
  ): Promise<{ tag: string; imageConfig?: SourceImageConfig }> {
    const { docker, hostId } = split(on);
    const tag = await this.tagFor(server, hostId);
    return server.sourceKind === 'image'
      ? { tag, imageConfig: await this.sourceConfig(docker, server) }
      : { tag };
  }

  /**
   * The tag the server's image would have (with a host's settings, else the fleet's), without touching
   * any host. Throws what ensure throws.
   */
  async tagFor(server: ServerRecord, hostId: string | null = null): Promise<string> {
    const options = await this.options(server, hostId);
    const key = this.key(options);
    const known = key === null ? undefined : this.recall(key);
    if (known !== undefined) return known;
    const context = await runtimeImageContext(options);
    try {
      if (key !== null) this.remember(key, context.tag);
      return context.tag;
    } finally {
      await context.dispose();
    }
  }

  private async options(server: ServerRecord, hostId: string | null): Promise<RuntimeImageOptions> {
    const s = await this.settings(hostId);
    return runtimeImageOptions({
      server,
      resourcesDir: s.resourcesDir,
      bridgeBundle: s.bridgeBundle,
      ...(s.baseImage === undefined ? {} : { baseImage: s.baseImage }),
      ...(s.bake === undefined ? {} : { bake: s.bake }),
      ...(s.withUv === undefined ? {} : { withUv: s.withUv }),
      ...(s.npmRegistry === undefined ? {} : { npmRegistry: s.npmRegistry }),
      ...(s.pypiIndex === undefined ? {} : { pypiIndex: s.pypiIndex }),
    });
  }

  /**
   * What the tag depends on: the options and the content of every file the context copies (content, not
   * size and mtime: inside a packaged app's asar every file reports the launch time as its mtime).
   * null when a file is missing (the context build then says which).
   */
  private key(options: RuntimeImageOptions): string | null {
    const files = [options.bridgeBundle, ...RESOURCE_FILES.map((f) => path.join(options.resourcesDir, f))];
    const server = options.server;
    if (server?.kind === 'copy-installed') {
      files.push(path.join(server.root, 'node_modules', server.name, 'package.json'));
      files.push(path.join(server.root, 'package-lock.json'));
    }
    const contents: [string, string][] = [];
    for (const file of files) {
      try {
        contents.push([file, createHash('sha256').update(readFileSync(file)).digest('hex')]);
      } catch {
        return null;
      }
    }
    return createHash('sha256')
      .update(JSON.stringify({ options: { ...options, workDir: undefined }, contents }))
      .digest('hex');
  }

  private recall(key: string): string | undefined {
    const hit = this.tags.get(key);
    if (hit !== undefined || this.cacheFile === null) return hit;
    const tag = this.readCache()[key];
    if (tag !== undefined) this.tags.set(key, tag);
    return tag;
  }

  private remember(key: string, tag: string): void {
    this.tags.set(key, tag);
    if (this.cacheFile === null) return;
    try {
      const cache = { ...this.readCache(), [key]: tag };
      mkdirSync(path.dirname(this.cacheFile), { recursive: true, mode: 0o700 });
      const tmp = `${this.cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
      renameSync(tmp, this.cacheFile);
    } catch {
      // Only a shortcut: without it the next deploy assembles the context again.
    }
  }

  private readCache(): Record<string, string> {
    if (this.cacheFile === null) return {};
    try {
      return JSON.parse(readFileSync(this.cacheFile, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  /** ENTRYPOINT, CMD, WORKDIR and ENV of an image source, read on the host that runs it. */
  private async sourceConfig(docker: DockerHost, server: ServerRecord): Promise<SourceImageConfig> {
    const info = await docker.imageInspect(server.sourceValue);
    if (info === null) {
      throw new FleetError(
        'not_found',
        `the image ${server.sourceValue} is not on ${docker.where.hostName}: pull or load it there first`,
      );
    }
    const config = info.Config as {
      Entrypoint?: string[] | string | null;
      Cmd?: string[] | null;
      WorkingDir?: string;
      Env?: string[] | null;
    };
    const list = (v: string[] | string | null | undefined): string[] =>
      v === null || v === undefined ? [] : typeof v === 'string' ? [v] : v;
    return {
      entrypoint: list(config.Entrypoint),
      cmd: list(config.Cmd),
      workingDir: config.WorkingDir ?? '',
      env: config.Env ?? [],
    };
  }
}
