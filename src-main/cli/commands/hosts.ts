import { readFile } from 'node:fs/promises';
import type { HostAddInput, HostView } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';
import { readStdinSecret } from '../stdin';

export const HOSTS_USAGE = `mcp-fleet hosts add NAME --ssh USER@HOST[:PORT] (--password-stdin | --key FILE [--passphrase-stdin] | --agent) [--host-key SHA256:...]
mcp-fleet hosts add NAME --local
mcp-fleet hosts list
mcp-fleet hosts remove NAME`;

export async function hostsCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return add(ctx, rest);
    case 'list':
    case 'ls': {
      parseArgs(rest, {}).positionals.forEach((p) => {
        throw usage(`unexpected argument "${p}"`);
      });
      const hosts = await ctx.call('hosts:list', {});
      if (ctx.output.json) return ctx.output.out(JSON.stringify(hosts, null, 2));
      return printTable(
        ctx.output,
        hosts.map(row),
        ['name', 'kind', 'address', 'auth', 'host key'],
        'no hosts yet: add one with `mcp-fleet hosts add NAME --ssh USER@HOST` or `--local`',
      );
    }
    case 'remove':
    case 'rm': {
      const name = single(parseArgs(rest, {}).positionals, 'hosts remove NAME');
      await ctx.call('hosts:remove', { name });
      if (ctx.output.json) return ctx.output.out(JSON.stringify({ removed: name }));
      return ctx.output.out(`removed host ${name}`);
    }
    default:
      throw usage(sub === undefined ? `usage:\n${HOSTS_USAGE}` : `unknown hosts command "${sub}"`);
  }
}

async function add(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {
    ssh: 'string',
    local: 'flag',
    'password-stdin': 'flag',
    key: 'string',
    'passphrase-stdin': 'flag',
    agent: 'flag',
    'host-key': 'string',
  });
  const name = single(a.positionals, 'hosts add NAME ...');
  let input: HostAddInput;
  if (a.flags.has('local')) {
    if (a.values.has('ssh') || a.values.has('key') || a.flags.has('password-stdin') || a.flags.has('agent')) {
      throw usage('--local takes no SSH options');
    }
    input = { kind: 'local', name };
  } else {
    const target = a.values.get('ssh');
    if (target === undefined) throw usage('give --ssh USER@HOST[:PORT] or --local');
    const { user, address, port } = parseSshTarget(target);
    const methods = [a.flags.has('password-stdin'), a.values.has('key'), a.flags.has('agent')].filter(
      Boolean,
    );
    if (methods.length !== 1) throw usage('give exactly one of --password-stdin, --key FILE, --agent');
    if (a.flags.has('passphrase-stdin') && !a.values.has('key'))
      throw usage('--passphrase-stdin goes with --key');
    let credential: Extract<HostAddInput, { kind: 'ssh' }>['credential'];
    const keyPath = a.values.get('key');
    if (a.flags.has('password-stdin'))
      credential = { kind: 'password', password: await readStdinSecret('password') };
    else if (keyPath !== undefined) {
      const privateKey = await readFile(keyPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new FleetError('invalid_input', `cannot read key file ${keyPath}: ${err.code ?? err.message}`);
      });
      credential = a.flags.has('passphrase-stdin')
        ? { kind: 'key', privateKey, passphrase: await readStdinSecret('passphrase') }
        : { kind: 'key', privateKey };
    } else credential = { kind: 'agent' };
    const hostKey = a.values.get('host-key');
    input = {
      kind: 'ssh',
      name,
      user,
      address,
      port,
      credential,
      ...(hostKey !== undefined ? { hostKeySha256: hostKey } : {}),
    };
  }
  const host = await ctx.call('hosts:add', input);
  if (ctx.output.json) return ctx.output.out(JSON.stringify(host, null, 2));
  ctx.output.out(`added host ${host.name} (${row(host).address})`);
}

/** USER@HOST[:PORT], with IPv6 addresses in brackets: root@[::1]:2222. */
export function parseSshTarget(target: string): { user: string; address: string; port: number } {
  const m = /^([^@\s]+)@(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]+)(?::(\d{1,5}))?$/.exec(target);
  if (!m) throw usage(`--ssh expects USER@HOST[:PORT], got "${target}"`);
  const port = m[3] === undefined ? 22 : Number(m[3]);
  if (port < 1 || port > 65535) throw usage(`port ${m[3]} is out of range`);
  return { user: m[1] as string, address: (m[2] as string).replace(/^\[|\]$/g, ''), port };
}

function row(h: HostView): Record<string, string> {
  return {
    name: h.name,
    kind: h.kind,
    address: h.kind === 'local' ? 'this machine' : `${h.user}@${h.address}:${h.port}`,
    auth: h.auth,
    'host key': h.hostKeySha256 ?? (h.kind === 'local' ? '-' : 'pinned on first contact'),
  };
}

export function single(positionals: string[], form: string): string {
  if (positionals.length !== 1) throw usage(`expected: mcp-fleet ${form}`);
  return positionals[0] as string;
}
