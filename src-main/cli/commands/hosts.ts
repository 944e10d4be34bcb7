import { readFile } from 'node:fs/promises';
import type { HostAddInput, HostSetInput, HostView, SshCredentialInput } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { printTable } from '../output';
import { readStdinSecret } from '../stdin';

export const HOSTS_USAGE = `mcp-fleet hosts add NAME --ssh USER@HOST[:PORT] (--password-stdin | --key FILE [--passphrase-stdin] | --agent) [--host-key SHA256:...]
mcp-fleet hosts add NAME --local
mcp-fleet hosts set NAME [--address A] [--port N] [--user U] [--password-stdin | --key FILE [--key-passphrase-stdin] | --agent] [--accept-host-key SHA256:...] [--no-check]
mcp-fleet hosts list
mcp-fleet hosts remove NAME`;

export async function hostsCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return add(ctx, rest);
    case 'set':
      return set(ctx, rest);
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
    else if (keyPath !== undefined)
      credential = await keyCredential(keyPath, a.flags.has('passphrase-stdin') ? 'passphrase' : null);
    else credential = { kind: 'agent' };
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

/**
 * hosts set: only what is named changes. By default the new settings must log in (and the endpoint
 * present the pinned key, or the one given with --accept-host-key) before anything is saved.
 */
async function set(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, {
    address: 'string',
    port: 'string',
    user: 'string',
    'password-stdin': 'flag',
    key: 'string',
    'key-passphrase-stdin': 'flag',
    'passphrase-stdin': 'flag',
    agent: 'flag',
    'accept-host-key': 'string',
    'no-check': 'flag',
  });
  const name = single(a.positionals, 'hosts set NAME [--address A] [--port N] [--user U] ...');
  const methods = [a.flags.has('password-stdin'), a.values.has('key'), a.flags.has('agent')].filter(Boolean);
  if (methods.length > 1) throw usage('give at most one of --password-stdin, --key FILE, --agent');
  const passphraseFlag = a.flags.has('key-passphrase-stdin') || a.flags.has('passphrase-stdin');
  if (passphraseFlag && !a.values.has('key')) throw usage('--key-passphrase-stdin goes with --key');
  const port = a.values.get('port');
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw usage(`--port expects a number, got "${port}"`);
  // The flags are checked before standard input is read; the values by the contract, before any contact.
  const keyPath = a.values.get('key');
  let credential: SshCredentialInput | undefined;
  if (a.flags.has('password-stdin'))
    credential = { kind: 'password', password: await readStdinSecret('password') };
  else if (keyPath !== undefined)
    credential = await keyCredential(keyPath, passphraseFlag ? 'key-passphrase' : null);
  else if (a.flags.has('agent')) credential = { kind: 'agent' };
  const address = a.values.get('address');
  const user = a.values.get('user');
  const accept = a.values.get('accept-host-key');
  const input: HostSetInput = {
    name,
    ...(address !== undefined ? { address } : {}),
    ...(port !== undefined ? { port: Number(port) } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(credential !== undefined ? { credential } : {}),
    ...(accept !== undefined ? { acceptHostKeySha256: accept } : {}),
    ...(a.flags.has('no-check') ? { noCheck: true } : {}),
  };
  const result = await ctx.call('hosts:set', input);
  if (ctx.output.json) return ctx.output.out(JSON.stringify(result, null, 2));
  if (result.changed.length === 0) return ctx.output.out(`host ${name} already has those settings`);
  const how = result.checked ? 'the new settings logged in' : 'not tried (--no-check)';
  ctx.output.out(`changed host ${name}: ${result.changed.join(', ')} (${how})`);
  if (result.host.hostKeySha256 !== null) ctx.output.out(`host key ${result.host.hostKeySha256}`);
}

/** Reads a private key file, and its passphrase from standard input when `passphrase` names the flag. */
async function keyCredential(
  keyPath: string,
  passphrase: 'passphrase' | 'key-passphrase' | null,
): Promise<Extract<SshCredentialInput, { kind: 'key' }>> {
  const privateKey = await readFile(keyPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new FleetError('invalid_input', `cannot read key file ${keyPath}: ${err.code ?? err.message}`);
  });
  return passphrase === null
    ? { kind: 'key', privateKey }
    : { kind: 'key', privateKey, passphrase: await readStdinSecret(passphrase) };
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
