// Build-time steps of the runtime image, in Node so a base without a shell (or without useradd)
// builds too. Runs as root once, during `docker build`; reads the build arguments from the environment.
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const uid = Number(process.env.FLEET_UID || '10001');
const serverDir = '/opt/mcp-server';

function fail(message) {
  process.stderr.write(`mcp-fleet setup: ${message}\n`);
  process.exit(1);
}

function readLines(file) {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];
}

// Programs that look up their user (os.userInfo(), ssh, git) fail without a passwd entry, so add one
// unless the base already has that uid (the local test base ships 'fleet' already).
function ensureUser() {
  if (!Number.isInteger(uid) || uid <= 0) fail(`FLEET_UID must be a positive integer, got "${uid}"`);
  const hasId = (file) => readLines(file).some((line) => line.split(':')[2] === String(uid));
  const hasName = (file) => readLines(file).some((line) => line.split(':')[0] === 'fleet');
  const name = hasName('/etc/passwd') || hasName('/etc/group') ? `fleet${uid}` : 'fleet';
  mkdirSync('/etc', { recursive: true });
  if (!hasId('/etc/group')) appendFileSync('/etc/group', `${name}:x:${uid}:\n`);
  if (!hasId('/etc/passwd')) appendFileSync('/etc/passwd', `${name}:x:${uid}:${uid}::/tmp:/sbin/nologin\n`);
}

// /tmp is where everything writes at run time; a tmpfs normally covers it, but a plain
// `docker run` without one still needs the directory, sticky and world-writable.
function ensureTmp() {
  mkdirSync('/tmp', { recursive: true });
  chmodSync('/tmp', 0o1777);
}

function findNpm() {
  const beside = path.join(
    path.dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'bin',
    'npm-cli.js',
  );
  return [
    beside,
    '/usr/local/lib/node_modules/npm/bin/npm-cli.js',
    '/usr/lib/node_modules/npm/bin/npm-cli.js',
  ].find((candidate) => existsSync(candidate));
}

function installPackage(spec, registry) {
  // name@version, where name may be scoped: split at the last '@' that is not the first character.
  const at = spec.lastIndexOf('@');
  if (at <= 0) fail(`NPM_PACKAGE must be name@version with a pinned version, got "${spec}"`);
  const name = spec.slice(0, at);
  const version = spec.slice(at + 1);
  const installed = path.join(serverDir, 'node_modules', name, 'package.json');
  if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === version) return;
  const npm = findNpm();
  if (npm === undefined) fail('NPM_PACKAGE needs npm in the base image; this base has none');
  mkdirSync(serverDir, { recursive: true });
  if (!existsSync(path.join(serverDir, 'package.json'))) {
    writeFileSync(path.join(serverDir, 'package.json'), '{ "name": "mcp-fleet-server", "private": true }\n');
  }
  const cache = '/tmp/.npm-build-cache';
  const result = spawnSync(
    process.execPath,
    [
      npm,
      'install',
      '--prefix',
      serverDir,
      '--omit=dev',
      '--no-audit',
      '--no-fund',
      '--save-exact',
      ...(registry === '' ? [] : ['--registry', registry]),
      `${name}@${version}`,
    ],
    { stdio: 'inherit', env: { ...process.env, npm_config_cache: cache } },
  );
  spawnSync(process.execPath, [npm, 'cache', 'clean', '--force'], {
    stdio: 'ignore',
    env: { ...process.env, npm_config_cache: cache },
  });
  if (result.status !== 0)
    fail(`npm install ${name}@${version} failed (exit ${result.status ?? result.signal})`);
}

// uvx is a tool command: uv reads only user and system configuration for it, and HOME (/tmp) is a
// tmpfs at run time, so the index goes to the system file. The bridge passes no UV_* variables on.
function writeIndexConfig(index) {
  if (!/^https:\/\/[^\s"'\\]+$/.test(index)) fail(`PYPI_INDEX must be an https URL, got "${index}"`);
  mkdirSync('/etc/uv', { recursive: true });
  writeFileSync('/etc/uv/uv.toml', `[[index]]\nurl = ${JSON.stringify(index)}\ndefault = true\n`, {
    mode: 0o644,
  });
  writeFileSync('/etc/pip.conf', `[global]\nindex-url = ${index}\n`, { mode: 0o644 });
}

ensureUser();
ensureTmp();
const index = (process.env.PYPI_INDEX ?? '').trim();
if (index !== '') writeIndexConfig(index);
const spec = (process.env.NPM_PACKAGE ?? '').trim();
if (spec !== '') installPackage(spec, (process.env.NPM_REGISTRY ?? '').trim());
