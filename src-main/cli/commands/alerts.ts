/**
 * `mcp-fleet alerts add-webhook|list|test|remove`: where alerts go besides the app. Header values
 * (a token) are never printed; --header-stdin keeps them off the command line and out of the shell's
 * history.
 */
import type { AlertsListing, WebhookView } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { parseHeaderLine } from '../../services/alerts/webhook-rules';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { MASK, printTable } from '../output';
import { readStdinSecret } from '../stdin';

export const ALERTS_USAGE = `mcp-fleet alerts add-webhook NAME URL [--format generic|slack] [--header K:V]... [--header-stdin] [--allow-http]
    (https; http only to this machine unless --allow-http; --header-stdin reads "K: V" lines from standard input)
mcp-fleet alerts list [--limit N]    (webhooks, header values hidden, and the newest alerts)
mcp-fleet alerts test NAME           (sends a test alert, prints the HTTP status)
mcp-fleet alerts remove NAME`;

export async function alertsCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add-webhook':
      return addWebhook(ctx, rest);
    case 'list':
      return list(ctx, rest);
    case 'test':
      return test(ctx, rest);
    case 'remove':
      return remove(ctx, rest);
    default:
      throw usage(sub === undefined ? `usage:\n${ALERTS_USAGE}` : `unknown alerts command "${sub}"`);
  }
}

async function addWebhook(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {
    format: 'string',
    header: 'multi',
    'header-stdin': 'flag',
    'allow-http': 'flag',
  });
  if (a.positionals.length !== 2)
    throw usage('expected: mcp-fleet alerts add-webhook NAME URL [--format generic|slack]');
  const [name, url] = a.positionals as [string, string];
  const format = a.values.get('format') ?? 'generic';
  if (format !== 'generic' && format !== 'slack')
    throw usage(`--format is generic or slack, not "${format}"`);
  const headers = (a.multi.get('header') ?? []).map(parseHeaderLine);
  if (a.flags.has('header-stdin')) {
    const text = await readStdinSecret('header');
    for (const line of text.split(/\r?\n/)) if (line.trim() !== '') headers.push(parseHeaderLine(line));
  }
  const view = await ctx.call('alerts:add-webhook', {
    name,
    url,
    format,
    headers,
    allowHttp: a.flags.has('allow-http'),
  });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(view, null, 2));
  ctx.output.out(`added webhook ${view.name} (${view.format}) to ${view.url}${headerText(view)}`);
  ctx.output.out(`try it: mcp-fleet alerts test ${view.name}`);
}

async function list(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { limit: 'string' });
  if (a.positionals.length > 0) throw usage('expected: mcp-fleet alerts list [--limit N]');
  const limitText = a.values.get('limit');
  const limit = limitText === undefined ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw usage('--limit is a whole number from 1 to 1000');
  const listing: AlertsListing = await ctx.call('alerts:list', { limit });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(listing, null, 2));
  ctx.output.out('webhooks:');
  printTable(
    ctx.output,
    listing.webhooks.map((w) => ({
      name: w.name,
      format: w.format,
      url: w.url,
      headers: w.headers.map((h) => `${h}: ${MASK}`).join(', ') || '-',
    })),
    ['name', 'format', 'url', 'headers'],
    'no webhooks (mcp-fleet alerts add-webhook NAME URL)',
  );
  ctx.output.out(`\nalerts (${listing.lastDay} in the last 24 hours):`);
  printTable(
    ctx.output,
    listing.alerts.map((x) => ({
      at: x.at,
      severity: x.severity,
      kind: x.kind,
      subject: x.subject,
      message: x.message,
    })),
    ['at', 'severity', 'kind', 'subject', 'message'],
    'no alerts',
  );
}

async function test(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {});
  if (a.positionals.length !== 1) throw usage('expected: mcp-fleet alerts test NAME');
  const result = await ctx.call('alerts:test', { name: a.positionals[0] as string });
  if (ctx.output.json) ctx.output.out(JSON.stringify(result, null, 2));
  else
    ctx.output.out(
      `${result.webhook}: ${result.status === null ? 'no answer' : `HTTP ${result.status}`}; ${result.message}`,
    );
  // Not delivered is a failure of this command, for scripts.
  if (!result.delivered)
    throw new FleetError('unavailable', `the test alert did not reach webhook ${result.webhook}`);
}

async function remove(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {});
  if (a.positionals.length !== 1) throw usage('expected: mcp-fleet alerts remove NAME');
  const name = a.positionals[0] as string;
  await ctx.call('alerts:remove-webhook', { name });
  if (ctx.output.json) ctx.output.out(JSON.stringify({ removed: true, name }));
  else ctx.output.out(`removed webhook ${name}`);
}

function headerText(view: WebhookView): string {
  return view.headers.length === 0
    ? ''
    : ` with header${view.headers.length === 1 ? '' : 's'} ${view.headers.map((h) => `${h}: ${MASK}`).join(', ')}`;
}
