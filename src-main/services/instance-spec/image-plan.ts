/**
 * Which runtime image a server runs on: the build options handed to services/runtime-image. Deploy and
 * the docker-run export take them from here, so both build (and tag) the same image.
 *
 * - npx: the base image (Node 22) with the pinned package baked in, so nothing is fetched at run time
 *   (and /tmp can stay noexec).
 * - uvx: the base image with uv added; uv fetches the package into /tmp on first start.
 * - image: the runtime image is built FROM the server's own image (BASE_IMAGE), which adds the bridge
 *   as ENTRYPOINT; the image's original ENTRYPOINT + CMD become the bridge's child command (see
 *   serverCommand) and its ENV goes to the child through the env file. That image must have Node 22
 *   on its PATH for the bridge; an image without Node fails at build time with the build's own error.
 * - command: the base image as is; the command must exist there.
 */
import { FleetError } from '../../shared/errors';
import type { BakedServer, RuntimeImageOptions } from '../runtime-image/runtime-image-context';
import { splitPackage } from '../server/source';
import type { ServerRecord } from '../store/types';

const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** How an npm package is put into the image. */
export type BakeMethod =
  /** npm install on the machine running MCP Fleet (default: the registry is reached from here). */
  | { kind: 'npm-install'; npmCommand?: readonly string[] }
  /** npm install during the image build (the engine's host reaches the registry). */
  | { kind: 'npm-in-image' }
  /** Copy the package already installed under root/node_modules (offline; tests). */
  | { kind: 'copy-installed'; root: string };

export interface ImagePlanInput {
  server: ServerRecord;
  resourcesDir: string;
  bridgeBundle: string;
  /** Node 22 base for npx, uvx and command sources; runtime-image's default when absent. */
  baseImage?: string;
  bake?: BakeMethod;
  /** uv for uvx sources pulls Astral's image; false where no registry is reachable. */
  withUv?: boolean;
  /** The npm-registry setting: npx packages are installed from it. */
  npmRegistry?: string;
  /** The pypi-index setting: uv's default index in the image of a uvx server. */
  pypiIndex?: string;
}

/** Throws FleetError('invalid_input') for an npx source without an exact version. */
export function runtimeImageOptions(input: ImagePlanInput): RuntimeImageOptions {
  const { server } = input;
  const base = { resourcesDir: input.resourcesDir, bridgeBundle: input.bridgeBundle };
  const baseImage = input.baseImage === undefined ? {} : { baseImage: input.baseImage };
  switch (server.sourceKind) {
    case 'npx': {
      const { name, version } = splitPackage('npx', server.sourceValue);
      if (version === null || !EXACT_VERSION.test(version)) {
        throw new FleetError(
          'invalid_input',
          `server "${server.name}": pin an exact version (${name}@1.2.3) so the image can carry the package and never fetch code at run time`,
        );
      }
      const npmRegistry = input.npmRegistry === undefined ? {} : { npmRegistry: input.npmRegistry };
      return {
        ...base,
        ...baseImage,
        ...npmRegistry,
        withUv: false,
        server: bakedServer(name, version, input.bake),
      };
    }
    case 'uvx': {
      const pypiIndex = input.pypiIndex === undefined ? {} : { pypiIndex: input.pypiIndex };
      return { ...base, ...baseImage, ...pypiIndex, withUv: input.withUv ?? true };
    }
    case 'image':
      return { ...base, baseImage: server.sourceValue, withUv: false };
    case 'command':
      return { ...base, ...baseImage, withUv: false };
  }
}

function bakedServer(name: string, version: string, bake: BakeMethod | undefined): BakedServer {
  const method = bake ?? { kind: 'npm-install' };
  switch (method.kind) {
    case 'npm-install':
      return {
        kind: 'npm-install',
        name,
        version,
        ...(method.npmCommand === undefined ? {} : { npmCommand: method.npmCommand }),
      };
    case 'npm-in-image':
      return { kind: 'npm-in-image', name, version };
    case 'copy-installed':
      return { kind: 'copy-installed', name, root: method.root };
  }
}
