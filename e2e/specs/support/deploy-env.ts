/**
 * The environment under which web mode deploys offline on the testbed, as the deploy suites do: servers
 * baked from this checkout's node_modules onto the local Node base image, the bridge bundled from the
 * current source. No registry is reachable here, so nothing is pulled.
 */
import { join, resolve } from 'node:path';
import { buildBridgeBundle } from '../../../scripts/build-bundles.mjs';
import { ensureLocalNodeBaseImage } from '../../fixtures/base-image';

const repo = resolve(import.meta.dirname, '../../..');

export async function offlineDeployEnv(scratchDir: string): Promise<NodeJS.ProcessEnv> {
  const [baseImage, bundle] = await Promise.all([
    ensureLocalNodeBaseImage(),
    buildBridgeBundle({ outfile: join(scratchDir, 'bridge.mjs'), quiet: true }),
  ]);
  return {
    MCP_FLEET_BASE_IMAGE: baseImage,
    MCP_FLEET_BAKE: 'copy-installed',
    MCP_FLEET_BAKE_ROOT: repo,
    MCP_FLEET_WITH_UV: '0',
    MCP_FLEET_BRIDGE_BUNDLE: bundle,
  };
}
