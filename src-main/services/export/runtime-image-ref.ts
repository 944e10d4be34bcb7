/**
 * The runtime image an export refers to: its tag (the content hash of the build context, the same rule
 * deploy uses) and, for docker-run, that context packed so the command can build the image on a host
 * that lacks it.
 */
import type Dockerode from 'dockerode';
import { FleetError } from '../../shared/errors';
import { runtimeImageOptions, type BakeMethod } from '../instance-spec/image-plan';
import type { SourceImageConfig } from '../instance-spec/types';
import { runtimeImageContext } from '../runtime-image/runtime-image-context';
import type { ServerRecord } from '../store/types';
import { packContext } from './context-tar';
import type { ImageBuild } from './docker-run-script';

export interface RuntimeImageRef {
  tag: string;
  /** The packed context; only when asked for (packing a baked server takes a while). */
  build: ImageBuild | null;
}

export type RuntimeImageResolver = (
  server: ServerRecord,
  options: { pack: boolean },
) => Promise<RuntimeImageRef>;

export interface RuntimeImageResolverOptions {
  resourcesDir: string;
  bridgeBundle: string;
  baseImage?: string;
  bake?: BakeMethod;
  withUv?: boolean;
  npmRegistry?: string;
  pypiIndex?: string;
}

/** Builds the context (as deploy would), packs it, removes it. Throws the FleetErrors of runtime-image. */
export function runtimeImageResolver(options: RuntimeImageResolverOptions): RuntimeImageResolver {
  return async (server, { pack }) => {
    const context = await runtimeImageContext(
      runtimeImageOptions({
        server,
        resourcesDir: options.resourcesDir,
        bridgeBundle: options.bridgeBundle,
        ...(options.baseImage === undefined ? {} : { baseImage: options.baseImage }),
        ...(options.bake === undefined ? {} : { bake: options.bake }),
        ...(options.withUv === undefined ? {} : { withUv: options.withUv }),
        ...(options.npmRegistry === undefined ? {} : { npmRegistry: options.npmRegistry }),
        ...(options.pypiIndex === undefined ? {} : { pypiIndex: options.pypiIndex }),
      }),
    );
    try {
      return {
        tag: context.tag,
        build: pack
          ? {
              tag: context.tag,
              contextTarGz: await packContext(context.dir, context.entries),
              buildArgs: context.buildArgs,
              target: context.target,
              pull: server.sourceKind === 'image' ? server.sourceValue : null,
            }
          : null,
      };
    } finally {
      await context.dispose();
    }
  };
}

export type SourceImageInspector = (ref: string) => Promise<SourceImageConfig>;

/** Reads an image source's ENTRYPOINT, CMD, WORKDIR and ENV from an engine that has the image. */
export function sourceImageInspector(docker: Dockerode): SourceImageInspector {
  return async (ref) => {
    let info: Awaited<ReturnType<Dockerode.Image['inspect']>>;
    try {
      info = await docker.getImage(ref).inspect();
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      throw new FleetError(
        status === 404 ? 'not_found' : 'unavailable',
        status === 404
          ? `the image ${ref} is not on this machine: \`docker pull ${ref}\` first, so its command can be read`
          : `the Docker engine did not answer while reading ${ref}`,
        { cause: err },
      );
    }
    const config = info.Config as {
      Entrypoint?: string[] | string | null;
      Cmd?: string[] | null;
      WorkingDir?: string;
      Env?: string[] | null;
    };
    const list = (value: string[] | string | null | undefined): string[] =>
      value === null || value === undefined ? [] : typeof value === 'string' ? [value] : value;
    return {
      entrypoint: list(config.Entrypoint),
      cmd: list(config.Cmd),
      workingDir: config.WorkingDir ?? '',
      env: config.Env ?? [],
    };
  };
}
