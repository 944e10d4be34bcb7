// `npm run install:check`: proves `npm ci` works on every platform the app supports, from this
// machine. Two checks per platform:
// - npm itself: `npm ci --dry-run` on a copy of package.json and package-lock.json with
//   process.platform and process.arch overridden by a --require preload, the way the EBADPLATFORM
//   failure of issue 15 was reproduced (npm checks platforms against process.platform/arch);
// - the lockfile: every package whose os/cpu/libc excludes the platform must be reachable only
//   through optional edges, computed here from the lockfile rather than read from npm's flags.
// Prints one line per platform and a verdict; exits 1 if any platform fails.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptsPlatform, closure, nameOf, readLockPackages } from './lockfile.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The platforms `npm install && npm start` must work on (libc: what npm reads off a Linux host). */
const TARGETS = [
  { os: 'darwin', cpu: 'arm64', libc: null },
  { os: 'darwin', cpu: 'x64', libc: null },
  { os: 'win32', cpu: 'x64', libc: null },
  { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { os: 'linux', cpu: 'x64', libc: 'glibc' },
];

const PRELOAD = `// Makes npm believe it runs on another platform (install-check.mjs).
Object.defineProperty(process, 'platform', { value: process.env.INSTALL_CHECK_OS });
Object.defineProperty(process, 'arch', { value: process.env.INSTALL_CHECK_CPU });
`;

const label = (t) => `${t.os}-${t.cpu}`;

/** What the lockfile says about a target: failures, and the Node shim npm would add there. */
function checkLockfile(packages, target) {
  const required = closure(packages, { dev: true, optional: false });
  const installed = closure(packages, { dev: true, optional: true });
  const failures = [];
  for (const p of required) {
    if (!acceptsPlatform(packages[p], target)) {
      const { version, os: wantOs, cpu: wantCpu } = packages[p];
      failures.push(
        `${nameOf(p)}@${version} (os ${JSON.stringify(wantOs ?? 'any')}, cpu ${JSON.stringify(wantCpu ?? 'any')}) is not optional`,
      );
    }
  }
  const shims = [...installed].filter(
    (p) => packages[p].bin?.node !== undefined && acceptsPlatform(packages[p], target),
  );
  const restricted = [...installed].filter((p) => packages[p].os || packages[p].cpu || packages[p].libc);
  return {
    failures,
    restricted: restricted.length,
    shims: shims.map((p) => `${nameOf(p)}@${packages[p].version}`),
  };
}

/** The npm CLI to run: the one running this script when started by npm, else `npm` on PATH. */
function npmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /\.[cm]?js$/.test(execPath)) return { command: process.execPath, prefix: [execPath] };
  return { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', prefix: [] };
}

/** Runs `npm ci --dry-run` for a target in its own folder; resolves to { ok, output }. */
function dryRun(target, dir) {
  copyFileSync(path.join(repo, 'package.json'), path.join(dir, 'package.json'));
  copyFileSync(path.join(repo, 'package-lock.json'), path.join(dir, 'package-lock.json'));
  const preload = path.join(dir, 'fake-platform.cjs');
  writeFileSync(preload, PRELOAD);
  const { command, prefix } = npmCommand();
  const args = [...prefix, 'ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'];
  const env = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${preload}"`.trim(),
    INSTALL_CHECK_OS: target.os,
    INSTALL_CHECK_CPU: target.cpu,
    // `npm run --silent` passes loglevel=silent down, which would hide the errors shown on failure.
    npm_config_loglevel: 'warn',
  };
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: dir, env, shell: process.platform === 'win32' });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ ok: false, output: `could not start npm: ${err.message}` }));
    child.on('close', (code) => resolve({ ok: code === 0 && !/EBADPLATFORM/.test(output), output }));
  });
}

/** The lines of npm's output worth showing for a failure: its errors. */
function npmErrors(output) {
  const errors = output.split('\n').filter((l) => /^npm (error|ERR!)/.test(l));
  return (errors.length > 0 ? errors : output.split('\n').slice(-10)).map((l) => `    ${l}`).join('\n');
}

const started = Date.now();
const packages = readLockPackages(path.join(repo, 'package-lock.json'));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mcp-fleet-install-check-'));
let failed = 0;
try {
  const runs = await Promise.all(
    TARGETS.map(async (target) => {
      const dir = path.join(scratch, label(target));
      mkdirSync(dir);
      return { target, npm: await dryRun(target, dir), lock: checkLockfile(packages, target) };
    }),
  );
  for (const { target, npm, lock } of runs) {
    const ok = npm.ok && lock.failures.length === 0;
    if (!ok) failed += 1;
    const shim =
      lock.shims.length > 0 ? `Node shim ${lock.shims.join(', ')}` : 'no Node shim (Node >= 22 needed)';
    const lockNote =
      lock.failures.length === 0
        ? `lockfile ok (${lock.restricted} platform-specific packages, all optional)`
        : `lockfile: ${lock.failures.length} platform-specific package(s) not optional`;
    console.log(
      `install-check: ${label(target).padEnd(12)} ${ok ? 'ok  ' : 'FAIL'} npm ci --dry-run ${npm.ok ? 'ok' : 'failed'}; ${lockNote}; ${shim}`,
    );
    for (const f of lock.failures) console.log(`    ${f}`);
    if (!npm.ok) console.log(npmErrors(npm.output));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failed > 0) {
  console.log(`install-check: ${failed} of ${TARGETS.length} platforms cannot install (${seconds}s)`);
  process.exitCode = 1;
} else {
  console.log(`install-check: npm ci works on all ${TARGETS.length} platforms (${seconds}s)`);
}
