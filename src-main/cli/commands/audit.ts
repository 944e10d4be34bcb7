/**
 * `mcp-fleet audit`: the calls the bridges recorded, newest last, as a table, JSON, CSV or JSON Lines;
 * `--collect` first takes every instance's new audit lines.
 */
import type { AuditCallView, AuditListInput } from '../../shared/contract';
import { auditCsv, auditJsonLines } from '../../services/audit/audit-export';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';
import { AUDIT_FORWARD_USAGE, auditForwardCommand, auditSettingsCommand } from './audit-forward';

export const AUDIT_USAGE = `mcp-fleet audit [--server S] [--member M] [--tool T] [--since TIME] [--limit N] [--format csv|jsonl] [--collect]
    calls through the bridges, newest last (TIME: ISO or 30m, 1h, 7d; T: a tool or prompt name or a uri;
    N: default 1000; --collect: take every instance's new audit lines first)
${AUDIT_FORWARD_USAGE}`;

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since` as an ISO time: an ISO date or time, or a span back from now (30m, 1h, 7d). */
export function sinceValue(text: string, now: number = Date.now()): string {
  const span = /^(\d{1,6})([mhd])$/.exec(text);
  if (span?.[1] && span[2]) return new Date(now - Number(span[1]) * (UNITS[span[2]] ?? 0)).toISOString();
  const at = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(at)) {
    throw usage(
      `--since must be an ISO time (2025-01-31T12:00:00Z) or a span like 30m, 1h or 7d, got "${text}"`,
    );
  }
  return new Date(at).toISOString();
}

function limitValue(text: string): number {
  const n = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 100_000))
    throw usage(`--limit must be a whole number from 1 to 100000, got "${text}"`);
  return n;
}

export async function auditCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  if (argv[0] === 'settings') return auditSettingsCommand(ctx, argv.slice(1));
  if (argv[0] === 'forward') return auditForwardCommand(ctx, argv.slice(1));
  const a = parseArgs(argv, {
    server: 'string',
    member: 'string',
    tool: 'string',
    since: 'string',
    limit: 'string',
    format: 'string',
    collect: 'flag',
  });
  if (a.positionals.length > 0) throw usage(`unexpected argument "${a.positionals[0]}"`);
  const format = a.values.get('format');
  if (format !== undefined && format !== 'csv' && format !== 'jsonl')
    throw usage(`--format must be csv or jsonl, got "${format}"`);
  if (format !== undefined && ctx.output.json) throw usage('give --json or --format, not both');
  const filter: AuditListInput = {};
  for (const key of ['server', 'member', 'tool'] as const) {
    const value = a.values.get(key);
    if (value !== undefined) filter[key] = value;
  }
  const since = a.values.get('since');
  if (since !== undefined) filter.since = sinceValue(since);
  const limit = a.values.get('limit');
  if (limit !== undefined) filter.limit = limitValue(limit);

  if (a.flags.has('collect')) {
    const collected = await ctx.call('audit:collect', {});
    // On stderr, so stdout stays the listing alone (JSON, CSV) for whatever reads it.
    for (const f of collected.failed)
      process.stderr.write(`mcp-fleet: could not collect from ${f.instance} on ${f.host}: ${f.message}\n`);
  }
  const calls = await ctx.call('audit:list', filter);
  if (format === 'csv') return void process.stdout.write(auditCsv(calls));
  if (format === 'jsonl') return void process.stdout.write(auditJsonLines(calls));
  if (ctx.output.json) return ctx.output.out(JSON.stringify(calls));
  print(ctx, calls);
}

function print(ctx: CommandContext, calls: AuditCallView[]): void {
  printTable(
    ctx.output,
    calls.map((c) => ({
      at: c.at,
      server: c.server,
      member: c.member ?? '-',
      method: c.method,
      target: c.target ?? '-',
      outcome: c.outcome,
      ms: c.ms === null ? '-' : String(c.ms),
      cid: c.correlationId ?? '-',
    })),
    ['at', 'server', 'member', 'method', 'target', 'outcome', 'ms', 'cid'],
    'no calls recorded (mcp-fleet audit --collect takes the new lines of every instance)',
  );
}
