/**
 * Where the runtime image's parts live: the Dockerfile folder and the bundled bridge. In a checkout the
 * bundle is built on first need (esbuild, well under a second), so `npm install` alone is enough. What
 * the image is built from (base image, registries, bake, uv) is a setting: services/settings.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FleetError } from '../shared/errors';

/** The folder holding MCP Fleet's package.json. Throws FleetError('unavailable') when there is none. */
export function installRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new FleetError('unavailable', 'cannot find the MCP Fleet installation folder');
    dir = up;
  }
  return dir;
}

export interface RuntimePaths {
  resourcesDir: string;
  /** Resolves to the bridge bundle's path, building it first when a checkout lacks it. */
  bridgeBundle(): Promise<string>;
}

export function runtimePaths(root: string = installRoot()): RuntimePaths {
  const bundle = join(root, 'out', 'bridge', 'bridge.mjs');
  let building: Promise<string> | undefined;
  return {
    resourcesDir: join(root, 'resources', 'runtime'),
    bridgeBundle: () => {
      if (existsSync(bundle)) return Promise.resolve(bundle);
      building ??= (async () => {
        const script = join(root, 'scripts', 'build-bundles.mjs');
        if (!existsSync(script)) {
          throw new FleetError('unavailable', `the bridge bundle ${bundle} is missing; reinstall MCP Fleet`);
        }
        const mod = (await import(pathToFileURL(script).href)) as {
          buildBridgeBundle(o: { outfile?: string; quiet?: boolean }): Promise<string>;
        };
        return mod.buildBridgeBundle({ outfile: bundle, quiet: true });
      })();
      return building;
    },
  };
}
