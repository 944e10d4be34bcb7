/** `mcp-fleet members`: add (prints the token once), list, remove. */
import { MEMBER_LIMIT_KEYS, type MemberLimits } from '../../shared/bridge-settings';
import { FleetError } from '../../shared/errors';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';
import { printResults, progressStream } from './deploy';
import { limitValue } from './servers';

export const MEMBERS_USAGE = `mcp-fleet members add SERVER MEMBER [--tools T,...] [--secret-env K=V]...
    [--sessions N] [--inflight N] [--rps R] (the member's own fair share; default the server's)
    (prints the member's token once; Dedicated: deploys the member's own instance where the server runs)
mcp-fleet members list SERVER
mcp-fleet members remove SERVER MEMBER`;

export async function membersCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return add(ctx, rest);
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
          tools: m.tools.join(','),
          'own values': m.envKeys.join(',') || '-',
          port: m.port === null ? '-' : String(m.port),
          limits: limitsText(m.limits),
          token: m.rotating ? 'rotating (old one still accepted)' : 'set',
          instances: m.instances.join(',') || '-',
        })),
        ['name', 'tools', 'own values', 'port', 'limits', 'token', 'instances'],
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
  const a = parseArgs(argv, {
    tools: 'string',
    'secret-env': 'multi',
    ...Object.fromEntries(MEMBER_LIMIT_KEYS.map(([key]) => [key, 'string' as const])),
  });
  const [server, name, ...extra] = a.positionals;
  if (server === undefined || name === undefined || extra.length > 0) {
    throw usage(
      'expected: mcp-fleet members add SERVER MEMBER [--tools T,...] [--secret-env K=V]... [--sessions N] [--inflight N] [--rps R]',
    );
  }
  const toolsText = a.values.get('tools');
  const tools = toolsText
    ?.split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tools !== undefined && tools.length === 0)
    throw usage('--tools needs at least one tool name, or * for all');
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
      ...(tools === undefined ? {} : { tools }),
      ...(env.length === 0 ? {} : { env }),
      ...(Object.keys(limits).length === 0 ? {} : { limits }),
    });
  } finally {
    stop();
  }
  if (ctx.output.json) ctx.output.out(JSON.stringify(added, null, 2));
  else {
    ctx.output.out(
      `added member ${name} of ${server} (tools ${added.member.tools.join(',')}; limits ${limitsText(added.member.limits)})`,
    );
    ctx.output.out(`token (shown this once; MCP Fleet keeps it encrypted): ${added.token}`);
    if (added.deploys.length > 0) printResults(ctx, added.deploys);
  }
  if (added.deployError !== null) {
    throw new FleetError('unavailable', `the member is added, but deploying it failed: ${added.deployError}`);
  }
}

/** "sessions 8, rps 2.5", or what applies when the member has none of its own. */
function limitsText(limits: { [K in keyof MemberLimits]?: number | undefined }): string {
  const set = MEMBER_LIMIT_KEYS.flatMap(([key]) =>
    limits[key] === undefined ? [] : [`${key} ${limits[key]}`],
  );
  return set.length === 0 ? "the server's" : set.join(', ');
}
