/** `mcp-fleet instances`: list (with drift), logs (--follow), restart, stop, remove. */
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';
import { single } from './hosts';

export const INSTANCES_USAGE = `mcp-fleet instances list [SERVER]       (drift: missing, extra, config differs, not running)
mcp-fleet instances logs INSTANCE [--host HOST] [--follow] [--tail N]
mcp-fleet instances restart|stop|remove INSTANCE [--host HOST]`;

export async function instancesCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
    case 'ls':
      return list(ctx, rest);
    case 'logs':
      return logs(ctx, rest);
    case 'restart':
    case 'stop':
    case 'remove':
    case 'rm': {
      const a = parseArgs(rest, { host: 'string' });
      const name = single(a.positionals, `instances ${sub} INSTANCE [--host HOST]`);
      const host = a.values.get('host');
      const ref = { name, ...(host === undefined ? {} : { host }) };
      const verb = sub === 'rm' ? 'remove' : sub;
      if (verb === 'restart') await ctx.call('instances:restart', ref);
      else if (verb === 'stop') await ctx.call('instances:stop', ref);
      else await ctx.call('instances:remove', ref);
      if (ctx.output.json) return ctx.output.out(JSON.stringify({ [verb]: name }));
      const done = { restart: 'restarted', stop: 'stopped', remove: 'removed' }[verb];
      return ctx.output.out(`${done} ${name}`);
    }
    default:
      throw usage(sub === undefined ? `usage:\n${INSTANCES_USAGE}` : `unknown instances command "${sub}"`);
  }
}

async function list(ctx: CommandContext, argv: string[]): Promise<void> {
  const [server, ...extra] = parseArgs(argv, {}).positionals;
  if (extra.length > 0) throw usage('expected: mcp-fleet instances list [SERVER]');
  const rows = await ctx.call('instances:list', server === undefined ? {} : { server });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(rows, null, 2));
  printTable(
    ctx.output,
    rows.map((r) => ({
      instance: r.name,
      server: r.server,
      member: r.member ?? '-',
      host: r.host,
      state: r.state,
      drift: r.drift,
      url: r.url ?? '-',
      tools: r.tools === null ? '-' : String(r.tools.length),
      tls: tlsWords(r.tls),
    })),
    ['instance', 'server', 'member', 'host', 'state', 'drift', 'url', 'tools', 'tls'],
    'no instances: deploy a server with `mcp-fleet deploy SERVER --host HOST`',
  );
  for (const r of rows) if (r.error !== undefined) ctx.output.out(`${r.name}: ${r.error}`);
  const clear = rows.filter((r) => r.tls?.kind === 'none');
  if (clear.length > 0) {
    ctx.output.out(
      `WARNING: ${clear.map((r) => r.name).join(', ')} serve${clear.length === 1 ? 's' : ''} plain HTTP (--no-tls): tokens cross the network readable unless your own TLS terminator sits in front`,
    );
  }
}

/** "expires 2027-03-02" for a certificate, "NO TLS" said loudly for a plain-HTTP instance. */
export function tlsWords(tls: { kind: string; notAfter: string | null } | null): string {
  if (tls === null) return '-';
  if (tls.kind === 'none') return 'NO TLS';
  const own = tls.kind === 'own' ? 'own, ' : '';
  return tls.notAfter === null ? `${own}not issued` : `${own}expires ${tls.notAfter.slice(0, 10)}`;
}

async function logs(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { host: 'string', follow: 'flag', tail: 'string' });
  const name = single(a.positionals, 'instances logs INSTANCE [--host HOST] [--follow] [--tail N]');
  const host = a.values.get('host');
  const tailText = a.values.get('tail') ?? '200';
  if (!/^\d{1,5}$/.test(tailText) || Number(tailText) < 1)
    throw usage(`--tail must be a line count, got "${tailText}"`);
  const ref = { name, ...(host === undefined ? {} : { host }) };
  // Following prints one JSON object per line with --json: a stream has no end to close an array at.
  const print = (line: { stream: string; text: string }): void =>
    ctx.output.out(ctx.output.json ? JSON.stringify(line) : line.text);
  if (!a.flags.has('follow')) {
    const lines = await ctx.call('instances:logs', { ...ref, tail: Number(tailText) });
    if (ctx.output.json) return ctx.output.out(JSON.stringify(lines, null, 2));
    for (const line of lines) print(line);
    return;
  }
  // Following is a stream, not a request: it goes to the service directly and ends on Ctrl-C.
  const services = await ctx.services();
  const stream = services.fleet.instances.logs(ref, { follow: true, tail: Number(tailText) });
  const stop = (): void => void stream.return(undefined);
  process.once('SIGINT', stop);
  try {
    for await (const line of stream) print(line);
  } finally {
    process.off('SIGINT', stop);
  }
}
