import { BridgeError } from '../errors';
import { limitProblem } from '../../src-main/shared/bridge-settings';

/** A member's own fair-share limits, overriding the server's --member-* defaults one by one. */
export interface MemberLimitOverrides {
  /** Sessions (and subscriptions/listen streams) open at once. */
  sessions?: number;
  /** Requests in flight at once (and request bodies arriving at once). */
  inflight?: number;
  /** Requests a second, sustained; bursts of twice as many pass after a quiet spell. */
  rps?: number;
}

/** A member as configured: who, which token hashes prove it, which tools it may call. */
export interface MemberSpec {
  name: string;
  tokenSha256: string | string[];
  tools: string[];
  limits?: MemberLimitOverrides;
}

export interface Member {
  readonly name: string;
  readonly tokenHashes: readonly Buffer[];
  readonly allTools: boolean;
  /** False for a member allowed no tool at all: 2026-07-28 clients are then told there are no tools. */
  readonly anyTool: boolean;
  readonly allowTool: (tool: string) => boolean;
  readonly limits: MemberLimitOverrides;
}

const HEX64 = /^[0-9a-f]{64}$/i;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function isSha256Hex(value: string): boolean {
  return HEX64.test(value);
}

/** Compiles tool patterns: `*` allows all, `read_*` a prefix (any `*` is a wildcard), anything else one name. */
function compileTools(patterns: readonly string[]): {
  allTools: boolean;
  anyTool: boolean;
  allowTool: (tool: string) => boolean;
} {
  if (patterns.includes('*')) return { allTools: true, anyTool: true, allowTool: () => true };
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns
    .filter((p) => p.includes('*'))
    .map((p) => new RegExp('^' + p.split('*').map(escapeRegExp).join('.*') + '$'));
  return {
    allTools: false,
    anyTool: patterns.length > 0,
    allowTool: (tool) => exact.has(tool) || globs.some((g) => g.test(tool)),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Validates and parses the members file's JSON text; throws BridgeError naming the entry at fault. */
export function parseMembersJson(text: string, source: string): MemberSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BridgeError('invalid_input', `${source} is not valid JSON`);
  }
  if (!Array.isArray(value)) {
    throw new BridgeError(
      'invalid_input',
      `${source} must hold a JSON array of {"name","tokenSha256","tools"}`,
    );
  }
  return value.map((entry: unknown, index): MemberSpec => {
    const where = `${source} entry ${index}`;
    if (typeof entry !== 'object' || entry === null)
      throw new BridgeError('invalid_input', `${where} is not an object`);
    const { name, tokenSha256, tools, limits } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new BridgeError('invalid_input', `${where}: "name" must be 1-64 letters, digits, . _ @ or -`);
    }
    const hashes = typeof tokenSha256 === 'string' ? [tokenSha256] : tokenSha256;
    if (
      !Array.isArray(hashes) ||
      hashes.length === 0 ||
      !hashes.every((h) => typeof h === 'string' && isSha256Hex(h))
    ) {
      throw new BridgeError(
        'invalid_input',
        `${where} (${name}): "tokenSha256" must be a 64-digit hex SHA-256 or a list of them`,
      );
    }
    if (!Array.isArray(tools) || !tools.every((t) => typeof t === 'string' && t.length > 0)) {
      throw new BridgeError(
        'invalid_input',
        `${where} (${name}): "tools" must be a list of tool names, or ["*"] for all`,
      );
    }
    const spec: MemberSpec = { name, tokenSha256: hashes as string[], tools: tools as string[] };
    if (limits !== undefined) spec.limits = parseLimits(limits, `${where} (${name})`);
    return spec;
  });
}

const LIMIT_KEYS = new Set(['sessions', 'inflight', 'rps']);

/**
 * A member's "limits" object. Unknown keys are refused rather than ignored: a typo ("rate") would
 * otherwise leave the member on the defaults without anyone noticing.
 */
export function parseLimits(value: unknown, where: string): MemberLimitOverrides {
  const shape =
    '"limits" must be an object with any of "sessions", "inflight" (whole numbers ≥ 1) and "rps" (a number > 0)';
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BridgeError('invalid_input', `${where}: ${shape}`);
  const out: MemberLimitOverrides = {};
  for (const [key, n] of Object.entries(value as Record<string, unknown>)) {
    if (!LIMIT_KEYS.has(key))
      throw new BridgeError('invalid_input', `${where}: ${shape}, not "${key.slice(0, 40)}"`);
    const problem = limitProblem(n, key !== 'rps');
    if (problem !== null) throw new BridgeError('invalid_input', `${where}: "limits.${key}" ${problem}`);
    out[key as keyof MemberLimitOverrides] = n as number;
  }
  return out;
}

/**
 * Builds the member list. Hashes given with --token-sha256 form one member, "default", with every tool
 * (several hashes allow rotating a token without downtime). Names and hashes must be unique.
 */
export function buildMembers(specs: readonly MemberSpec[], implicitHashes: readonly string[]): Member[] {
  const all = [...specs];
  if (implicitHashes.length > 0)
    all.push({ name: 'default', tokenSha256: [...implicitHashes], tools: ['*'] });
  if (all.length === 0) {
    throw new BridgeError('invalid_input', 'no token configured: give --token-sha256 HEX or --members FILE');
  }
  const names = new Set<string>();
  const hashes = new Set<string>();
  return all.map((spec) => {
    if (names.has(spec.name))
      throw new BridgeError('invalid_input', `member "${spec.name}" is configured twice`);
    names.add(spec.name);
    const list = typeof spec.tokenSha256 === 'string' ? [spec.tokenSha256] : spec.tokenSha256;
    const tokenHashes = list.map((hex) => {
      if (!isSha256Hex(hex)) {
        throw new BridgeError('invalid_input', `member "${spec.name}": a token hash is not 64 hex digits`);
      }
      const key = hex.toLowerCase();
      if (hashes.has(key))
        throw new BridgeError(
          'invalid_input',
          `member "${spec.name}": a token hash is shared with another member`,
        );
      hashes.add(key);
      return Buffer.from(key, 'hex');
    });
    return { name: spec.name, tokenHashes, ...compileTools(spec.tools), limits: { ...spec.limits } };
  });
}
