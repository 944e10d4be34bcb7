// Makes sure out/ holds a build of the current sources before anything is packed from it: runs
// `npm run build` when an output is missing or older than a source (test files aside).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What `npm run build` writes that the app loads. */
export const BUILD_OUTPUTS = [
  'out/main/index.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
  'out/bridge/bridge.mjs',
];
const SOURCES = [
  'src-main',
  'src-renderer',
  'src-bridge',
  'electron.vite.config.ts',
  'scripts/build-bundles.mjs',
];

/** The newest source file under `file`, as [mtime, path]. */
function newest(file) {
  const info = statSync(file);
  if (!info.isDirectory()) return /\.test\.tsx?$/.test(file) ? [0, file] : [info.mtimeMs, file];
  let best = [0, file];
  for (const entry of readdirSync(file)) {
    const candidate = newest(path.join(file, entry));
    if (candidate[0] > best[0]) best = candidate;
  }
  return best;
}

/** Why out/ needs building, or null when it is current. */
export function staleReason(repo) {
  const missing = BUILD_OUTPUTS.find((o) => !existsSync(path.join(repo, o)));
  if (missing !== undefined) return `${missing} is missing`;
  const oldest = Math.min(...BUILD_OUTPUTS.map((o) => statSync(path.join(repo, o)).mtimeMs));
  for (const source of SOURCES) {
    const full = path.join(repo, source);
    if (!existsSync(full)) continue;
    const [mtime, file] = newest(full);
    if (mtime > oldest) return `${path.relative(repo, file)} is newer than the build`;
  }
  return null;
}

/** Runs `npm run build` in `repo` when out/ is stale. Throws when the build fails. */
export function ensureBuilt(repo, log) {
  const reason = staleReason(repo);
  if (reason === null) return false;
  log(`${reason}; running npm run build`);
  const execPath = process.env.npm_execpath;
  const [command, args] =
    execPath && /\.[cm]?js$/.test(execPath)
      ? [process.execPath, [execPath, 'run', 'build']]
      : [process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build']];
  const result = spawnSync(command, args, {
    cwd: repo,
    stdio: ['ignore', 'inherit', 'inherit'],
    shell: process.platform === 'win32',
    env: { ...process.env, npm_config_loglevel: 'warn' },
  });
  if (result.status !== 0) throw new Error('npm run build failed; see its messages above');
  const still = staleReason(repo);
  if (still !== null) throw new Error(`npm run build ran, but ${still}`);
  return true;
}
