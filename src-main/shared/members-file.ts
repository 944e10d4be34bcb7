/**
 * The bridge's members file, declared once: its shape, the rule for a member's name, and the rules for
 * the tool, resource and prompt patterns that say what a member may use. The app checks what it saves
 * and writes the file with these (contract.ts, file-contents.ts); the bridge reads the file with them
 * (src-bridge/access/members.ts). Free of zod and of everything but bridge-settings, because the bridge
 * bundles this file and depends on nothing but Node.
 */
import { MEMBER_LIMIT_KEYS, limitProblem, type MemberLimits } from './bridge-settings';

/** Docker's container-name alphabet: a Dedicated member's name is part of its container's name. */
export const MEMBER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
export const MEMBER_NAME_RULE =
  'must be 1-63 characters of letters, digits, "_", "." or "-", starting with a letter or digit';

/** The three things a member's access is given for, each as a list of patterns. */
export type AccessKind = 'tools' | 'resources' | 'prompts';
export const ACCESS_KINDS: readonly AccessKind[] = ['tools', 'resources', 'prompts'];

/**
 * A member's access to one kind: `['*']` allows all, `[]` none, anything else the names (tools,
 * prompts) or URIs (resources) it lists, where each `*` matches any run of characters (`read_*`,
 * `file:///docs/*`).
 */
export type AccessList = readonly string[];

export const ALLOW_ALL: AccessList = ['*'];
export const MAX_ACCESS_PATTERNS = 512;
export const NAME_PATTERN_MAX = 128;
export const URI_PATTERN_MAX = 2048;

const NAME_PATTERN_TEXT = /^[A-Za-z0-9_*./:-]{1,128}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The singular noun of a kind, for messages: "tool", "resource", "prompt". */
export function accessNoun(kind: AccessKind): string {
  return kind === 'tools' ? 'tool' : kind === 'resources' ? 'resource' : 'prompt';
}

/**
 * Why `pattern` is not one a member's list of `kind` may hold, or null when it is. Tool and prompt
 * patterns: 1-128 letters, digits, `_ . / : -` and `*`. Resource patterns: a URI of 1-2048 characters
 * without spaces, commas or control characters (a comma separates patterns on the command line; match a
 * URI that holds one with `*`).
 */
export function accessPatternProblem(kind: AccessKind, pattern: unknown): string | null {
  if (typeof pattern !== 'string') return `a ${accessNoun(kind)} pattern must be text`;
  const shown = JSON.stringify(pattern.slice(0, 80));
  if (kind !== 'resources') {
    return NAME_PATTERN_TEXT.test(pattern)
      ? null
      : `${accessNoun(kind)} name ${shown} must be 1-128 letters, digits, _ . / : - or *`;
  }
  if (pattern.length === 0 || pattern.length > URI_PATTERN_MAX) {
    return `resource pattern ${shown} must be 1-${URI_PATTERN_MAX} characters`;
  }
  if (LONE_SURROGATE.test(pattern)) return `resource pattern ${shown} is not valid Unicode text`;
  for (let i = 0; i < pattern.length; i += 1) {
    const code = pattern.charCodeAt(i);
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2c) {
      return `resource pattern ${shown} must not hold spaces, commas or control characters (use * for them)`;
    }
  }
  return null;
}

/** Why `list` is not an access list of `kind`, or null: an array of at most 512 valid patterns. */
export function accessListProblem(kind: AccessKind, list: unknown): string | null {
  if (!Array.isArray(list)) return `"${kind}" must be a list of patterns: ["*"] for all, [] for none`;
  if (list.length > MAX_ACCESS_PATTERNS) return `"${kind}" holds more than ${MAX_ACCESS_PATTERNS} patterns`;
  for (const pattern of list) {
    const problem = accessPatternProblem(kind, pattern);
    if (problem !== null) return problem;
  }
  return null;
}

/** The list as stored and written: without repeats, and just `['*']` when it allows all. */
export function normaliseAccess(list: AccessList): string[] {
  return list.includes('*') ? ['*'] : [...new Set(list)];
}

/** How an access list reads to an operator: "all", "none", or its patterns. */
export function describeAccess(list: AccessList): string {
  if (list.includes('*')) return 'all';
  return list.length === 0 ? 'none' : list.join(',');
}

/** An access list compiled for the bridge's checks. */
export interface AccessRule {
  /** Everything is allowed (`*`). */
  readonly all: boolean;
  /** Something is allowed: false for `[]`, when the kind is hidden from the member altogether. */
  readonly any: boolean;
  /** Whether one name or URI is allowed. */
  allows(value: string): boolean;
  /**
   * Whether some value a URI template can expand to may be allowed: the template's `{…}` parts are
   * read as `*` and the template is shown when it and one of the patterns can match a common text.
   */
  mayAllowTemplate(uriTemplate: string): boolean;
}

