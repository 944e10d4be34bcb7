import { BRIDGE_LIMIT_FLAGS, bridgeLimitsProblem, type BridgeLimits } from '../../shared/bridge-settings';
import type { ServerAddInput, ServerView } from '../../shared/contract';
import {
  parseAddHostFlag,
  parseBindFlag,
  parseVolumeFlag,
  type ServerReach,
} from '../../shared/server-mounts';
import { limitValue, parseArgs, rootFlag, usage, type ParsedArgs } from '../args';
import type { CommandContext } from '../context';
import { MASK, printTable } from '../output';
import { single } from './hosts';
import { IMPORT_USAGE, importCommand } from './import';
import { SERVERS_SET_USAGE, serversSetCommand } from './server-set';
import { pinnedLine, SERVERS_OUTDATED_USAGE, serversOutdatedCommand, updateColumn } from './server-versions';

export const SERVERS_USAGE = `mcp-fleet servers add NAME (--npx PKG[@VER] | --uvx PKG[@VER] | --image REF | --command CMD) [--arg A]... [--env K=V]... [--secret-env K=V]... --mode shared|dedicated [--port N]
    [--root URI[=NAME]]... (Shared only) [--member-sessions N] [--member-inflight N] [--member-rps R]
    [--max-connections N] [--max-connections-per-source N]
    [--mount HOST_PATH:CONTAINER_PATH[:ro|:rw]]... (ro unless :rw) [--volume NAME:CONTAINER_PATH[:ro|:rw]]...
    [--shared-volume] (Dedicated: one volume for all members) [--network NAME]... [--add-host NAME:IP]...
    [--allow-docker-socket] (lets a --mount of the Docker socket through: it hands over the host)
    (an npx/uvx package without an exact version, or with a tag or range, is pinned to the registry's latest)
${SERVERS_SET_USAGE}
mcp-fleet servers list
${SERVERS_OUTDATED_USAGE}
mcp-fleet servers show NAME
mcp-fleet servers remove NAME
${IMPORT_USAGE}`;

export async function serversCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return add(ctx, rest);
    case 'set':
      return serversSetCommand(ctx, rest);
    case 'import':
      return importCommand(ctx, rest, (input) => ctx.call('servers:import', input));
    case 'outdated':
      return serversOutdatedCommand(ctx, rest);
    case 'list':
    case 'ls': {
      if (parseArgs(rest, {}).positionals.length > 0) throw usage('servers list takes no arguments');
      const servers = await ctx.call('servers:list', {});
      if (ctx.output.json) return ctx.output.out(JSON.stringify(servers, null, 2));
      const updates = await updateColumn(ctx, servers);
      return printTable(
        ctx.output,
        servers.map((s) => ({
          name: s.name,
          source: `${s.source.kind} ${s.source.value}`,
          mode: s.mode,
          port: s.port === null ? 'auto' : String(s.port),
          members: String(s.memberCount),
          instances: String(s.instanceCount),
          update: updates.get(s.name) ?? '',
        })),
        ['name', 'source', 'mode', 'port', 'members', 'instances', ...(updates.size > 0 ? ['update'] : [])],
        'no servers yet: add one with `mcp-fleet servers add NAME --npx PKG --mode shared`',
      );
    }
    case 'show': {
      const name = single(parseArgs(rest, {}).positionals, 'servers show NAME');
      const server = await ctx.call('servers:show', { name });
      if (ctx.output.json) return ctx.output.out(JSON.stringify(server, null, 2));
      return show(ctx, server);
    }
    case 'remove':
    case 'rm': {
      const name = single(parseArgs(rest, {}).positionals, 'servers remove NAME');
      await ctx.call('servers:remove', { name });
      if (ctx.output.json) return ctx.output.out(JSON.stringify({ removed: name }));
      return ctx.output.out(`removed server ${name}`);
    }
    default:
      throw usage(sub === undefined ? `usage:\n${SERVERS_USAGE}` : `unknown servers command "${sub}"`);
  }
}

