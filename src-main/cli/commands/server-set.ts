/** `mcp-fleet servers set`: change anything about a server, carried to its instances by a rolling deploy. */
import { BRIDGE_LIMIT_FLAGS, bridgeLimitsProblem, type BridgeLimits } from '../../shared/bridge-settings';
import type { ChannelInput, EnvEntryInput, ServerChanged } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import {
  parseAddHostFlag,
  parseBindFlag,
  parseVolumeFlag,
  reachProblem,
  type ServerReach,
} from '../../shared/server-mounts';
import { modeChangeReport } from '../../shared/mode-change-report';
import { toolDiffReport } from '../../shared/tool-diff';
import { limitOrDefault, parseArgs, rootFlag, usage, type ParsedArgs } from '../args';
import type { CommandContext } from '../context';
import { promptHidden, readStdinSecret } from '../stdin';
import { printResults, progressStream } from './deploy';
import { single } from './hosts';
import { pinnedLine } from './server-versions';

export const SERVERS_SET_USAGE = `mcp-fleet servers set SERVER [--version V] [--arg A]... [--no-args] [--env K=V]... [--secret-env K=V | K]... [--unset-env K]...
    [--port N|auto] [--mount HOST_PATH:PATH[:ro|:rw]]... [--volume NAME:PATH[:ro|:rw]]... [--shared-volume] [--network NAME]...
    [--add-host NAME:IP]... [--allow-docker-socket] [--no-reach] [--root URI[=NAME]]... [--no-roots]
    [--member-sessions N|default] [--member-inflight N|default] [--member-rps R|default] [--max-connections N|default]
    [--max-connections-per-source N|default] [--mode shared|dedicated [--drop-member-env] [--fresh-volumes]] [--dry-run]
    (--arg, --root and the reach flags replace what was there; env is added to, --unset-env removes; caps not named stay.
     --secret-env K reads the value from standard input, or asks. A new version shows the tools it adds, removes and
     changes first; --dry-run shows only that. Then deploys again where the server runs, one instance at a time.
     --mode removes the instances of the old shape and makes the new ones, members and tokens kept; --dry-run shows
     which. To Dedicated: no roots (--no-roots); to Shared: --drop-member-env drops members' own values.
     --fresh-volumes: go on although volume data does not carry over to the new instances)`;

