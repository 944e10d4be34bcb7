import { BridgeError } from '../errors';

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses an env file: `KEY=VALUE` lines, `#` comments, blank lines, an optional `export ` prefix.
 * Values are literal, as Docker's --env-file reads them, except that a value wholly wrapped in double
 * quotes has \n, \t, \" and \\ unescaped and one wrapped in single quotes is taken as is.
 * Errors name the line, never its value (it may be a secret).
 */
export function parseEnvFile(text: string, source: string): Record<string, string> {
  const env: Record<string, string> = {};
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const body = line.startsWith('export ') ? line.slice(7).trimStart() : line;
    const eq = body.indexOf('=');
    const key = eq < 0 ? body.trim() : body.slice(0, eq).trim();
    if (eq < 0 || !KEY.test(key)) {
      throw new BridgeError('invalid_input', `${source} line ${index + 1} is not KEY=VALUE`);
    }
    env[key] = unquote(body.slice(eq + 1));
  });
  return env;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\nt])/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

// What a stdio server needs to find its interpreter and write caches, and nothing that could carry
// the bridge's own configuration or credentials.
const BASE_KEYS = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER'] as const;

/** The child's environment: the minimal base taken from the bridge's, then the env file on top. */
export function childEnvironment(
  fromFile: Record<string, string>,
  parent: NodeJS.ProcessEnv,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of BASE_KEYS) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return { ...env, ...fromFile };
}
