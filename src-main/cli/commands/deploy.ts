/**
 * `mcp-fleet deploy`, `servers update` and `hosts check`: the commands that act on hosts. Progress goes
 * to stderr as it happens (stdout keeps the result, or the JSON with --json).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FleetError } from '../../shared/errors';
import type { ChannelInput, DeployResult, HostCheck } from '../../shared/contract';
import { parseArgs, usage, type ParsedArgs } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';
import { single } from './hosts';

export const DEPLOY_USAGE = `mcp-fleet deploy SERVER --host HOST [--port N] [--publish ADDR] [--allow-cidr CIDR]...
    [--memory SIZE] [--cpus N] [--pids N] [--tmpfs-size SIZE] [--tmp-exec] [--swarm | --no-swarm]
    [--tls-name NAME]... [--tls-cert FILE --tls-key FILE | --no-tls | --fleet-tls]
    (options given are kept for later deploys; the port is pinned at the first deploy;
     --swarm runs the instances as Swarm services on a manager host, secrets as Docker secrets;
     TLS by default: a certificate from the fleet CA for the host's address and each --tls-name;
     --tls-cert/--tls-key: your own PEM certificate and key instead; --no-tls: plain HTTP, only
     behind your own TLS terminator; --fleet-tls: back to the fleet CA's certificates)
mcp-fleet servers update SERVER      (Dedicated: one instance at a time, stops at the first failure)
mcp-fleet hosts check NAME`;

/** Subscribes to progress events of a new stream id, written to stderr; returns the id and the unsubscribe. */
export async function progressStream(ctx: CommandContext): Promise<{ streamId: string; stop: () => void }> {
  const streamId = randomBytes(8).toString('hex');
  if (ctx.output.json) return { streamId, stop: () => {} };
  const services = await ctx.services();
  const stop = services.events.subscribe((event, payload) => {
    const p = payload as { streamId?: string; line?: string };
    if (event === 'deploy:progress' && p.streamId === streamId) process.stderr.write(`  ${p.line ?? ''}\n`);
  });
  return { streamId, stop };
}

export async function deployCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {
    host: 'string',
    port: 'string',
    publish: 'string',
    'allow-cidr': 'multi',
    memory: 'string',
    cpus: 'string',
    pids: 'string',
    'tmpfs-size': 'string',
    'tmp-exec': 'flag',
    swarm: 'flag',
    'no-swarm': 'flag',
    'tls-name': 'multi',
    'tls-cert': 'string',
    'tls-key': 'string',
    'no-tls': 'flag',
    'fleet-tls': 'flag',
  });
  const server = single(a.positionals, 'deploy SERVER --host HOST');
  if (a.flags.has('swarm') && a.flags.has('no-swarm')) throw usage('give --swarm or --no-swarm, not both');
  const host = a.values.get('host');
  if (host === undefined) throw usage('deploy needs --host HOST (see `mcp-fleet hosts list`)');
  const input: ChannelInput<'deploy:run'> = { server, host, ...deployOptions(a), ...(await tlsOptions(a)) };
  const { streamId, stop } = await progressStream(ctx);
  try {
    const result = await ctx.call('deploy:run', { ...input, streamId });
    printResults(ctx, [result]);
  } finally {
    stop();
  }
}

export async function serversUpdateCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const server = single(parseArgs(argv, {}).positionals, 'servers update SERVER');
  const { streamId, stop } = await progressStream(ctx);
  try {
    printResults(ctx, await ctx.call('servers:update', { server, streamId }));
  } finally {
    stop();
  }
}

export async function hostsCheckCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const name = single(parseArgs(argv, {}).positionals, 'hosts check NAME');
  const r: HostCheck = await ctx.call('hosts:check', { name });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(r, null, 2));
  const o = ctx.output.out;
  o(`reachable:  ${r.reachable ? 'yes' : 'no'}`);
  o(`host key:   ${r.fingerprint ?? '-'}`);
  o(`docker:     ${r.dockerVersion ?? '-'}${r.dockerTransport ? ` (${r.dockerTransport})` : ''}`);
  o(`may use it: ${r.dockerPermitted === null ? 'unknown' : r.dockerPermitted ? 'yes' : 'no'}`);
  o(`arch:       ${r.arch ?? '-'}`);
  o(`swarm:      ${r.swarm ?? '-'}${r.swarm === 'manager' ? ' (takes deploy --swarm)' : ''}`);
  o(`free ports: ${r.freePorts?.join(', ') ?? '-'}`);
  if (r.baseImage !== undefined)
    o(`base image: ${r.baseImage.ref} (${r.baseImage.source}): ${r.baseImage.state}, ${r.baseImage.detail}`);
  for (const n of r.networks ?? [])
    o(`network:    ${n.name}: ${n.state} (joined by ${n.servers.join(', ')})`);
  if (r.error !== undefined) o(`problem:    ${r.error}`);
}

