/**
 * The fleet's settings (issue 13): what the runtime image is built from and where its packages come from,
 * for the whole fleet and per host. Each key is declared once here — its default, the environment
 * variable that overrides it, and the rule its value follows — for the store, the CLI, the contract and
 * the Settings page alike. Imports nothing: the renderer reads the descriptions too.
 */

export const SETTING_KEYS = [
  'base-image',
  'npm-registry',
  'pypi-index',
  'bake',
  'uv',
  'push-registry',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** Where an effective value comes from, strongest first. */
export const SETTING_SOURCES = ['environment', 'host', 'fleet', 'default'] as const;
export type SettingSource = (typeof SETTING_SOURCES)[number];

export const BAKE_METHODS = ['npm-install', 'npm-in-image', 'copy-installed'] as const;
export type BakeMethodName = (typeof BAKE_METHODS)[number];

export interface SettingDefinition {
  key: SettingKey;
  /** One line for the CLI's help and the Settings page. */
  about: string;
  /** The built-in value; null: nothing is passed on, so the tool's own configuration applies. */
  default: string | null;
  /** What the default means, for people. */
  defaultText: string;
  /** The environment variable that overrides every stored value. */
  variable: string;
  /** A short hint of the value's form (a placeholder). */
  example: string;
  /** The value as stored, or a sentence naming the problem. */
  check(value: string): { ok: true; value: string } | { ok: false; problem: string };
}

const MAX_VALUE = 512;

// Docker's image reference grammar (distribution/reference), enough to refuse what no engine accepts.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const IMAGE_REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const REGISTRY_PATH = new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`);

type Checked = ReturnType<SettingDefinition['check']>;

function tooLong(value: string): Checked | null {
  return value.length > MAX_VALUE ? { ok: false, problem: `is longer than ${MAX_VALUE} characters` } : null;
}

function checkImage(value: string): Checked {
  const long = tooLong(value);
  if (long) return long;
  const m = IMAGE_REFERENCE.exec(value);
  if (!m || (m[1] ?? '').length > 255) {
    return {
      ok: false,
      problem: `"${value}" is not an image reference like node:22-bookworm-slim or registry.example:5000/node:22`,
    };
  }
  return { ok: true, value };
}

/** An index or registry address: https, no user name or password in it, no query; stored ending in "/". */
function checkHttpsUrl(what: string) {
  return (value: string): Checked => {
    const long = tooLong(value);
    if (long) return long;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { ok: false, problem: `must be an https URL (https://${what}/…), got "${value}"` };
    }
    if (url.protocol !== 'https:') {
      return { ok: false, problem: `must be an https URL, not ${url.protocol.replace(/:$/, '')}` };
    }
    if (url.username !== '' || url.password !== '') {
      // Settings are shown on the Settings page and by `settings get`: no place for a credential.
      return {
        ok: false,
        problem: 'must not carry a user name or password: settings are shown to anyone who opens the app',
      };
    }
    if (url.search !== '' || url.hash !== '') {
      return { ok: false, problem: 'must not carry a query or a fragment' };
    }
    const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
    return { ok: true, value: href };
  };
}

function checkChoice(choices: readonly string[]) {
  return (value: string): Checked =>
    choices.includes(value)
      ? { ok: true, value }
      : { ok: false, problem: `must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1) ?? ''}` };
}

function checkRegistryPath(value: string): Checked {
  const long = tooLong(value);
  if (long) return long;
  if (value.includes('://')) {
    return {
      ok: false,
      problem: 'is a registry host and path without a scheme, like registry.example:5000/mcp',
    };
  }
  if (!REGISTRY_PATH.test(value) || value.length > 255) {
    return {
      ok: false,
      problem: `"${value}" is not a registry host and optional path, like registry.example:5000/mcp`,
    };
  }
  return { ok: true, value };
}

export const SETTINGS: Record<SettingKey, SettingDefinition> = {
  'base-image': {
    key: 'base-image',
    about: 'the image runtime images are built FROM for npx, uvx and command servers (Node 22 on PATH)',
    default: 'node:22-bookworm-slim',
    defaultText: 'node:22-bookworm-slim',
    variable: 'MCP_FLEET_BASE_IMAGE',
    example: 'registry.example:5000/node:22-bookworm-slim',
    check: checkImage,
  },
  'npm-registry': {
    key: 'npm-registry',
    about: 'the npm registry npx servers are installed from (npm --registry)',
    default: null,
    defaultText: "npm's own configuration: .npmrc, else https://registry.npmjs.org/",
    variable: 'MCP_FLEET_NPM_REGISTRY',
    example: 'https://npm.example/',
    check: checkHttpsUrl('npm.example'),
  },
  'pypi-index': {
    key: 'pypi-index',
    about: "the PyPI index uvx servers' packages come from (uv's default index in the image)",
    default: null,
    defaultText: 'https://pypi.org/simple/',
    variable: 'MCP_FLEET_PYPI_INDEX',
    example: 'https://pypi.example/simple/',
    check: checkHttpsUrl('pypi.example/simple'),
  },
  bake: {
    key: 'bake',
    about:
      'how npx servers get into the image: npm-install (here), npm-in-image (during the build), copy-installed (from an installed node_modules)',
    default: 'npm-install',
    defaultText: 'npm-install',
    variable: 'MCP_FLEET_BAKE',
    example: 'npm-install',
    check: checkChoice(BAKE_METHODS),
  },
  uv: {
    key: 'uv',
    about: "whether runtime images carry uv for uvx servers (on pulls Astral's uv image)",
    default: 'on',
    defaultText: 'on',
    variable: 'MCP_FLEET_WITH_UV',
    example: 'on',
    check: checkChoice(['on', 'off']),
  },
  'push-registry': {
    key: 'push-registry',
    about: 'the registry runtime images are pushed to for Swarm and Kubernetes (images push, deploy --swarm)',
    default: null,
    defaultText: 'none',
    variable: 'MCP_FLEET_PUSH_REGISTRY',
    example: 'registry.example:5000/mcp-fleet',
    check: checkRegistryPath,
  },
};

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

/** A stored or given value checked against its key's rule; the message names the key. */
export function checkSetting(
  key: SettingKey,
  value: string,
): { ok: true; value: string } | { ok: false; message: string } {
  const checked = SETTINGS[key].check(value.trim());
  return checked.ok ? checked : { ok: false, message: `${key} ${checked.problem}` };
}

const UV_WORDS: Record<string, string> = { '0': 'off', '1': 'on', false: 'off', true: 'on' };

/**
 * An environment variable's value as the setting it overrides. MCP_FLEET_WITH_UV keeps its old form
 * (0 or 1) beside on and off. Empty counts as unset.
 */
export function settingFromVariable(
  key: SettingKey,
  raw: string | undefined,
): { ok: true; value: string | null } | { ok: false; message: string } {
  if (raw === undefined || raw.trim() === '') return { ok: true, value: null };
  let text = raw.trim();
  if (key === 'uv') text = UV_WORDS[text] ?? text;
  const checked = SETTINGS[key].check(text);
  return checked.ok
    ? { ok: true, value: checked.value }
    : { ok: false, message: `${SETTINGS[key].variable} (which overrides ${key}) ${checked.problem}` };
}
