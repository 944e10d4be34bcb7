// The part of `npm start` that builds the app when out/ is missing or older than its sources, so that
// a fresh checkout or an edit is never started stale.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const SOURCES = ['src-main', 'src-renderer', 'electron.vite.config.ts', 'package.json'];

function newestSource(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestSource(join(path, entry)));
  return newest;
}

export function buildIsStale(repo) {
  const outputs = OUTPUTS.map((p) => join(repo, p));
  if (!outputs.every((p) => existsSync(p))) return true;
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return SOURCES.some((p) => existsSync(join(repo, p)) && newestSource(join(repo, p)) > oldestOutput);
}

/** Runs electron-vite's build with this terminal attached; exits the process when it fails. */
export function build(repo) {
  const require = createRequire(join(repo, 'package.json'));
  const cli = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('start: the build failed; see the messages above');
    process.exit(result.status ?? 1);
  }
}
