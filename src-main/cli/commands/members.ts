/** `mcp-fleet members`: add (prints the token once), set, list, remove. */
import { MEMBER_LIMIT_KEYS, type MemberLimits } from '../../shared/bridge-settings';
import { FleetError } from '../../shared/errors';
import {
  ACCESS_KINDS,
  MAX_ACCESS_PATTERNS,
  accessPatternProblem,
  describeAccess,
  type AccessKind,
} from '../../shared/members-file';
import type { MemberView } from '../../shared/contract';
import { limitOrDefault, limitValue, listValue, parseArgs, usage, type ParsedArgs } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';
import { printResults, progressStream } from './deploy';

export const MEMBERS_USAGE = `mcp-fleet members add SERVER MEMBER [--tools T,...] [--resources P,...] [--prompts P,...] [--secret-env K=V]...
    [--sessions N] [--inflight N] [--rps R] (the member's own fair share; default the server's)
    (--tools, --resources, --prompts: * for all (the default), none, or names and patterns like read_*, file:///docs/*)
    (prints the member's token once; Dedicated: deploys the member's own instance where the server runs)
mcp-fleet members set SERVER MEMBER [--tools T,...] [--resources P,...] [--prompts P,...]
    [--sessions N|default] [--inflight N|default] [--rps R|default]
    (replaces the lists given; limits not named stay, default drops one; deploys again where the server runs)
mcp-fleet members list SERVER
mcp-fleet members remove SERVER MEMBER`;

const ACCESS_OPTIONS = Object.fromEntries(ACCESS_KINDS.map((kind) => [kind, 'string' as const]));
const LIMIT_OPTIONS = Object.fromEntries(MEMBER_LIMIT_KEYS.map(([key]) => [key, 'string' as const]));

export async function membersCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return add(ctx, rest);
    case 'set':
      return set(ctx, rest);
    case 'list':
    case 'ls': {
      const [server, ...extra] = parseArgs(rest, {}).positionals;
      if (server === undefined || extra.length > 0) throw usage('expected: mcp-fleet members list SERVER');
      const members = await ctx.call('members:list', { server });
      if (ctx.output.json) return ctx.output.out(JSON.stringify(members, null, 2));
      return printTable(
        ctx.output,
        members.map((m) => ({
          name: m.name,
          tools: describeAccess(m.tools),
          resources: describeAccess(m.resources),
          prompts: describeAccess(m.prompts),
          'own values': m.envKeys.join(',') || '-',
          port: m.port === null ? '-' : String(m.port),
          limits: limitsText(m.limits),
          token: m.rotating ? 'rotating (old one still accepted)' : 'set',
          instances: m.instances.join(',') || '-',
        })),
        ['name', 'tools', 'resources', 'prompts', 'own values', 'port', 'limits', 'token', 'instances'],
        `no members yet: add one with \`mcp-fleet members add ${server} NAME\``,
      );
    }
    case 'remove':
    case 'rm': {
      const [server, name, ...extra] = parseArgs(rest, {}).positionals;
      if (server === undefined || name === undefined || extra.length > 0) {
        throw usage('expected: mcp-fleet members remove SERVER MEMBER');
      }
      const { streamId, stop } = await progressStream(ctx);
      try {
        await ctx.call('members:remove', { server, name, streamId });
      } finally {
        stop();
      }
      if (ctx.output.json) return ctx.output.out(JSON.stringify({ removed: name }));
      return ctx.output.out(`removed member ${name} of ${server}`);
    }
    default:
      throw usage(sub === undefined ? `usage:\n${MEMBERS_USAGE}` : `unknown members command "${sub}"`);
  }
}

async function add(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { ...ACCESS_OPTIONS, 'secret-env': 'multi', ...LIMIT_OPTIONS });
  const [server, name, ...extra] = a.positionals;
  if (server === undefined || name === undefined || extra.length > 0) {
    throw usage(
      'expected: mcp-fleet members add SERVER MEMBER [--tools T,...] [--resources P,...] [--prompts P,...] [--secret-env K=V]... [--sessions N] [--inflight N] [--rps R]',
    );
  }
  const access = accessOptions(a);
  const env = (a.multi.get('secret-env') ?? []).map((kv) => {
    const eq = kv.indexOf('=');
    // Never echo the value: it is a secret.
    if (eq <= 0) throw usage('--secret-env expects KEY=VALUE (got a value without "=" or without a key)');
    return { key: kv.slice(0, eq), value: kv.slice(eq + 1) };
  });
  const limits: MemberLimits = {};
  for (const [key, whole] of MEMBER_LIMIT_KEYS) {
    const text = a.values.get(key);
    if (text !== undefined) limits[key] = limitValue(`--${key}`, text, whole);
  }
  const { streamId, stop } = await progressStream(ctx);
  let added;
  try {
    added = await ctx.call('members:add', {
      server,
      name,
      streamId,
      ...access,
      ...(env.length === 0 ? {} : { env }),
      ...(Object.keys(limits).length === 0 ? {} : { limits }),
    });
  } finally {
    stop();
  }
  if (ctx.output.json) ctx.output.out(JSON.stringify(added, null, 2));
  else {
    ctx.output.out(`added member ${name} of ${server} (${memberText(added.member)})`);
    ctx.output.out(`token (shown this once; MCP Fleet keeps it encrypted): ${added.token}`);
    if (added.deploys.length > 0) printResults(ctx, added.deploys);
  }
  if (added.deployError !== null) {
    throw new FleetError('unavailable', `the member is added, but deploying it failed: ${added.deployError}`);
  }
}

