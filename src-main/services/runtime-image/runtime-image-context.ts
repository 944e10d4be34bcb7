// Assembles the docker build context of the runtime image: the Dockerfile and its helper scripts
// from resources/runtime, the bundled bridge, and optionally an npm server baked in with a pinned
// version. The result is a folder plus the image tag and build settings that go with it.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FleetError } from '../../shared/errors';
import { hashContext, runtimeImageTag } from './context-hash';
import {
  assertPinnedPackage,
  bakedServerCommand,
  copyInstalledPackage,
  installWithNpm,
} from './server-package';

/** The image the Dockerfile builds from unless told otherwise. */
export const DEFAULT_BASE_IMAGE = 'node:22-bookworm-slim';

/** Files the Dockerfile copies out of resources/runtime. */
const RUNTIME_FILES = ['Dockerfile', 'setup.mjs', 'entrypoint.mjs', 'healthcheck.mjs'] as const;

/** How an npm server gets into the image. */
export type BakedServer =
  /** `npm install` on the build machine into the context (the registry is reached from here). */
  | { kind: 'npm-install'; name: string; version: string; npmCommand?: readonly string[] }
  /** Copy a package already installed under `root`/node_modules, with its dependency closure. */
  | { kind: 'copy-installed'; name: string; root: string }
  /** `npm install` during the image build (needs npm in the base and the registry from the engine). */
  | { kind: 'npm-in-image'; name: string; version: string };

export interface RuntimeImageOptions {
  /** Folder holding the Dockerfile and its scripts (the repo's resources/runtime). */
  resourcesDir: string;
  /** The bundled bridge, out/bridge/bridge.mjs (`npm run build:bundles`). */
  bridgeBundle: string;
  /** Build argument BASE_IMAGE; an image with Node 22 on PATH. */
  baseImage?: string;
  /** uv and uvx for PyPI servers (pulls Astral's image); off builds the `runtime` target. */
  withUv?: boolean;
  /** Build argument UV_IMAGE: where uv comes from (a mirror of ghcr.io/astral-sh/uv, say). */
  uvImage?: string;
  /**
   * The npm registry a baked server is installed from: npm's --registry here (npm-install), build
   * argument NPM_REGISTRY in the build (npm-in-image). Absent: npm's own configuration.
   */
  npmRegistry?: string;
  /** Build argument PYPI_INDEX: the default index of uv (and pip) in the image, for uvx servers. */
  pypiIndex?: string;
  server?: BakedServer;
  /** Where to assemble the context; a fresh temporary folder by default. */
  workDir?: string;
}

export type RuntimeImageTarget = 'runtime' | 'runtime-uv';

export interface RuntimeImageContext {
  /** The build context folder. */
  dir: string;
  /** Its top-level entries, as dockerode's buildImage({ context, src }) wants them. */
  entries: string[];
  /** `mcp-fleet/runtime:<hash>`, derived from everything below. */
  tag: string;
  buildArgs: Record<string, string>;
  target: RuntimeImageTarget;
  /** argv that starts the baked server inside the image without npx, when one was put in the context. */
  serverCommand?: string[];
  /** Removes the folder (only when this module created it). */
  dispose(): Promise<void>;
}

/** The repository's own layout: resources/runtime and the bundle `npm run build` writes. */
export function repoRuntimePaths(
  repoRoot: string,
): Pick<RuntimeImageOptions, 'resourcesDir' | 'bridgeBundle'> {
  return {
    resourcesDir: path.join(repoRoot, 'resources', 'runtime'),
    bridgeBundle: path.join(repoRoot, 'out', 'bridge', 'bridge.mjs'),
  };
}

async function copyInto(from: string, to: string, what: string): Promise<void> {
  try {
    await copyFile(from, to);
  } catch (err) {
    throw new FleetError('not_found', `${what} is missing at ${from}`, { cause: err });
  }
}

/**
 * Writes the build context and computes its tag.
 * Throws FleetError('not_found') when the bridge bundle, a runtime file or an installed package is
 * missing, ('invalid_input') for an unpinned package, ('unavailable') when npm install fails.
 */
export async function runtimeImageContext(options: RuntimeImageOptions): Promise<RuntimeImageContext> {
  const owned = options.workDir === undefined;
  const dir = options.workDir ?? (await mkdtemp(path.join(os.tmpdir(), 'mcp-fleet-runtime-')));
  try {
    for (const file of RUNTIME_FILES) {
      await copyInto(
        path.join(options.resourcesDir, file),
        path.join(dir, file),
        `runtime image file ${file}`,
      );
    }
    await copyInto(
      options.bridgeBundle,
      path.join(dir, 'bridge.mjs'),
      'the bridge bundle (npm run build:bundles)',
    );
    const serverDir = path.join(dir, 'server');
    await mkdir(serverDir, { recursive: true });
    // COPY needs a source even when nothing is baked.
    await writeFile(path.join(serverDir, '.mcp-fleet-server'), 'baked npm server package, if any\n');

    const buildArgs: Record<string, string> = { BASE_IMAGE: options.baseImage ?? DEFAULT_BASE_IMAGE };
    if (options.uvImage !== undefined) buildArgs.UV_IMAGE = options.uvImage;
    if (options.pypiIndex !== undefined) buildArgs.PYPI_INDEX = options.pypiIndex;
    let serverCommand: string[] | undefined;
    const server = options.server;
    if (server !== undefined) {
      switch (server.kind) {
        case 'npm-install':
          await installWithNpm(
            serverDir,
            server.name,
            server.version,
            server.npmCommand,
            options.npmRegistry,
          );
          serverCommand = await bakedServerCommand(serverDir, server.name);
          break;
        case 'copy-installed':
          await copyInstalledPackage(serverDir, server.name, server.root);
          serverCommand = await bakedServerCommand(serverDir, server.name);
          break;
        case 'npm-in-image':
          assertPinnedPackage(server.name, server.version);
          buildArgs.NPM_PACKAGE = `${server.name}@${server.version}`;
          if (options.npmRegistry !== undefined) buildArgs.NPM_REGISTRY = options.npmRegistry;
          break;
      }
    }
    const target: RuntimeImageTarget = (options.withUv ?? true) ? 'runtime-uv' : 'runtime';
    const tag = runtimeImageTag(await hashContext(dir, { ...buildArgs, '--target': target }));
    return {
      dir,
      entries: [...RUNTIME_FILES, 'bridge.mjs', 'server'],
      tag,
      buildArgs,
      target,
      ...(serverCommand === undefined ? {} : { serverCommand }),
      dispose: () => (owned ? rm(dir, { recursive: true, force: true }) : Promise.resolve()),
    };
  } catch (err) {
    if (owned) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