const CAP_OPTIONS = Object.fromEntries(
  BRIDGE_LIMIT_FLAGS.map(([, flag]) => [flag.slice(2), 'string' as const]),
);
const REACH_FLAGS = ['mount', 'volume', 'network', 'add-host'] as const;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function serversSetCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {
    version: 'string',
    arg: 'multi',
    'no-args': 'flag',
    env: 'multi',
    'secret-env': 'multi',
    'unset-env': 'multi',
    port: 'string',
    mount: 'multi',
    volume: 'multi',
    'shared-volume': 'flag',
    network: 'multi',
    'add-host': 'multi',
    'allow-docker-socket': 'flag',
    'no-reach': 'flag',
    root: 'multi',
    'no-roots': 'flag',
    'dry-run': 'flag',
    mode: 'string',
    'drop-member-env': 'flag',
    'fresh-volumes': 'flag',
    ...CAP_OPTIONS,
  });
  const server = single(a.positionals, 'servers set SERVER [--version V] [--arg A]... [--env K=V]... ...');
  const rootTexts = a.multi.get('root');
  if (rootTexts !== undefined && a.flags.has('no-roots')) {
    throw usage('give --root to replace the roots, or --no-roots to clear them, not both');
  }
  const args = a.flags.has('no-args') ? [] : a.multi.get('arg');
  if (a.flags.has('no-args') && a.multi.has('arg')) {
    throw usage('give --arg to replace the arguments, or --no-args to clear them, not both');
  }
  const roots = a.flags.has('no-roots') ? [] : rootTexts?.map(rootFlag);
  const reach = reachFlags(a);
  const port = portFlag(a.values.get('port'));
  const unsetEnv = a.multi.get('unset-env');
  for (const key of unsetEnv ?? []) {
    if (!ENV_KEY.test(key)) throw usage(`--unset-env expects a variable name, got "${key.slice(0, 100)}"`);
  }
  // Every cap is read before the store is opened, so a bad one is a usage error that changes nothing.
  const given = BRIDGE_LIMIT_FLAGS.flatMap(([field, flag, whole]) => {
    const text = a.values.get(flag.slice(2));
    if (text === undefined) return [];
    return [[field, limitOrDefault(flag, text, whole)] as const];
  });
  const mode = modeFlag(a.values.get('mode'));
  if (a.flags.has('drop-member-env') && mode !== 'shared')
    throw usage('--drop-member-env goes with --mode shared');
  if (a.flags.has('fresh-volumes') && mode === undefined) throw usage('--fresh-volumes goes with --mode');
  const env = await envFlags(a);
  const version = a.values.get('version');
  const changes = {
    ...(version === undefined ? {} : { version }),
    ...(args === undefined ? {} : { args }),
    ...(env === undefined ? {} : { env }),
    ...(unsetEnv === undefined ? {} : { unsetEnv }),
    ...(port === undefined ? {} : { port }),
    ...(roots === undefined ? {} : { roots }),
    ...(reach === undefined ? {} : { reach }),
    ...(mode === undefined ? {} : { mode }),
    ...(a.flags.has('drop-member-env') ? { dropMemberEnv: true } : {}),
    ...(a.flags.has('fresh-volumes') ? { freshVolumes: true } : {}),
  };
  if (Object.keys(changes).length === 0 && given.length === 0) {
    throw usage(
      'expected: mcp-fleet servers set SERVER with at least one of --version, --arg, --no-args, --env, --secret-env, --unset-env, --port, --mount, --volume, --network, --add-host, --no-reach, --root, --no-roots, --mode or a cap',
    );
  }
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
  const input: ChannelInput<'servers:set'> = {
    server,
    ...changes,
    ...(limits === undefined ? {} : { bridgeLimits: limits }),
    ...(a.flags.has('dry-run') ? { dryRun: true } : {}),
  };
  const { streamId, stop } = await progressStream(ctx);
  let changed: ServerChanged;
  try {
    changed = await ctx.call('servers:set', { ...input, streamId });
  } finally {
    stop();
  }
  if (ctx.output.json) ctx.output.out(JSON.stringify(changed, null, 2));
  else printChanged(ctx, changed);
  if (changed.deployError !== null) {
    throw new FleetError(
      'unavailable',
      `the change is saved, but deploying it failed (a later deploy applies it): ${changed.deployError}`,
    );
  }
}

function printChanged(ctx: CommandContext, changed: ServerChanged): void {
  const s = changed.server;
  const o = ctx.output.out;
  if (changed.pinned !== null) o(pinnedLine(s.source.kind, changed.pinned));
  // A saved change told the diff on the progress stream before its rollout; a dry run tells it here.
  if (changed.toolDiff !== null) {
    const report = toolDiffReport(s.name, changed.toolDiff);
    if (changed.dryRun) report.forEach((line) => o(line));
    else o(report.length === 1 ? (report[0] as string) : `tools: ${report.at(-1)?.trim() ?? ''}`);
  }
  const caps =
    BRIDGE_LIMIT_FLAGS.flatMap(([field, flag]) => {
      const value = s.bridgeLimits[field];
      return value === undefined ? [] : [`${flag} ${value}`];
    }).join(' ') || "the bridge's defaults";
  // Like the diff: a saved change told it on the progress stream before its rollout.
  if (changed.modeChange !== null && changed.dryRun) modeChangeReport(s.name, changed.modeChange).forEach(o);
  if (changed.dryRun) {
    o(
      `dry run: nothing saved or deployed; server ${s.name} would run ${s.source.kind} ${s.source.value}${changed.modeChange === null ? '' : `, ${s.mode}`}`,
    );
    return;
  }
  o(
    `changed server ${s.name} (${changed.modeChange === null ? '' : `mode ${s.mode}; `}roots ${s.roots.length}; bridge ${caps})`,
  );
  if (changed.toolDiff !== null) o(`source:   ${s.source.kind} ${s.source.value}`);
  if (changed.deploys.length > 0) printResults(ctx, changed.deploys);
}

