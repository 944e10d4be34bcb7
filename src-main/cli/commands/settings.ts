/**
 * `mcp-fleet settings get|set|unset`: what runtime images are built from, for the fleet and per host.
 * The environment variables still override every stored value; `get` says where each value comes from.
 */
import type { SettingView } from '../../shared/contract';
import { SETTINGS, SETTING_KEYS, isSettingKey, type SettingKey } from '../../shared/fleet-settings';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';

export const SETTINGS_USAGE = `mcp-fleet settings get [KEY] [--host H]
    (each key's effective value and where it comes from: environment, host, fleet or default)
mcp-fleet settings set KEY VALUE [--host H]
mcp-fleet settings unset KEY [--host H]
    (keys: ${SETTING_KEYS.join(', ')}; --host: that host's own override)`;

function settingKey(text: string | undefined): SettingKey {
  if (text === undefined) throw usage(`name a key: ${SETTING_KEYS.join(', ')}`);
  if (!isSettingKey(text)) throw usage(`unknown setting "${text}"; the keys are ${SETTING_KEYS.join(', ')}`);
  return text;
}

function hostOption(values: Map<string, string>): { host?: string } {
  const host = values.get('host');
  return host === undefined ? {} : { host };
}

export async function settingsCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'get':
      return get(ctx, rest);
    case 'set':
      return set(ctx, rest);
    case 'unset':
      return unset(ctx, rest);
    default:
      throw usage(sub === undefined ? `usage:\n${SETTINGS_USAGE}` : `unknown settings command "${sub}"`);
  }
}

function shown(value: string | null, view: SettingView): string {
  return value ?? `(${view.defaultText})`;
}

function where(view: SettingView, host: string | null): string {
  switch (view.source) {
    case 'environment':
      return `environment (${view.variable})`;
    case 'host':
      return `host ${host ?? ''}`.trim();
    case 'fleet':
      return 'fleet';
    case 'default':
      return 'default';
  }
}

async function get(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { host: 'string' });
  if (a.positionals.length > 1) throw usage('expected: mcp-fleet settings get [KEY] [--host H]');
  const key = a.positionals[0] === undefined ? {} : { key: settingKey(a.positionals[0]) };
  const listing = await ctx.call('settings:get', { ...key, ...hostOption(a.values) });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(listing, null, 2));
  printTable(
    ctx.output,
    listing.settings.map((s) => ({
      key: s.key,
      value: shown(s.value, s),
      from: where(s, listing.host),
      variable: s.variable,
    })),
    ['key', 'value', 'from', 'variable'],
    'no settings',
  );
}

async function set(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { host: 'string' });
  if (a.positionals.length !== 2) throw usage('expected: mcp-fleet settings set KEY VALUE [--host H]');
  const key = settingKey(a.positionals[0]);
  const host = hostOption(a.values);
  const view = await ctx.call('settings:set', { key, value: a.positionals[1] as string, ...host });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(view, null, 2));
  const scope = host.host === undefined ? 'the fleet' : `host ${host.host}`;
  const stored = host.host === undefined ? view.fleet : view.host;
  ctx.output.out(`${key} is now ${stored ?? '-'} for ${scope}`);
  overridden(ctx, view);
}

async function unset(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { host: 'string' });
  if (a.positionals.length !== 1) throw usage('expected: mcp-fleet settings unset KEY [--host H]');
  const key = settingKey(a.positionals[0]);
  const host = hostOption(a.values);
  const result = await ctx.call('settings:unset', { key, ...host });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(result, null, 2));
  const scope = host.host === undefined ? 'the fleet' : `host ${host.host}`;
  const view = result.setting;
  ctx.output.out(
    result.removed
      ? `${key} is no longer set for ${scope}; it is now ${shown(view.value, view)} (${where(view, host.host ?? null)})`
      : `${key} was not set for ${scope}; nothing changed`,
  );
  overridden(ctx, view);
}

/** A stored value that an environment variable hides is worth a word: it does not apply in this process. */
function overridden(ctx: CommandContext, view: SettingView): void {
  if (view.source !== 'environment') return;
  ctx.output.out(
    `note: ${SETTINGS[view.key].variable} is set in this environment and overrides it here (${view.value ?? ''})`,
  );
}
