/**
 * A runtime image for tests of instance specs and exports: the local Node 22 base (no registry here)
 * under a tag of its own, so the runtime image's content hash — and its tag — is this test run's alone
 * and other tests building or removing runtime images cannot disturb it.
 */
import { randomBytes } from 'node:crypto';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { buildBridgeBundle } from '../../scripts/build-bundles.mjs';
import { ensureLocalNodeBaseImage } from '../../e2e/fixtures/base-image';
import { repoRuntimePaths } from '../services/runtime-image/runtime-image-context';
import type { RuntimeImageResolverOptions } from '../services/export/runtime-image-ref';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The version of an npm MCP server installed in node_modules (what copy-installed bakes). */
export async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(
    await readFile(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  return manifest.version;
}

export interface TestImageInputs {
  /** Options for runtimeImageResolver: offline (copy-installed, no uv), on a base of this run's own. */
  resolver: RuntimeImageResolverOptions;
  baseImage: string;
  /** Removes the base alias and the bridge bundle's folder (images built from it are the caller's). */
  dispose(): Promise<void>;
}

export async function testImageInputs(docker: Dockerode): Promise<TestImageInputs> {
  const base = await ensureLocalNodeBaseImage();
  const tag = `run-${randomBytes(6).toString('hex')}`;
  await docker.getImage(base).tag({ repo: 'mcp-fleet-test/node-base', tag });
  const baseImage = `mcp-fleet-test/node-base:${tag}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'instance-spec-bridge-'));
  const bridgeBundle = await buildBridgeBundle({ outfile: path.join(dir, 'bridge.mjs'), quiet: true });
  return {
    baseImage,
    resolver: {
      ...repoRuntimePaths(repoRoot),
      bridgeBundle,
      baseImage,
      bake: { kind: 'copy-installed', root: repoRoot },
      withUv: false,
    },
    dispose: async () => {
      await docker
        .getImage(baseImage)
        .remove()
        .catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
