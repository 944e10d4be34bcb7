/**
 * Contents of the two files an instance reads: the env file (the bridge's --env-file) and the members
 * file (--members). Secret values live only here, never on a command line or in container env.
 */
import { EnvKey } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { membersFileEntry, parseMembersFile } from '../../shared/members-file';
import type { EnvEntry, MemberRecord } from '../store/types';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * One env-file line in the bridge's format (src-bridge/env-file.ts): the value always inside double
 * quotes with `\`, `"`, newline and tab escaped, which reads back exactly for any value. Lines start
 * with the key, so a line can never equal a here-document's delimiter.
 */
export function envLine(key: string, value: string): string {
  if (!EnvKey.safeParse(key).success) {
    throw new FleetError('invalid_input', `environment variable name ${JSON.stringify(key)} is not valid`);
  }
  assertWritable(value, `the value of ${key}`);
  const escaped = value.replace(
    /[\\"\n\t]/g,
    (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t' })[c] ?? c,
  );
  return `${key}="${escaped}"`;
}

/**
 * Throws FleetError('invalid_input') for text no file or argv can carry faithfully: a NUL byte (cuts
 * a C string short) or a lone UTF-16 surrogate (has no UTF-8 form, so it would silently become U+FFFD).
 * The message names the field, never the value.
 */
export function assertWritable(value: string, what: string): void {
  if (value.includes('\0')) throw new FleetError('invalid_input', `${what} contains a NUL byte`);
  if (LONE_SURROGATE.test(value)) throw new FleetError('invalid_input', `${what} is not valid Unicode text`);
}

export interface EnvParts {
  /** Lines without secret values, in order. */
  plain: string[];
  /** Lines with secret values, in order; they come last so that they win over a plain default. */
  secret: string[];
  /** Keys of the secret lines. */
  secretKeys: string[];
}

/**
 * Splits env entries into plain and secret lines. Entries later in the list replace earlier ones with
 * the same key (image defaults, then the server's env, then a Dedicated member's own values).
 */
export function envParts(entries: readonly EnvEntry[]): EnvParts {
  const last = new Map<string, EnvEntry>();
  for (const entry of entries) {
    last.delete(entry.key);
    last.set(entry.key, entry);
  }
  const parts: EnvParts = { plain: [], secret: [], secretKeys: [] };
  for (const entry of last.values()) {
    const line = envLine(entry.key, entry.value);
    if (entry.secret) {
      parts.secret.push(line);
      parts.secretKeys.push(entry.key);
    } else parts.plain.push(line);
  }
  return parts;
}

/** The whole env file: a header comment, plain lines, then secret lines; ends with a newline. */
export function envFileContent(parts: EnvParts): string {
  return [ENV_HEADER, ...parts.plain, ...parts.secret].join('\n') + '\n';
}

/** The env file without its secret lines (what goes on screen when secrets go by reference). */
export function envFilePlainContent(parts: EnvParts): string {
  return [ENV_HEADER, ...parts.plain].join('\n') + '\n';
}

const ENV_HEADER = '# MCP Fleet: environment of the server process (KEY="value", \\-escaped)';

/**
 * The bridge's members file: one JSON line of members-file entries (shared/members-file.ts). Each
 * member's `resources`, `prompts` and `limits` appear only when they differ from the defaults (all, and
 * the server's caps), so a file without any stays byte for byte as before, and with it the config hash
 * of instances already running. Throws FleetError('internal') for a stored value the bridge would
 * refuse, rather than write a file that stops the instance from starting.
 */
export function membersFileContent(members: readonly MemberRecord[]): string {
  const entries = members.map((m) => {
    if (!/^[0-9a-f]{64}$/.test(m.tokenSha256)) {
      throw new FleetError('internal', `member "${m.name}" has a malformed token hash`);
    }
    return membersFileEntry(m);
  });
  const content = JSON.stringify(entries) + '\n';
  try {
    parseMembersFile(content, 'the members file');
  } catch (err) {
    throw new FleetError('internal', (err as Error).message, { cause: err });
  }
  return content;
}