export function compileAccess(patterns: AccessList): AccessRule {
  if (patterns.includes('*')) {
    return { all: true, any: true, allows: () => true, mayAllowTemplate: () => true };
  }
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*'));
  const compiled = globs.map((p) => new RegExp('^' + p.split('*').map(escapeRegExp).join('[^]*') + '$'));
  return {
    all: false,
    any: patterns.length > 0,
    allows: (value) => exact.has(value) || compiled.some((g) => g.test(value)),
    mayAllowTemplate: (uriTemplate) => {
      if (uriTemplate.length > URI_PATTERN_MAX) return false;
      // A `*` outside `{…}` is a literal character of the URI, not a wildcard: it stands here as a
      // character no pattern holds (patterns refuse control characters), which only a pattern's `*` matches.
      const asGlob = uriTemplate
        .split(/\{[^}]*\}/)
        .map((literal) => literal.replaceAll('*', '\u0000'))
        .join('*');
      return patterns.some((p) => globsOverlap(p, asGlob));
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether two patterns, where `*` matches any run of characters, match at least one common text.
 * Dynamic programming over both, from the ends: O(|a|·|b|) time, O(|b|) memory per row.
 */
export function globsOverlap(a: string, b: string): boolean {
  const n = a.length;
  const m = b.length;
  let next = new Uint8Array(m + 1); // row i + 1
  let row = new Uint8Array(m + 1); // row i
  for (let i = n; i >= 0; i -= 1) {
    for (let j = m; j >= 0; j -= 1) {
      let v = false;
      if (i === n && j === m) v = true;
      else {
        const ca = i < n ? a[i] : undefined;
        const cb = j < m ? b[j] : undefined;
        if (ca === '*') v = next[j] === 1 || (j < m && row[j + 1] === 1);
        if (!v && cb === '*') v = row[j + 1] === 1 || (i < n && next[j] === 1);
        if (!v && ca !== undefined && cb !== undefined && ca !== '*' && cb !== '*' && ca === cb)
          v = next[j + 1] === 1;
      }
      row[j] = v ? 1 : 0;
    }
    [next, row] = [row, next];
  }
  return next[0] === 1;
}

/** One member in the members file. `resources` and `prompts` absent mean all (files before them). */
export interface MembersFileEntry {
  name: string;
  tokenSha256: string | string[];
  tools: string[];
  resources?: string[];
  prompts?: string[];
  limits?: MemberLimits;
}

const ENTRY_KEYS = new Set(['name', 'tokenSha256', 'tools', 'resources', 'prompts', 'limits']);
const HEX64 = /^[0-9a-f]{64}$/i;

export function isSha256Hex(value: string): boolean {
  return HEX64.test(value);
}

/**
 * Why `value` is not one members-file entry, or null. Unknown keys are refused rather than ignored: a
 * typo ("resource") would otherwise leave the member allowed everything without anyone noticing.
 */
export function membersFileEntryProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
  const entry = value as Record<string, unknown>;
  const name = entry.name;
  if (typeof name !== 'string' || !MEMBER_NAME_PATTERN.test(name)) return `"name" ${MEMBER_NAME_RULE}`;
  const stray = Object.keys(entry).find((k) => !ENTRY_KEYS.has(k));
  if (stray !== undefined) {
    return `(${name}): unknown key ${JSON.stringify(stray.slice(0, 40))}; the keys are ${[...ENTRY_KEYS].join(', ')}`;
  }
  const hashes = typeof entry.tokenSha256 === 'string' ? [entry.tokenSha256] : entry.tokenSha256;
  if (
    !Array.isArray(hashes) ||
    hashes.length === 0 ||
    !hashes.every((h) => typeof h === 'string' && isSha256Hex(h))
  ) {
    return `(${name}): "tokenSha256" must be a 64-digit hex SHA-256 or a list of them`;
  }
  for (const kind of ACCESS_KINDS) {
    if (kind !== 'tools' && entry[kind] === undefined) continue;
    const problem = accessListProblem(kind, entry[kind]);
    if (problem !== null) return `(${name}): ${problem}`;
  }
  if (entry.limits !== undefined) {
    const problem = memberLimitsProblem(entry.limits);
    if (problem !== null) return `(${name}): ${problem}`;
  }
  return null;
}

/** Why `value` is not a member's "limits" object, or null. Unknown keys are refused, as above. */
export function memberLimitsProblem(value: unknown): string | null {
  const shape =
    '"limits" must be an object with any of "sessions", "inflight" (whole numbers ≥ 1) and "rps" (a number > 0)';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return shape;
  for (const [key, n] of Object.entries(value as Record<string, unknown>)) {
    const known = MEMBER_LIMIT_KEYS.find(([k]) => k === key);
    if (known === undefined) return `${shape}, not "${key.slice(0, 40)}"`;
    const problem = limitProblem(n, known[1]);
    if (problem !== null) return `"limits.${key}" ${problem}`;
  }
  return null;
}

/**
 * Reads a members file's text: a JSON array of entries. Throws an Error whose message names `source`
 * and the entry at fault.
 */
export function parseMembersFile(text: string, source: string): MembersFileEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  if (!Array.isArray(value)) {
    throw new Error(`${source} must hold a JSON array of {"name","tokenSha256","tools"}`);
  }
  return value.map((entry: unknown, index) => {
    const problem = membersFileEntryProblem(entry);
    if (problem !== null) throw new Error(`${source} entry ${index} ${problem}`);
    return entry as MembersFileEntry;
  });
}

/** What the app writes for one member: `resources`, `prompts` and `limits` only when not the default. */
export function membersFileEntry(member: {
  name: string;
  tokenSha256: string;
  tools: AccessList;
  resources: AccessList;
  prompts: AccessList;
  limits: MemberLimits;
}): MembersFileEntry {
  const entry: MembersFileEntry = {
    name: member.name,
    tokenSha256: member.tokenSha256,
    tools: [...member.tools],
  };
  if (!member.resources.includes('*')) entry.resources = [...member.resources];
  if (!member.prompts.includes('*')) entry.prompts = [...member.prompts];
  const limits: MemberLimits = {};
  for (const [key] of MEMBER_LIMIT_KEYS) {
    const v = member.limits[key];
    if (v !== undefined) limits[key] = v;
  }
  if (Object.keys(limits).length > 0) entry.limits = limits;
  return entry;
}
