#!/usr/bin/env node
// `npm start`: builds the app when out/ is missing or older than its sources, then opens the Electron
// window, or, where Electron cannot run (no downloaded binary, no display), says why in one line and
// starts web mode instead (`mcp-fleet serve`, which prints the URL to open). Extra arguments go to serve.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repo, 'package.json'));

const OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const SOURCES = ['src-main', 'src-renderer', 'electron.vite.config.ts', 'package.json'];

function newestSource(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestSource(join(path, entry)));
  return newest;
}

function buildIsStale() {
  const outputs = OUTPUTS.map((p) => join(repo, p));
  if (!outputs.every((p) => existsSync(p))) return true;
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return SOURCES.some((p) => existsSync(join(repo, p)) && newestSource(join(repo, p)) > oldestOutput);
}

function build() {
  const cli = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('start: the build failed; see the messages above');
    process.exit(result.status ?? 1);
  }
}

/**
 * The Electron binary to run, or the reason there is none. Never `require('electron')`: when the binary
 * is missing, that tries to download it.
 */
function findElectron() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'no binary downloaded' };
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkgDir, 'dist');
  const binary = join(distDir, readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { reason: 'no binary downloaded' };
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    return { reason: `${binary} is not executable` };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display: DISPLAY and WAYLAND_DISPLAY are unset' };
  }
  // A binary can exist and still not start (missing shared libraries, wrong architecture).
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (probe.status !== 0) return { reason: 'the Electron binary does not start on this machine' };
  return { binary };
}

/**
 * Runs a child with our stdio until it exits, and exits with its code. Ctrl-C reaches the child from the
 * terminal directly (same process group), so here it is only ignored; SIGTERM is passed on.
 */
function runForeground(command, args) {
  const child = spawn(command, args, { cwd: repo, stdio: 'inherit' });
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

if (buildIsStale()) build();

const electron = findElectron();
if (electron.binary) {
  // Chromium refuses to start as root with its OS sandbox on; the window's own sandbox option still holds.
  const args = process.getuid?.() === 0 ? [repo, '--no-sandbox'] : [repo];
  runForeground(electron.binary, args);
} else {
  console.log(`Electron cannot run here (${electron.reason}); starting web mode`);
  // Without MCP_FLEET_PASSPHRASE, web mode starts locked and the browser asks for the passphrase.
  runForeground(process.execPath, [join(repo, 'bin', 'mcp-fleet.mjs'), 'serve', ...process.argv.slice(2)]);
}
