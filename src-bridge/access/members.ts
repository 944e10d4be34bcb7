import { BridgeError } from '../errors';
import type { MemberLimits } from '../../src-main/shared/bridge-settings';
import {
  ALLOW_ALL,
  compileAccess,
  isSha256Hex,
  membersFileEntryProblem,
  parseMembersFile,
  type AccessRule,
  type MembersFileEntry,
} from '../../src-main/shared/members-file';

/**
 * A member as configured: who, which token hashes prove it, what it may use (tools, resources,
 * prompts; the last two absent mean all) and its own fair-share limits. The members file's entry, whose
 * shape and rules are declared once in src-main/shared/members-file.ts.
 */
export type MemberSpec = MembersFileEntry;

export interface Member {
  readonly name: string;
  readonly tokenHashes: readonly Buffer[];
  /** Tool names it may call. */
  readonly tools: AccessRule;
  /** Resource URIs it may read and subscribe to (templates: those that may expand to one). */
  readonly resources: AccessRule;
  /** Prompt names it may get. */
  readonly prompts: AccessRule;
  /** Its own fair-share limits, overriding the server's --member-* defaults one by one. */
  readonly limits: MemberLimits;
}

/**
 * Validates and parses the members file's JSON text with the shared rules (unknown keys, bad names and
 * bad patterns are refused); throws BridgeError naming the file and the entry at fault.
 */
export function parseMembersJson(text: string, source: string): MemberSpec[] {
  let entries: MembersFileEntry[];
  try {
    entries = parseMembersFile(text, source);
  } catch (err) {
    throw new BridgeError('invalid_input', err instanceof Error ? err.message : String(err));
  }
  // One hash or several: always a list here, as the bridge has always returned it.
  return entries.map((entry) => ({
    ...entry,
    tokenSha256: typeof entry.tokenSha256 === 'string' ? [entry.tokenSha256] : entry.tokenSha256,
  }));
}

/**
 * Builds the member list. Hashes given with --token-sha256 form one member, "default", allowed
 * everything (several hashes allow rotating a token without downtime). Each spec is checked with the
 * members file's rules (startBridge callers pass specs without a file); names and hashes must be unique.
 */
export function buildMembers(specs: readonly MemberSpec[], implicitHashes: readonly string[]): Member[] {
  const all = [...specs];
  if (implicitHashes.length > 0)
    all.push({ name: 'default', tokenSha256: [...implicitHashes], tools: [...ALLOW_ALL] });
  if (all.length === 0) {
    throw new BridgeError('invalid_input', 'no token configured: give --token-sha256 HEX or --members FILE');
  }
  const names = new Set<string>();
  const hashes = new Set<string>();
  return all.map((spec, index) => {
    const problem = membersFileEntryProblem(spec);
    if (problem !== null) throw new BridgeError('invalid_input', `member ${index} ${problem}`);
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
    return {
      name: spec.name,
      tokenHashes,
      tools: compileAccess(spec.tools),
      resources: compileAccess(spec.resources ?? ALLOW_ALL),
      prompts: compileAccess(spec.prompts ?? ALLOW_ALL),
      limits: { ...spec.limits },
    };
  });
}
