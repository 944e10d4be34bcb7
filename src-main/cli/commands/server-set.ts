/** `mcp-fleet servers set`: a server's roots and bridge caps, carried to its instances. */
import { BRIDGE_LIMIT_FLAGS, bridgeLimitsProblem, type BridgeLimits } from '../../shared/bridge-settings';
import { FleetError } from '../../shared/errors';
import { limitOrDefault, parseArgs, rootFlag, usage } from '../args';
import type { CommandContext } from '../context';
import { printResults, progressStream } from './deploy';
import { single } from './hosts';

export const SERVERS_SET_USAGE = `mcp-fleet servers set SERVER [--root URI[=NAME]]... [--no-roots] [--member-sessions N|default] [--member-inflight N|default]
    [--member-rps R|default] [--max-connections N|default] [--max-connections-per-source N|default]
    (--root replaces the roots, Shared only; caps not named stay, default drops one; deploys again where the server runs)`;

const CAP_OPTIONS = Object.fromEntries(
  BRIDGE_LIMIT_FLAGS.map(([, flag]) => [flag.slice(2), 'string' as const]),
);

export async function serversSetCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { root: 'multi', 'no-roots': 'flag', ...CAP_OPTIONS });
  const server = single(
    a.positionals,
    'servers set SERVER [--root URI[=NAME]]... [--no-roots] [--member-sessions N|default] ...',
  );
  const rootTexts = a.multi.get('root');
  if (rootTexts !== undefined && a.flags.has('no-roots')) {
    throw usage('give --root to replace the roots, or --no-roots to clear them, not both');
  }
  if (rootTexts === undefined && !a.flags.has('no-roots') && a.values.size === 0) {
    throw usage(
      'expected: mcp-fleet servers set SERVER with at least one of --root, --no-roots, --member-sessions, --member-inflight, --member-rps, --max-connections, --max-connections-per-source',
    );
  }
  const roots = a.flags.has('no-roots') ? [] : rootTexts?.map(rootFlag);
  // Every cap is read before the store is opened, so a bad one is a usage error that changes nothing.
  const given = BRIDGE_LIMIT_FLAGS.flatMap(([field, flag, whole]) => {
    const text = a.values.get(flag.slice(2));
    if (text === undefined) return [];
    return [[field, limitOrDefault(flag, text, whole)] as const];
  });
  let limits: BridgeLimits | undefined;
  if (given.length > 0) {
    // Merged into the server's caps: a cap not named keeps its value.
    const current = (await ctx.call('servers:show', { name: server })).bridgeLimits;
    const merged: BridgeLimits = {};
    for (const [field] of BRIDGE_LIMIT_FLAGS) {
      const named = given.find(([f]) => f === field);
      const value = named === undefined ? current[field] : named[1];
      if (value !== undefined && value !== null) merged[field] = value;
    }
    const problem = bridgeLimitsProblem(merged);
    if (problem !== null) throw usage(problem);
    limits = merged;
  }
  const { streamId, stop } = await progressStream(ctx);
  let changed;
  try {
    changed = await ctx.call('servers:set', {
      server,
      streamId,
      ...(roots === undefined ? {} : { roots }),
      ...(limits === undefined ? {} : { bridgeLimits: limits }),
    });
  } finally {
    stop();
  }
  if (ctx.output.json) ctx.output.out(JSON.stringify(changed, null, 2));
  else {
    const s = changed.server;
    const caps =
      BRIDGE_LIMIT_FLAGS.flatMap(([field, flag]) => {
        const value = s.bridgeLimits[field];
        return value === undefined ? [] : [`${flag} ${value}`];
      }).join(' ') || "the bridge's defaults";
    ctx.output.out(`changed server ${s.name} (roots ${s.roots.length}; bridge ${caps})`);
    if (changed.deploys.length > 0) printResults(ctx, changed.deploys);
  }
  if (changed.deployError !== null) {
    throw new FleetError(
      'unavailable',
      `the change is saved, but deploying it failed (a later deploy applies it): ${changed.deployError}`,
    );
  }
}