/** --env and --secret-env as entries; a --secret-env KEY without "=" reads its value from stdin or asks. */
async function envFlags(a: ParsedArgs): Promise<EnvEntryInput[] | undefined> {
  const plain = a.multi.get('env');
  const secret = a.multi.get('secret-env');
  if (plain === undefined && secret === undefined) return undefined;
  const entries = (plain ?? []).map((kv) => ({ ...splitEnv(kv, '--env'), secret: false }));
  const asked = (secret ?? []).filter((kv) => !kv.includes('='));
  if (asked.length > 1) {
    throw usage(
      'only one --secret-env KEY can read its value from standard input; give the others as KEY=VALUE',
    );
  }
  for (const kv of secret ?? []) {
    if (kv.includes('=')) entries.push({ ...splitEnv(kv, '--secret-env'), secret: true });
  }
  const key = asked[0];
  if (key !== undefined) {
    if (!ENV_KEY.test(key)) throw usage(`--secret-env expects KEY or KEY=VALUE, got "${key.slice(0, 100)}"`);
    const value = process.stdin.isTTY
      ? await promptHidden(`value of ${key}: `)
      : await readStdinSecret('secret-env value');
    if (value === '') throw usage(`no value given for ${key}`);
    entries.push({ key, value, secret: true });
  }
  return entries;
}

function splitEnv(kv: string, flag: string): { key: string; value: string } {
  const eq = kv.indexOf('=');
  // Never echo the value: it may be a secret.
  if (eq <= 0) throw usage(`${flag} expects KEY=VALUE (got a value without "=" or without a key)`);
  return { key: kv.slice(0, eq), value: kv.slice(eq + 1) };
}

function modeFlag(text: string | undefined): 'shared' | 'dedicated' | undefined {
  if (text === undefined || text === 'shared' || text === 'dedicated') return text;
  throw usage(`--mode must be shared or dedicated, got "${text.slice(0, 100)}"`);
}

/** `--port N` or `--port auto` (the deploy chooses); undefined when not given. */
function portFlag(text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'auto') return null;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) {
    throw usage(`--port must be 1-65535 or auto, got "${text.slice(0, 100)}"`);
  }
  return port;
}

/** The reach as a whole when any of its flags is given (--no-reach: none); undefined otherwise. */
function reachFlags(a: ParsedArgs): ServerReach | undefined {
  const any = REACH_FLAGS.some((flag) => a.multi.has(flag)) || a.flags.has('allow-docker-socket');
  if (a.flags.has('no-reach')) {
    if (any) throw usage('give the reach flags to replace the reach, or --no-reach to clear it, not both');
    return { mounts: [], networks: [], extraHosts: [], allowDockerSocket: false };
  }
  if (a.flags.has('shared-volume') && !a.multi.has('volume'))
    throw usage('--shared-volume goes with --volume');
  if (!any) return undefined;
  const parse = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw usage(err instanceof Error ? err.message : String(err));
    }
  };
  const reach: ServerReach = {
    mounts: [
      ...(a.multi.get('mount') ?? []).map((text) => parse(() => parseBindFlag(text))),
      ...(a.multi.get('volume') ?? []).map((text) =>
        parse(() => parseVolumeFlag(text, a.flags.has('shared-volume'))),
      ),
    ],
    networks: a.multi.get('network') ?? [],
    extraHosts: (a.multi.get('add-host') ?? []).map((text) => parse(() => parseAddHostFlag(text))),
    allowDockerSocket: a.flags.has('allow-docker-socket'),
  };
  const problem = reachProblem(reach);
  if (problem !== null) throw usage(problem);
  return reach;
}