async function add(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {
    npx: 'string',
    uvx: 'string',
    image: 'string',
    command: 'string',
    arg: 'multi',
    env: 'multi',
    'secret-env': 'multi',
    mode: 'string',
    port: 'string',
    root: 'multi',
    mount: 'multi',
    volume: 'multi',
    'shared-volume': 'flag',
    network: 'multi',
    'add-host': 'multi',
    'allow-docker-socket': 'flag',
    ...Object.fromEntries(BRIDGE_LIMIT_FLAGS.map(([, flag]) => [flag.slice(2), 'string' as const])),
  });
  const name = single(a.positionals, 'servers add NAME ...');
  const kinds = (['npx', 'uvx', 'image', 'command'] as const).filter((k) => a.values.has(k));
  if (kinds.length !== 1) throw usage('give exactly one source: --npx, --uvx, --image or --command');
  const kind = kinds[0] as (typeof kinds)[number];
  const mode = a.values.get('mode');
  if (mode !== 'shared' && mode !== 'dedicated') throw usage('--mode must be shared or dedicated');
  const env = [
    ...(a.multi.get('env') ?? []).map((kv) => ({ ...splitEnv(kv, '--env'), secret: false })),
    ...(a.multi.get('secret-env') ?? []).map((kv) => ({ ...splitEnv(kv, '--secret-env'), secret: true })),
  ];
  const portText = a.values.get('port');
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535)
      throw usage(`--port must be 1-65535, got "${portText}"`);
  }
  const roots = (a.multi.get('root') ?? []).map(rootFlag);
  if (roots.length > 0 && mode === 'dedicated') {
    throw usage(
      "--root is for --mode shared: in a Dedicated instance the member's own client answers the server's roots/list",
    );
  }
  const reach = reachFlags(a, mode);
  const input: ServerAddInput = {
    name,
    source: { kind, value: a.values.get(kind) as string },
    args: a.multi.get('arg') ?? [],
    env,
    mode,
    ...(port !== undefined ? { port } : {}),
    roots,
    bridgeLimits: limitFlags(a.values),
    ...(reach === null ? {} : { reach }),
  };
  const server = await ctx.call('servers:add', input);
  if (ctx.output.json) return ctx.output.out(JSON.stringify(server, null, 2));
  if (server.pinned !== null) ctx.output.out(pinnedLine(server.source.kind, server.pinned));
  ctx.output.out(
    `added server ${server.name} (${server.source.kind} ${server.source.value}, ${server.mode})`,
  );
}

/**
 * The mount, volume, network and --add-host flags as a reach, or null when none is given (the server
 * gets the empty one). Each flag is read by the shared parser; the contract checks the whole again.
 */
function reachFlags(a: ParsedArgs, mode: 'shared' | 'dedicated'): ServerReach | null {
  const read = <T>(flag: string, parse: (text: string) => T): T[] =>
    (a.multi.get(flag) ?? []).map((text) => {
      try {
        return parse(text);
      } catch (err) {
        throw usage(err instanceof Error ? err.message : String(err));
      }
    });
  const shared = a.flags.has('shared-volume');
  const mounts = [
    ...read('mount', parseBindFlag),
    ...read('volume', (text) => parseVolumeFlag(text, shared)),
  ];
  const networks = a.multi.get('network') ?? [];
  const extraHosts = read('add-host', parseAddHostFlag);
  const allowDockerSocket = a.flags.has('allow-docker-socket');
  if (shared && !a.multi.has('volume')) throw usage('--shared-volume applies to --volume; none is given');
  if (shared && mode === 'shared') {
    throw usage(
      "--shared-volume is for --mode dedicated: a Shared server's one instance has one volume anyway",
    );
  }
  if (mounts.length === 0 && networks.length === 0 && extraHosts.length === 0 && !allowDockerSocket)
    return null;
  return { mounts, networks, extraHosts, allowDockerSocket };
}

/** The bridge cap flags given, each checked as the bridge checks it (the contract checks them again). */
function limitFlags(values: ReadonlyMap<string, string>): BridgeLimits {
  const out: BridgeLimits = {};
  for (const [field, flag, whole] of BRIDGE_LIMIT_FLAGS) {
    const text = values.get(flag.slice(2));
    if (text !== undefined) out[field] = limitValue(flag, text, whole);
  }
  const problem = bridgeLimitsProblem(out);
  if (problem !== null) throw usage(problem);
  return out;
}

function splitEnv(kv: string, flag: string): { key: string; value: string } {
  const eq = kv.indexOf('=');
  // Never echo the value: it may be a secret.
  if (eq <= 0) throw usage(`${flag} expects KEY=VALUE (got a value without "=" or without a key)`);
  return { key: kv.slice(0, eq), value: kv.slice(eq + 1) };
}

function show(ctx: CommandContext, s: ServerView): void {
  const o = ctx.output.out;
  o(`name:      ${s.name}`);
  o(`source:    ${s.source.kind} ${s.source.value}`);
  o(`args:      ${s.args.length === 0 ? '-' : s.args.map((x) => JSON.stringify(x)).join(' ')}`);
  o(`mode:      ${s.mode}`);
  o(`port:      ${s.port ?? 'auto (pinned at first deploy)'}`);
  o(`roots:     ${s.roots.length === 0 ? '-' : ''}`);
  for (const r of s.roots) o(`  ${r.uri}${r.name === undefined ? '' : `  (${r.name})`}`);
  const caps = BRIDGE_LIMIT_FLAGS.flatMap(([field, flag]) => {
    const value = s.bridgeLimits[field];
    return value === undefined ? [] : [`${flag} ${value}`];
  });
  o(`bridge:    ${caps.length === 0 ? "the bridge's defaults" : caps.join(' ')}`);
  o(`members:   ${s.memberCount}`);
  o(`instances: ${s.instanceCount}`);
  o(`env:       ${s.env.length === 0 ? '-' : ''}`);
  for (const e of s.env) o(`  ${e.key}=${e.secret ? MASK : (e.value ?? '')}${e.secret ? '  (secret)' : ''}`);
}