async function set(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { ...ACCESS_OPTIONS, ...LIMIT_OPTIONS });
  const [server, name, ...extra] = a.positionals;
  if (server === undefined || name === undefined || extra.length > 0 || a.values.size === 0) {
    throw usage(
      'expected: mcp-fleet members set SERVER MEMBER with at least one of --tools, --resources, --prompts, --sessions, --inflight, --rps',
    );
  }
  const access = accessOptions(a);
  // Every limit is read before the store is opened, so a bad one is a usage error that changes nothing.
  const given = MEMBER_LIMIT_KEYS.flatMap(([key, whole]) => {
    const text = a.values.get(key);
    if (text === undefined) return [];
    return [[key, limitOrDefault(`--${key}`, text, whole)] as const];
  });
  let limits: MemberLimits | undefined;
  if (given.length > 0) {
    // Merged into the member's own: a limit not named keeps its value.
    const members = await ctx.call('members:list', { server });
    const current = members.find((m) => m.name === name);
    if (current === undefined) {
      throw new FleetError('not_found', `server "${server}" has no member named "${name}"`);
    }
    const merged: MemberLimits = {};
    for (const [key] of MEMBER_LIMIT_KEYS) {
      const named = given.find(([k]) => k === key);
      const value = named === undefined ? current.limits[key] : named[1];
      if (value !== undefined && value !== null) merged[key] = value;
    }
    limits = merged;
  }
  const { streamId, stop } = await progressStream(ctx);
  let changed;
  try {
    changed = await ctx.call('members:set', {
      server,
      name,
      streamId,
      ...access,
      ...(limits === undefined ? {} : { limits }),
    });
  } finally {
    stop();
  }
  if (ctx.output.json) ctx.output.out(JSON.stringify(changed, null, 2));
  else {
    ctx.output.out(`changed member ${name} of ${server} (${memberText(changed.member)})`);
    if (changed.deploys.length > 0) printResults(ctx, changed.deploys);
  }
  if (changed.deployError !== null) {
    throw new FleetError(
      'unavailable',
      `the change is saved, but deploying it failed (a later deploy applies it): ${changed.deployError}`,
    );
  }
}

/**
 * --tools, --resources and --prompts as given: `*` all, `none` none, else comma-separated names or
 * patterns, each checked by the bridge's own rule so the message names the flag.
 */
function accessOptions(a: ParsedArgs): Partial<Record<AccessKind, string[]>> {
  const out: Partial<Record<AccessKind, string[]>> = {};
  for (const kind of ACCESS_KINDS) {
    const text = a.values.get(kind);
    if (text !== undefined) out[kind] = accessValue(kind, text);
  }
  return out;
}

function accessValue(kind: AccessKind, text: string): string[] {
  const flag = `--${kind}`;
  if (text.trim() === 'none') return [];
  const list = listValue(text);
  if (list.length === 0) throw usage(`${flag} needs names or patterns, * for all, or none`);
  if (list.includes('none')) {
    throw usage(`${flag}: "none" stands alone (it allows no ${kind}); for one named none, write none*`);
  }
  if (list.length > MAX_ACCESS_PATTERNS) {
    throw usage(`${flag} takes at most ${MAX_ACCESS_PATTERNS} patterns, got ${list.length}`);
  }
  for (const pattern of list) {
    const problem = accessPatternProblem(kind, pattern);
    if (problem !== null) throw usage(`${flag}: ${problem}`);
  }
  return list;
}

/** "tools all; resources file:///docs/*; prompts none; limits the server's". */
function memberText(m: MemberView): string {
  const access = ACCESS_KINDS.map((kind) => `${kind} ${describeAccess(m[kind])}`);
  return [...access, `limits ${limitsText(m.limits)}`].join('; ');
}

/** "sessions 8, rps 2.5", or what applies when the member has none of its own. */
function limitsText(limits: { [K in keyof MemberLimits]?: number | undefined }): string {
  const set = MEMBER_LIMIT_KEYS.flatMap(([key]) =>
    limits[key] === undefined ? [] : [`${key} ${limits[key]}`],
  );
  return set.length === 0 ? "the server's" : set.join(', ');
}