export function printResults(ctx: CommandContext, results: DeployResult[]): void {
  if (ctx.output.json)
    return ctx.output.out(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
  for (const r of results) {
    ctx.output.out(
      `${r.server} on ${r.host}: ${r.changed ? 'deployed' : 'nothing to change'} (image ${r.image}${r.imageBuilt ? ', built' : ''})`,
    );
    printTable(
      ctx.output,
      r.instances.map((i) => ({
        instance: i.name,
        member: i.member ?? '-',
        action: i.action,
        url: i.url ?? '-',
        tools: i.tools === null ? '-' : String(i.tools.length),
      })),
      ['instance', 'member', 'action', 'url', 'tools'],
      '  no instances (a Dedicated server without members)',
    );
  }
}

function deployOptions(a: ParsedArgs): Omit<ChannelInput<'deploy:run'>, 'server' | 'host'> {
  const port = a.values.get('port');
  const publish = a.values.get('publish');
  const cidrs = a.multi.get('allow-cidr');
  const limits = {
    ...optional('memoryBytes', a.values.get('memory'), (v) => size(v, '--memory')),
    ...optional('nanoCpus', a.values.get('cpus'), cpus),
    ...optional('pidsLimit', a.values.get('pids'), (v) => integer(v, '--pids', 1, 1_000_000)),
    ...optional('tmpfsSizeBytes', a.values.get('tmpfs-size'), (v) => size(v, '--tmpfs-size')),
    ...(a.flags.has('tmp-exec') ? { tmpExec: true } : {}),
  };
  return {
    ...(port === undefined ? {} : { port: integer(port, '--port', 1, 65535) }),
    ...(publish === undefined ? {} : { publishAddress: publish }),
    ...(cidrs === undefined ? {} : { allowCidrs: cidrs }),
    ...(Object.keys(limits).length === 0 ? {} : { limits }),
    ...(a.flags.has('swarm') ? { swarm: true } : a.flags.has('no-swarm') ? { swarm: false } : {}),
  };
}

/** The TLS choice and names of the command line; own PEM files are read here (never echoed). */
async function tlsOptions(a: ParsedArgs): Promise<Pick<ChannelInput<'deploy:run'>, 'tls' | 'tlsNames'>> {
  const cert = a.values.get('tls-cert');
  const key = a.values.get('tls-key');
  const choices = [cert !== undefined || key !== undefined, a.flags.has('no-tls'), a.flags.has('fleet-tls')];
  if (choices.filter(Boolean).length > 1)
    throw usage('give one of --tls-cert/--tls-key, --no-tls or --fleet-tls');
  if ((cert === undefined) !== (key === undefined))
    throw usage('give --tls-cert FILE and --tls-key FILE together');
  const names = a.multi.get('tls-name');
  const out: Pick<ChannelInput<'deploy:run'>, 'tls' | 'tlsNames'> = names === undefined
    ? {}
    : { tlsNames: names };
  if (cert !== undefined && key !== undefined) {
    out.tls = {
      kind: 'own',
      certPem: await readPem(cert, '--tls-cert'),
      keyPem: await readPem(key, '--tls-key'),
    };
  } else if (a.flags.has('no-tls')) out.tls = { kind: 'none' };
  else if (a.flags.has('fleet-tls')) out.tls = { kind: 'fleet' };
  return out;
}

async function readPem(file: string, flag: string): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    if (text.length > 65_536)
      throw usage(`${flag} ${file} is larger than 64 KiB: not a PEM certificate or key`);
    return text;
  } catch (err) {
    if (err instanceof FleetError) throw err;
    throw usage(`${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function optional<K extends string, T>(
  key: K,
  raw: string | undefined,
  parse: (v: string) => T,
): Partial<Record<K, T>> {
  return raw === undefined ? {} : ({ [key]: parse(raw) } as Record<K, T>);
}

function integer(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw usage(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** 512m, 1g, 65536: bytes, in Docker's binary units. */
export function size(text: string, flag: string): number {
  const m = /^(\d+)([bkmg]?)$/i.exec(text.trim());
  if (!m) throw usage(`${flag} must be a size such as 256m or 1g, got "${text}"`);
  return Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1);
}

function cpus(text: string): number {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!m) throw usage(`--cpus must be a number such as 0.5 or 2, got "${text}"`);
  const nano = Number(m[1]) * 1e9 + Number((m[2] ?? '').padEnd(9, '0') || '0');
  if (nano <= 0) throw usage('--cpus must be more than 0');
  return nano;
}
