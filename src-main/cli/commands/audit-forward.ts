/**
 * `mcp-fleet audit settings` (retention, the OTLP collector and its headers) and `mcp-fleet audit
 * forward` (send the calls not yet forwarded now, or --status). Header values are never printed;
 * --otlp-headers-stdin keeps them off the command line and out of the shell's history.
 */
import type { AuditForwardStatus, AuditSettingsInput, AuditSettingsView } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { MASK } from '../output';
import { readStdinSecret } from '../stdin';

export const AUDIT_FORWARD_USAGE = `mcp-fleet audit settings [--retention-days N] [--otlp-endpoint URL|off] [--otlp-header NAME=VALUE]... [--otlp-headers-stdin] [--no-otlp-headers]
    (fleet-wide: days calls are kept, 1-3650, default 30; the OTLP/HTTP logs URL, posted to as given,
    e.g. http://collector:4318/v1/logs; headers replace the stored ones, values never shown;
    --otlp-headers-stdin reads NAME=VALUE lines from standard input; without options: show them)
mcp-fleet audit forward [--status]
    (sends the calls not yet forwarded to the OTLP collector now; --status: where forwarding stands)`;

/** `NAME=VALUE`; the message names neither part, the value may be a secret. */
function headerPair(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw usage('an OTLP header is written NAME=VALUE (e.g. "x-api-key=…")');
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

export async function auditSettingsCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {
    'retention-days': 'string',
    'otlp-endpoint': 'string',
    'otlp-header': 'multi',
    'otlp-headers-stdin': 'flag',
    'no-otlp-headers': 'flag',
  });
  if (a.positionals.length > 0) throw usage(`unexpected argument "${a.positionals[0]}"`);
  const input: AuditSettingsInput = {};
  const days = a.values.get('retention-days');
  if (days !== undefined) {
    if (!/^\d{1,6}$/.test(days))
      throw usage(
        `--retention-days must be a whole number of days from 1 to 3650, got "${days.slice(0, 20)}"`,
      );
    input.retentionDays = Number(days);
  }
  const endpoint = a.values.get('otlp-endpoint');
  if (endpoint !== undefined) input.otlpEndpoint = endpoint === 'off' ? null : endpoint;
  const given = a.multi.has('otlp-header') || a.flags.has('otlp-headers-stdin');
  if (given && a.flags.has('no-otlp-headers'))
    throw usage('give --otlp-header/--otlp-headers-stdin or --no-otlp-headers, not both');
  if (a.flags.has('no-otlp-headers')) input.otlpHeaders = [];
  if (given) {
    const headers = (a.multi.get('otlp-header') ?? []).map(headerPair);
    if (a.flags.has('otlp-headers-stdin')) {
      const text = await readStdinSecret('otlp-headers');
      for (const line of text.split(/\r?\n/)) if (line.trim() !== '') headers.push(headerPair(line));
    }
    input.otlpHeaders = headers;
  }
  const view =
    Object.keys(input).length === 0
      ? await ctx.call('audit:settings', {})
      : await ctx.call('audit:configure', input);
  if (ctx.output.json) return ctx.output.out(JSON.stringify(view, null, 2));
  printSettings(ctx, view);
}

export async function auditForwardCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { status: 'flag' });
  if (a.positionals.length > 0) throw usage(`unexpected argument "${a.positionals[0]}"`);
  if (a.flags.has('status')) {
    const status = await ctx.call('audit:forwarding', {});
    if (ctx.output.json) return ctx.output.out(JSON.stringify(status, null, 2));
    return printStatus(ctx, status);
  }
  const result = await ctx.call('audit:forward', {});
  if (ctx.output.json) ctx.output.out(JSON.stringify(result, null, 2));
  else {
    ctx.output.out(
      `sent ${result.sentNow} calls${result.skippedNow > 0 ? `, ${result.skippedNow} skipped (pruned by retention before their turn)` : ''}`,
    );
    printStatus(ctx, result);
  }
  // Not everything sent is a failure of this command, for scripts.
  if (result.busy) throw new FleetError('conflict', 'another process is forwarding the audit trail now');
  if (!result.delivered)
    throw new FleetError('unavailable', result.lastError ?? 'not every call was forwarded; run it again');
}

function printSettings(ctx: CommandContext, v: AuditSettingsView): void {
  ctx.output.out(`retention:     ${v.retentionDays} days`);
  ctx.output.out(`OTLP endpoint: ${v.otlpEndpoint ?? 'off'}`);
  ctx.output.out(
    `OTLP headers:  ${v.otlpHeaders.length === 0 ? 'none' : v.otlpHeaders.map((h) => `${h}: ${MASK}`).join(', ')}`,
  );
}

function printStatus(ctx: CommandContext, s: AuditForwardStatus): void {
  ctx.output.out(`endpoint:  ${s.endpoint ?? 'off (mcp-fleet audit settings --otlp-endpoint URL)'}`);
  ctx.output.out(
    `cursor:    ${s.cursor === null ? 'not started' : `#${s.cursor}`}; ${s.pending} calls pending`,
  );
  ctx.output.out(`sent:      ${s.sent} in all, last at ${s.lastSentAt ?? 'never'}`);
  ctx.output.out(`skipped:   ${s.skipped} (deleted by retention before they were forwarded)`);
  ctx.output.out(
    `last run:  ${s.lastAttemptAt ?? 'never'}${s.busy ? ' (another process is forwarding now)' : ''}`,
  );
  ctx.output.out(`last error: ${s.lastError ?? 'none'}`);
}
