// What went into app.asar, checked against what the app loads at run time and against what must
// stay out (sources, tests, dev dependencies, the Node shims), read from the archive's own header.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import asar from '@electron/asar';
import { closure, nameOf } from './lockfile.mjs';

/** Every file in the archive: relative path (forward slashes) → { size, unpacked }. */
export function readArchive(archive) {
  const files = new Map();
  const walk = (node, prefix) => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      if (child.files !== undefined) walk(child, rel);
      else files.set(rel, { size: child.size ?? 0, unpacked: child.unpacked === true });
    }
  };
  walk(asar.getRawHeader(archive).header, '');
  return files;
}

/** The files the renderer's index.html pulls in (scripts, styles, icons), relative to the archive. */
function rendererAssets(indexHtml) {
  const refs = [...indexHtml.matchAll(/\s(?:src|href)="([^"#?]+)"/g)].map((m) => m[1]);
  return refs
    .filter((ref) => !/^[a-z]+:/i.test(ref) && !ref.startsWith('//'))
    .map((ref) => path.posix.normalize(path.posix.join('out/renderer', ref)));
}

/** Files of a repo folder matching `keep`, as archive paths. */
function repoFiles(repo, folder, keep) {
  return readdirSync(path.join(repo, folder), { recursive: true })
    .map((f) => String(f).split(path.sep).join('/'))
    .filter((f) => statSync(path.join(repo, folder, f)).isFile() && keep(f))
    .map((f) => `${folder}/${f}`);
}

/** What must be in the archive: each entry is [why, path]. */
function requiredFiles(repo, pkg, archive, files) {
  const required = [
    ['package.json "main"', pkg.main],
    ['the preload (src-main/app/main.ts loads ../preload/index.cjs)', 'out/preload/index.cjs'],
    ['the renderer page', 'out/renderer/index.html'],
    ['the bridge bundle the runtime image copies', 'out/bridge/bridge.mjs'],
    ...repoFiles(repo, 'resources/tray', (f) => f.endsWith('.png')).map((f) => ['a tray icon', f]),
    ...repoFiles(repo, 'resources/runtime', (f) => !f.endsWith('.md')).map((f) => [
      'a runtime image file',
      f,
    ]),
    ...repoFiles(repo, 'resources/icons/png', (f) => f.endsWith('.png')).map((f) => ['an app icon', f]),
    ...Object.keys(pkg.dependencies ?? {}).map((d) => ['a dependency', `node_modules/${d}/package.json`]),
  ];
  const index = files.has('out/renderer/index.html')
    ? asar.extractFile(archive, 'out/renderer/index.html').toString('utf8')
    : '';
  for (const asset of rendererAssets(index)) required.push(['a file index.html loads', asset]);
  return required;
}

/** An install path: node_modules/<name> segments only, e.g. node_modules/a/node_modules/@s/b. */
const INSTALL_PATH = /^node_modules\/(@[^/]+\/)?[^/@][^/]*(\/node_modules\/(@[^/]+\/)?[^/@][^/]*)*$/;

/** Install paths of the packages in the archive (folders with a package.json at an install path). */
function packagesIn(files) {
  const found = new Set();
  for (const file of files.keys()) {
    if (!file.endsWith('/package.json')) continue;
    const dir = file.slice(0, -'/package.json'.length);
    if (INSTALL_PATH.test(dir)) found.add(dir);
  }
  return found;
}

const TOP_LEVEL = new Set(['package.json', 'out', 'resources', 'node_modules']);
const OUT_DIRS = new Set(['main', 'preload', 'renderer', 'bridge']);

/** Why a packed file does not belong in the app (sources, tests, maps, other builds), or null. */
function strayReason(file) {
  const [top, second] = file.split('/');
  if (!TOP_LEVEL.has(top)) return 'only out/, resources/ and node_modules/ belong in the app';
  if (file.endsWith('.map')) return 'it is a source map';
  if (top === 'out' && !OUT_DIRS.has(second)) return 'it is not part of the build the app loads';
  if (top !== 'node_modules' && /\.tsx?$/.test(file)) return 'it is a TypeScript source';
  return null;
}

/**
 * Packed packages that are not production dependencies, or are the Node shims. electron-builder lays
 * node_modules out by its own hoisting, so packages are matched to the lockfile's production closure
 * by name and version, not by install path.
 */
function packageProblems(archive, packages, lockPackages) {
  const problems = [];
  const production = new Map();
  for (const p of closure(lockPackages, { dev: false, optional: true })) {
    production.set(`${nameOf(p)}@${lockPackages[p].version}`, lockPackages[p]);
  }
  for (const installPath of packages) {
    const { version } = JSON.parse(asar.extractFile(archive, `${installPath}/package.json`).toString('utf8'));
    const entry = production.get(`${nameOf(installPath)}@${version}`);
    if (entry === undefined) {
      problems.push(
        `${installPath} (${version}) is packed, but package-lock.json has it as no production dependency`,
      );
    } else if (entry.bin?.node !== undefined) {
      problems.push(
        `${installPath} is packed: the Node shims serve npm scripts; Electron brings its own Node`,
      );
    }
  }
  return problems;
}

/** Native addons must be unpacked (the loader needs real files), and present beside the archive. */
function unpackProblems(archive, files, platform, arch) {
  const problems = [];
  for (const [file, info] of files) {
    if (file.endsWith('.node') && !info.unpacked) {
      problems.push(`${file} is a native addon inside the archive; it must be unpacked`);
    }
    if (!info.unpacked) continue;
    const onDisk = path.join(`${archive}.unpacked`, file);
    if (!existsSync(onDisk)) {
      problems.push(`${file} is marked unpacked but is not in app.asar.unpacked`);
    } else if (statSync(onDisk).size !== info.size) {
      problems.push(`${file} in app.asar.unpacked differs from the size the archive records`);
    }
  }
  const prebuilds = 'node_modules/better-sqlite3-multiple-ciphers/prebuilds/';
  if (!files.get(`${prebuilds}${platform}-${arch}.node`)?.unpacked) {
    problems.push(`the SQLite addon ${prebuilds}${platform}-${arch}.node is not packed and unpacked`);
  }
  for (const file of files.keys()) {
    if (file.startsWith(prebuilds) && !file.slice(prebuilds.length).startsWith(`${platform}-`)) {
      problems.push(`${file} is packed, but it is for another platform than ${platform}`);
    }
  }
  return problems;
}

/**
 * Checks the packed app. `resourcesDir`: where app.asar and app.asar.unpacked are. Returns
 * { problems, stats }: problems are sentences, stats feed the summary.
 */
export function checkArchive({ repo, resourcesDir, lockPackages, platform, arch }) {
  const archive = path.join(resourcesDir, 'app.asar');
  const files = readArchive(archive);
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const problems = [];

  for (const [why, file] of requiredFiles(repo, pkg, archive, files)) {
    if (!files.has(file)) problems.push(`missing ${file} (${why})`);
  }

  for (const file of files.keys()) {
    const reason = strayReason(file);
    if (reason !== null) problems.push(`${file} is packed, but ${reason}`);
  }

  const packages = packagesIn(files);
  problems.push(...packageProblems(archive, packages, lockPackages));
  problems.push(...unpackProblems(archive, files, platform, arch));

  return {
    problems,
    stats: {
      archiveBytes: statSync(archive).size,
      files: files.size,
      packages: packages.size,
      unpacked: [...files].filter(([, f]) => f.unpacked).map(([file, info]) => ({ file, size: info.size })),
    },
  };
}
