/**
 * The rules for the bridge's Shared-mode settings: `--root` entries, the fair-share and connection
 * caps, and a member's own `limits`. The bridge checks what it is given with these same functions, and
 * the app checks what it saves with them, so a value the app accepts is one the bridge starts with.
 * Deliberately free of zod (and of everything else): the bridge bundles this file and depends on
 * nothing but Node. The zod schemas built on these rules live in contract.ts.
 */

/** A root as MCP's roots/list result carries it (2025-11-25: the uri must be a file:// URI). */
export interface BridgeRoot {
  uri: string;
  name?: string;
}

/** The server-wide caps (bridge flags); each absent one keeps the bridge's default. */
export interface BridgeLimits {
  memberSessions?: number;
  memberInflight?: number;
  memberRps?: number;
  maxConnections?: number;
  maxConnectionsPerSource?: number;
}

/** A member's own fair-share limits (the members file's `limits`), overriding the server-wide ones. */
export interface MemberLimits {
  sessions?: number;
  inflight?: number;
  rps?: number;
}

export const ROOT_URI_MAX = 2048;
export const ROOT_NAME_MAX = 200;
/** The highest cap or rate the bridge takes. */
export const MAX_BRIDGE_LIMIT = 1_000_000;

/** Each server-wide cap: its bridge flag, and whether it takes only whole numbers. Flag order = render order. */
export const BRIDGE_LIMIT_FLAGS: readonly (readonly [keyof BridgeLimits, string, boolean])[] = [
  ['memberSessions', '--member-sessions', true],
  ['memberInflight', '--member-inflight', true],
  ['memberRps', '--member-rps', false],
  ['maxConnections', '--max-connections', true],
  ['maxConnectionsPerSource', '--max-connections-per-source', true],
];

/** Each member limit: its members-file key, and whether it takes only whole numbers. */
export const MEMBER_LIMIT_KEYS: readonly (readonly [keyof MemberLimits, boolean])[] = [
  ['sessions', true],
  ['inflight', true],
  ['rps', false],
];

/**
 * How a limit is written on the bridge's command line: digits with an optional fraction. No sign, no
 * exponent, so "1e3" and "-1" are refused rather than read in a way the operator did not mean.
 */
export const LIMIT_TEXT = /^\d+(\.\d+)?$/;

/** C0 and C1 control characters and DEL: nothing a server should print or a path should hold. */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

export type RootCheck = { ok: true; root: BridgeRoot } | { ok: false; message: string };

/**
 * A root checked as MCP's Root schema has it: a `file://` URI (the only scheme the 2025-11-25 revision
 * allows) without spaces or control characters, and an optional name of 1-200 printable characters
 * (trimmed). `label` names the setting in the message (the bridge says `--root`).
 */
export function checkRootRules(root: BridgeRoot, label = '--root'): RootCheck {
  const shown = JSON.stringify(root.uri.slice(0, 200));
  const fail = (message: string): RootCheck => ({ ok: false, message });
  if (!root.uri.startsWith('file://'))
    return fail(`${label} ${shown} must be a file:// URI, such as file:///srv/data`);
  let parsed: URL;
  try {
    parsed = new URL(root.uri);
  } catch {
    return fail(`${label} ${shown} is not a valid URI`);
  }
  if (
    parsed.protocol !== 'file:' ||
    /\s/.test(root.uri) ||
    hasControl(root.uri) ||
    root.uri.length > ROOT_URI_MAX
  )
    return fail(
      `${label} ${shown} must be a file:// URI without spaces or control characters (escape them as %20 and the like)`,
    );
  if (root.name === undefined) return { ok: true, root: { uri: root.uri } };
  const name = root.name.trim();
  if (name === '' || name.length > ROOT_NAME_MAX || hasControl(name))
    return fail(`the name of ${label} ${shown} must be 1 to 200 printable characters (URI=NAME)`);
  return { ok: true, root: { uri: root.uri, name } };
}

/**
 * `URI` or `URI=NAME` as the `--root` flag takes it. The first `=` ends the URI, so a URI that holds
 * one must write it as %3D; everything after it is the name. Not checked: see checkRootRules.
 */
export function splitRootFlag(text: string): BridgeRoot {
  const eq = text.indexOf('=');
  return eq < 0 ? { uri: text } : { uri: text.slice(0, eq), name: text.slice(eq + 1) };
}

/** The inverse of splitRootFlag, for a root whose URI holds no `=` (checked by the contract). */
export function rootFlagText(root: BridgeRoot): string {
  return root.name === undefined ? root.uri : `${root.uri}=${root.name}`;
}

/**
 * Why `value` is not a limit the bridge takes, or null when it is: a number above 0 (a whole one from
 * 1 when `whole`), at most 1 000 000, that prints without an exponent, because the command line carries
 * it as text (LIMIT_TEXT) and the bridge refuses "1e-7".
 */
export function limitProblem(value: unknown, whole: boolean): string | null {
  const range = `must be ${whole ? 'a whole number' : 'a number'} from ${whole ? 1 : 'above 0'} to ${MAX_BRIDGE_LIMIT}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_BRIDGE_LIMIT)
    return range;
  if (whole && !Number.isInteger(value)) return range;
  if (!LIMIT_TEXT.test(String(value))) return `${range}, and at least 0.000001`;
  return null;
}

/**
 * Why the caps cannot work together, or null: a source allowed more connections than everyone (the
 * bridge refuses to start so). Only checkable when both are given; otherwise the bridge derives one.
 */
export function bridgeLimitsProblem(limits: BridgeLimits): string | null {
  const { maxConnections: max, maxConnectionsPerSource: perSource } = limits;
  if (max !== undefined && perSource !== undefined && perSource > max)
    return `--max-connections-per-source ${perSource} is above --max-connections ${max}`;
  return null;
}

/** The bridge flags for the caps that are set, in a fixed order (so equal settings give equal argv). */
export function bridgeLimitArgs(limits: BridgeLimits): string[] {
  return BRIDGE_LIMIT_FLAGS.flatMap(([field, flag]) => {
    const value = limits[field];
    return value === undefined ? [] : [flag, String(value)];
  });
}

/** Only the known caps that are set: a stray property on the object never reaches a file or a flag. */
export function pickBridgeLimits(limits: BridgeLimits): BridgeLimits {
  const out: BridgeLimits = {};
  for (const [field] of BRIDGE_LIMIT_FLAGS) {
    const value = limits[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/** Only the known member limits that are set, in the members file's key order. */
export function pickMemberLimits(limits: MemberLimits): MemberLimits {
  const out: MemberLimits = {};
  for (const [key] of MEMBER_LIMIT_KEYS) {
    const value = limits[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
