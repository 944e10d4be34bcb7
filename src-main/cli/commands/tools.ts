/**
 * `mcp-fleet tools list|approve|auto-approve`: tool pinning. What a server's bridges serve is what
 * was approved; a definition that changed, or a new one, is quarantined until approved here (or on the
 * server's page). Texts shown came from a server: they are printed as JSON strings, never raw.
 */
import type { PinEntryView, PinsChanged, PinsView } from '../../shared/contract';
import { canonicalJson } from '../../shared/tool-pins';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';

export const TOOLS_USAGE = `mcp-fleet tools list SERVER [--diff]     (approved and quarantined tools, prompts and templates;
    --diff prints each quarantined definition beside the approved one; collects the bridges' reports first)
mcp-fleet tools approve SERVER [NAME]... [--kind tools|prompts|resourceTemplates]
    (approves the quarantined definition of each NAME, or of all; pushed to the bridges, no restart)
mcp-fleet tools auto-approve SERVER on|off   (new tools are served without approval; changed ones never)`;

const KINDS = ['tools', 'prompts', 'resourceTemplates'] as const;

export async function toolsCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(ctx, rest);
    case 'approve':
      return approve(ctx, rest);
    case 'auto-approve':
      return autoApprove(ctx, rest);
    default:
      throw usage(sub === undefined ? `usage:\n${TOOLS_USAGE}` : `unknown tools command "${sub}"`);
  }
}

async function list(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { diff: 'flag' });
  if (a.positionals.length !== 1) throw usage('expected: mcp-fleet tools list SERVER');
  const server = a.positionals[0] as string;
  // The newest reports first (where they can be had: a host that does not answer only costs the wait).
  const collected = await ctx.call('audit:collect', {}).catch(() => null);
  for (const f of collected?.failed ?? [])
    process.stderr.write(
      `mcp-fleet: could not read the reports of ${f.instance} on ${f.host}: ${f.message}\n`,
    );
  const view = await ctx.call('pins:list', { server });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(view));
  print(ctx, view, a.flags.has('diff'));
}

function print(ctx: CommandContext, view: PinsView, diff: boolean): void {
  if (view.recordedAt === null) {
    ctx.output.out(
      `server ${view.server}: nothing pinned yet; the first green deploy records what its bridges serve`,
    );
  } else {
    ctx.output.out(
      `server ${view.server}: pinned since ${view.recordedAt}; new definitions ${view.autoApproveNew ? 'approved automatically' : 'quarantined'}`,
    );
  }
  printTable(
    ctx.output,
    view.entries.map((e) => ({
      kind: e.kind,
      name: JSON.stringify(e.name),
      status: e.status === 'approved' ? 'approved' : `QUARANTINED (${e.status})`,
      approved: e.approved?.hash.slice(0, 12) ?? '-',
      seen: e.quarantined?.hash.slice(0, 12) ?? '-',
    })),
    ['kind', 'name', 'status', 'approved', 'seen'],
    'no definitions reported yet',
  );
  if (!diff) return;
  for (const e of view.entries.filter((x) => x.quarantined !== null)) printDiff(ctx, e);
}

/** The fields that differ, approved value then the quarantined one, each as canonical JSON. */
function printDiff(ctx: CommandContext, e: PinEntryView): void {
  ctx.output.out(`\n${e.kind} ${JSON.stringify(e.name)} (${e.status}):`);
  const before = e.approved?.definition ?? {};
  const after = e.quarantined?.definition ?? null;
  if (after === null)
    return ctx.output.out('  (the definition was too long to report; its hash alone is known)');
  for (const field of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const was = before[field] === undefined ? '(none)' : canonicalJson(before[field]);
    const now = after[field] === undefined ? '(none)' : canonicalJson(after[field]);
    if (was === now) continue;
    ctx.output.out(`  ${field}:\n    - ${was}\n    + ${now}`);
  }
}

async function approve(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { kind: 'string' });
  const [server, ...names] = a.positionals;
  if (server === undefined) throw usage('expected: mcp-fleet tools approve SERVER [NAME]...');
  const kind = a.values.get('kind');
  if (kind !== undefined && !(KINDS as readonly string[]).includes(kind))
    throw usage(`--kind is tools, prompts or resourceTemplates, not "${kind}"`);
  await ctx.call('audit:collect', {}).catch(() => null);
  const changed = await ctx.call('pins:approve', {
    server,
    names,
    ...(kind === undefined ? {} : { kind: kind as (typeof KINDS)[number] }),
  });
  report(ctx, changed, changed.approved.length === 0 ? 'nothing was quarantined' : null);
}

async function autoApprove(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {});
  const [server, value] = a.positionals;
  if (server === undefined || (value !== 'on' && value !== 'off') || a.positionals.length !== 2)
    throw usage('expected: mcp-fleet tools auto-approve SERVER on|off');
  report(ctx, await ctx.call('pins:auto-approve', { server, on: value === 'on' }), null);
}

function report(ctx: CommandContext, changed: PinsChanged, note: string | null): void {
  if (ctx.output.json) return ctx.output.out(JSON.stringify(changed));
  if (note !== null) ctx.output.out(note);
  for (const e of changed.approved) ctx.output.out(`approved ${e.kind} ${JSON.stringify(e.name)}`);
  for (const p of changed.pushed) ctx.output.out(`${p.instance} on ${p.host}: ${p.outcome} (${p.detail})`);
  if (changed.pushed.some((p) => p.outcome === 'failed')) process.exitCode = 1;
}
