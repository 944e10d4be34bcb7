#!/usr/bin/env node
// `npm start`: builds the app when out/ is missing or older than its sources, then opens the Electron
// window. Electron 42 and later no longer download their binary at `npm install`, so a missing binary is
// fetched here (the package's install-electron, honouring ELECTRON_SKIP_BINARY_DOWNLOAD and the mirror
// and cache variables). Only where it cannot be fetched or cannot run here (no display, a sandbox the
// system blocks, a binary that does not start) does it start web mode instead (`mcp-fleet serve`, which
// prints the URL to open), after one paragraph saying exactly why and how to get the app. Extra
// arguments go to serve. The decisions live in scripts/start/, where tests run them under plain Node.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, buildIsStale } from './start/build.mjs';
import { electronPackageDir } from './start/electron-fetch.mjs';
import { planStart, webModeNotice } from './start/electron-plan.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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

if (buildIsStale(repo)) build(repo);

const plan = await planStart({
  repo,
  pkgDir: electronPackageDir(repo),
  platform: process.platform,
  env: process.env,
  uid: process.getuid?.(),
  execPath: process.execPath,
});
if (plan.electron) {
  for (const notice of plan.electron.notices) console.warn(notice);
  runForeground(plan.electron.binary, plan.electron.args);
} else {
  console.log(webModeNotice(plan.web));
  // Without MCP_FLEET_PASSPHRASE, web mode starts locked and the browser asks for the passphrase.
  runForeground(process.execPath, [join(repo, 'bin', 'mcp-fleet.mjs'), 'serve', ...process.argv.slice(2)]);
}
