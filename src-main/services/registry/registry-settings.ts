/**
 * Which registries an unpinned npx or uvx source is resolved against: the ones the tools on this machine
 * would use, so the version pinned is one that `npm install` (which bakes npx servers into the runtime
 * image on this machine) and uv can fetch.
 *
 * - npm: `npm_config_registry` (as npm and npx export it), else `registry=` in the user's .npmrc
 *   (`npm_config_userconfig`, else ~/.npmrc), else https://registry.npmjs.org/. A scope's own registry
 *   (`@acme:registry=…`) applies to that scope's packages.
 * - PyPI: `UV_DEFAULT_INDEX`, `UV_INDEX_URL` or `PIP_INDEX_URL`, else https://pypi.org/simple/. The index
 *   is read through the Simple API (PEP 503 / PEP 691), which every index serves, private ones included.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';
export const DEFAULT_PYPI_INDEX = 'https://pypi.org/simple/';

export interface RegistrySettings {
  /** Base URL of the npm registry, ending in "/". */
  npm: string;
  /** Registries of scopes that have their own: "@acme" → base URL ending in "/". */
  npmScopes: Record<string, string>;
  /** The PyPI Simple API root, ending in "/". */
  pypi: string;
}

/** The settings the environment and the user's .npmrc give; never throws (an unreadable .npmrc is skipped). */
export function registrySettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): RegistrySettings {
  const npmrc = readNpmrc(
    env['npm_config_userconfig'] ?? env['NPM_CONFIG_USERCONFIG'] ?? path.join(home, '.npmrc'),
    env,
  );
  const npmScopes: Record<string, string> = {};
  for (const [key, value] of [...npmrc, ...Object.entries(env)]) {
    const scope = /^(?:npm_config_)?(@[^:]+):registry$/i.exec(key)?.[1];
    if (scope !== undefined && value) npmScopes[scope.toLowerCase()] = withSlash(value);
  }
  const npm =
    env['npm_config_registry'] ||
    env['NPM_CONFIG_REGISTRY'] ||
    npmrc.find(([key]) => key === 'registry')?.[1] ||
    DEFAULT_NPM_REGISTRY;
  const pypi = env['UV_DEFAULT_INDEX'] || env['UV_INDEX_URL'] || env['PIP_INDEX_URL'] || DEFAULT_PYPI_INDEX;
  return { npm: withSlash(npm), npmScopes, pypi: withSlash(pypi) };
}

/** The registry an npm package is fetched from: its scope's, else the default. */
export function npmRegistryFor(settings: RegistrySettings, name: string): string {
  const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')).toLowerCase() : null;
  return (scope !== null ? settings.npmScopes[scope] : undefined) ?? settings.npm;
}

/** A URL for messages: without user name, password or token, which an index URL may carry. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** key=value lines of an .npmrc, ${VAR} expanded as npm does; [] when there is none. */
function readNpmrc(file: string, env: NodeJS.ProcessEnv): [string, string][] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: [string, string][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const value = line
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? '');
    out.push([line.slice(0, eq).trim(), value]);
  }
  return out;
}
