// Puts an npm MCP server into the image's build context ahead of time, so the container never
// fetches it: either by running npm on the build machine, or by copying a package that is already
// installed there together with everything it requires.
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { defaultNpmCommand } from '../platform-defaults';
import { FleetError } from '../../shared/errors';

const run = promisify(execFile);

/** Where the Dockerfile copies the context's server/ folder to. */
export const SERVER_DIR_IN_IMAGE = '/opt/mcp-server';

const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
// An exact version: a range would let two builds of "the same" server differ.
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Throws FleetError('invalid_input') unless name is an npm package name and version is exact. */
export function assertPinnedPackage(name: string, version: string): void {
  if (!PACKAGE_NAME.test(name) || name.length > 214) {
    throw new FleetError('invalid_input', `"${name}" is not an npm package name`);
  }
  if (!EXACT_VERSION.test(version)) {
    throw new FleetError('invalid_input', `${name}: "${version}" is not an exact version (like 1.2.3)`);
  }
}

interface PackageJson {
  name?: string;
  version?: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

async function readPackageJson(dir: string): Promise<PackageJson> {
  return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** The package folder Node would load `name` from, starting at `fromDir` and walking up to `root`. */
async function resolvePackageDir(name: string, fromDir: string, root: string): Promise<string | undefined> {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (await isDirectory(candidate)) return candidate;
    if (dir === root || path.dirname(dir) === dir) return undefined;
  }
}

async function writeServerManifest(serverDir: string, name: string, version: string): Promise<void> {
  // npx run from this folder finds the pinned package here instead of fetching it.
  const manifest = { name: 'mcp-fleet-server', private: true, dependencies: { [name]: version } };
  await writeFile(path.join(serverDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Copies the installed package `name` found under `root`/node_modules, and every package it needs
 * (dependencies, optional and peer ones where installed), into serverDir with the same layout, so
 * Node resolves them inside the image exactly as it does here.
 * Throws FleetError('not_found') when the package or a required dependency is not installed.
 */
export async function copyInstalledPackage(serverDir: string, name: string, root: string): Promise<string> {
  const rootDir = await realpath(root);
  const top = await resolvePackageDir(name, rootDir, rootDir);
  if (top === undefined) {
    throw new FleetError('not_found', `${name} is not installed under ${path.join(root, 'node_modules')}`);
  }
  const found = new Set<string>([top]);
  const queue = [top];
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    const manifest = await readPackageJson(dir);
    const optional = new Set([
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...Object.entries(manifest.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional === true)
        .map(([dep]) => dep),
    ]);
    const wanted = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    for (const dep of wanted) {
      const depDir = await resolvePackageDir(dep, dir, rootDir);
      if (depDir === undefined) {
        if (optional.has(dep)) continue;
        throw new FleetError('not_found', `${dep}, needed by ${manifest.name ?? dir}, is not installed`);
      }
      if (!found.has(depDir)) {
        found.add(depDir);
        queue.push(depDir);
      }
    }
  }
  // A package nested in another's node_modules comes along with its parent.
  const dirs = [...found].sort();
  const outermost = dirs.filter((dir) => !dirs.some((other) => other !== dir && dir.startsWith(`${other}/`)));
  for (const dir of outermost) {
    const relative = path.relative(rootDir, dir);
    if (relative.startsWith('..')) {
      throw new FleetError(
        'invalid_input',
        `${dir} lies outside ${rootDir} (a linked package?); install it normally`,
      );
    }
    await cp(await realpath(dir), path.join(serverDir, relative), {
      recursive: true,
      verbatimSymlinks: true,
    });
  }
  const manifest = await readPackageJson(top);
  await linkBins(serverDir, name, manifest);
  await writeServerManifest(serverDir, name, manifest.version ?? '0.0.0');
  return manifest.version ?? '0.0.0';
}

/** node_modules/.bin links for the server's own commands, as npm install makes them. */
async function linkBins(serverDir: string, name: string, manifest: PackageJson): Promise<void> {
  const bins = binEntries(name, manifest);
  if (bins.length === 0) return;
  const binDir = path.join(serverDir, 'node_modules', '.bin');
  await mkdir(binDir, { recursive: true });
  for (const [command, file] of bins) {
    const target = path.relative(binDir, path.join(serverDir, 'node_modules', name, file));
    await symlink(target, path.join(binDir, command)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

function binEntries(name: string, manifest: PackageJson): [string, string][] {
  if (typeof manifest.bin === 'string') return [[name.split('/').pop() ?? name, manifest.bin]];
  return Object.entries(manifest.bin ?? {});
}

/**
 * Runs `npm install` on the build machine into serverDir (the registry is reached from here, not
 * from inside the build). npmCommand is how to start npm, e.g. ['npm'] or [node, npm-cli.js];
 * registry: the npm-registry setting (npm --registry), else npm's own configuration applies.
 * Throws FleetError('unavailable') with npm's last lines when the install fails.
 */
export async function installWithNpm(
  serverDir: string,
  name: string,
  version: string,
  npmCommand: readonly string[] | undefined = defaultNpmCommand(),
  registry?: string,
): Promise<void> {
  assertPinnedPackage(name, version);
  if (npmCommand === undefined) {
    throw new FleetError(
      'unavailable',
      `npm install ${name}@${version} needs Node.js with npm on this computer, and none was found on PATH`,
    );
  }
  await writeServerManifest(serverDir, name, version);
  const [command, ...prefix] = npmCommand;
  if (command === undefined) throw new FleetError('invalid_input', 'npm command is empty');
  const args = [
    ...prefix,
    'install',
    '--prefix',
    serverDir,
    '--omit=dev',
    '--no-audit',
    '--no-fund',
    '--save-exact',
    '--no-package-lock',
    ...(registry === undefined ? [] : ['--registry', registry]),
    `${name}@${version}`,
  ];
  try {
    await run(command, args, { maxBuffer: 8 * 1024 * 1024 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    const tail = stderr.trim().split('\n').slice(-3).join(' ').slice(0, 400);
    throw new FleetError('unavailable', `npm install ${name}@${version} failed: ${tail || 'no output'}`, {
      cause: err,
    });
  }
}

/**
 * The argv that starts a baked server inside the image without npx: node and the package's bin.
 * Throws FleetError('invalid_input') when the package declares no command.
 */
export async function bakedServerCommand(serverDir: string, name: string): Promise<string[]> {
  const packageDir = path.join(serverDir, 'node_modules', name);
  const bins = binEntries(name, await readPackageJson(packageDir));
  const unscoped = name.split('/').pop();
  const chosen = bins.length === 1 ? bins[0] : bins.find(([command]) => command === unscoped);
  if (chosen === undefined) {
    throw new FleetError('invalid_input', `${name} declares ${bins.length} commands; say which one to run`);
  }
  return ['node', path.posix.join(SERVER_DIR_IN_IMAGE, 'node_modules', name, chosen[1])];
}
