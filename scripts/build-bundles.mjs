// Bundles the container-side bridge into one self-contained ESM file, so the runtime image needs
// nothing but a Node binary: no node_modules, no TypeScript loader.
// Run by `npm run build`; tests import buildBridgeBundle() to get a fresh bundle.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the bundle is written; the runtime image's build context copies it from here. */
export const bridgeBundlePath = path.join(repoRoot, 'out', 'bridge', 'bridge.mjs');

// Some dependencies are CommonJS and call require(); an ESM bundle has none, so give it one.
const requireBanner = [
  "import { createRequire as __mcpFleetCreateRequire } from 'node:module';",
  'const require = __mcpFleetCreateRequire(import.meta.url);',
].join('\n');

/**
 * Bundles src-bridge/main.ts into out/bridge/bridge.mjs and returns the bundle's path.
 * Throws esbuild's error (with file and line) when the bridge does not compile.
 */
export async function buildBridgeBundle({ outfile = bridgeBundlePath, quiet = false } = {}) {
  await mkdir(path.dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [path.join(repoRoot, 'src-bridge', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    banner: { js: requireBanner },
    minify: false,
    sourcemap: false,
    legalComments: 'inline',
    logLevel: quiet ? 'silent' : 'warning',
    metafile: true,
  });
  const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes;
  if (!quiet && bytes !== undefined) {
    process.stdout.write(
      `bridge bundle: ${path.relative(repoRoot, outfile)} (${Math.round(bytes / 1024)} kB)\n`,
    );
  }
  return outfile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await buildBridgeBundle();
  } catch (err) {
    process.stderr.write(`build-bundles: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
