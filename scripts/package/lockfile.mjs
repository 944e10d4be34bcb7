// Reads package-lock.json (lockfileVersion 2 or 3) the way npm resolves it: which packages a package
// reaches, by which kind of edge, and which platforms a package accepts. Used by install-check.mjs
// (can every platform install?) and package-check.mjs (what is a production dependency?).
import { readFileSync } from 'node:fs';

/** The lockfile's `packages` map, keyed by install path ('' is the project itself). */
export function readLockPackages(file) {
  const lock = JSON.parse(readFileSync(file, 'utf8'));
  if (!lock.packages || !lock.packages['']) {
    throw new Error(`${file} has no "packages" map; it needs lockfileVersion 2 or 3 (npm 7 or newer)`);
  }
  return lock.packages;
}

/** The install path `name` resolves to from the package at `from`, as Node and npm walk up; or null. */
export function resolveFrom(packages, from, name) {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    const entry = packages[candidate];
    if (entry) return entry.link && typeof entry.resolved === 'string' ? entry.resolved : candidate;
    if (base === '') return null;
    const up = base.lastIndexOf('/node_modules/');
    base = up === -1 ? '' : base.slice(0, up);
  }
}

/** The name a package is installed under, from its install path. */
export function nameOf(path) {
  const at = path.lastIndexOf('node_modules/');
  return path.slice(at + 'node_modules/'.length);
}

/**
 * Edges out of a package: `required` ones npm must satisfy, `optional` ones it may skip. Peer
 * dependencies count (npm installs them) unless peerDependenciesMeta marks them optional.
 */
function edgesOf(entry, { includeDev }) {
  const optionalNames = new Set(Object.keys(entry.optionalDependencies ?? {}));
  const required = Object.keys(entry.dependencies ?? {}).filter((n) => !optionalNames.has(n));
  for (const name of Object.keys(entry.peerDependencies ?? {})) {
    if (entry.peerDependenciesMeta?.[name]?.optional) optionalNames.add(name);
    else required.push(name);
  }
  if (includeDev) required.push(...Object.keys(entry.devDependencies ?? {}));
  return { required, optional: [...optionalNames] };
}

/**
 * Every install path reachable from the project. `dev`: follow the project's devDependencies too.
 * `optional`: follow optional edges too. A package only reachable through an optional edge is one
 * npm may leave out; so the closure without optional edges is what an install cannot do without.
 */
export function closure(packages, { dev, optional }) {
  const seen = new Set(['']);
  const queue = [''];
  while (queue.length > 0) {
    const from = queue.shift();
    const entry = packages[from];
    if (entry === undefined) continue;
    const { required, optional: maybe } = edgesOf(entry, { includeDev: dev && from === '' });
    for (const name of optional ? [...required, ...maybe] : required) {
      const to = resolveFrom(packages, from, name);
      if (to !== null && !seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  seen.delete('');
  return seen;
}

/** npm-install-checks' list rule: no negated entry matches, and a plain entry does if there is one. */
function listAccepts(list, value) {
  const entries = typeof list === 'string' ? [list] : list;
  if (entries.length === 1 && entries[0] === 'any') return true;
  let negated = 0;
  let match = false;
  for (const entry of entries) {
    if (entry.startsWith('!')) {
      negated += 1;
      if (entry.slice(1) === value) return false;
    } else if (entry === value) {
      match = true;
    }
  }
  return match || negated === entries.length;
}

/** Whether npm would install the package on `target` ({ os, cpu, libc }; libc is null off Linux). */
export function acceptsPlatform(entry, target) {
  if (entry.os && !listAccepts(entry.os, target.os)) return false;
  if (entry.cpu && !listAccepts(entry.cpu, target.cpu)) return false;
  if (entry.libc && (target.libc === null || !listAccepts(entry.libc, target.libc))) return false;
  return true;
}
