import { BridgeError } from '../errors';
import { LIMIT_TEXT, limitProblem } from '../../src-main/shared/bridge-settings';
import { parseRootFlag, type Root } from '../core/shared-roots';

export type BridgeMode = 'shared' | 'dedicated';

export interface CliArgs {
  port: number;
  host: string;
  tokenSha256: string[];
  membersFile?: string;
  /** --approved FILE: serve only the tools, prompts and templates whose definitions it approves. */
  approvedFile?: string;
  mode: BridgeMode;
  allowCidr: string[];
  allowGateway: boolean;
  trustedProxy: string[];
  allowOrigin: string[];
  /** --root URI[=NAME], repeatable: the roots a shared server is told. */
  roots: Root[];
  tlsCert?: string;
  tlsKey?: string;
  envFile?: string;
  logLevel?: string;
  /** --member-sessions, --member-inflight, --member-rps, --max-connections, --max-connections-per-source. */
  fairShare: FairShareFlags;
  command: string;
  args: string[];
}

export interface FairShareFlags {
  memberSessions?: number;
  memberInflight?: number;
  memberRps?: number;
  maxConnections?: number;
  maxConnectionsPerSource?: number;
}

export type CliParse = { kind: 'run'; args: CliArgs } | { kind: 'help' } | { kind: 'version' };

export const USAGE = `usage: mcp-fleet-bridge --port N [--host ADDR] --token-sha256 HEX [--token-sha256 HEX]...
                        [--members FILE] [--approved FILE] [--mode shared|dedicated] [--allow-cidr CIDR]...
                        [--allow-gateway] [--trusted-proxy CIDR]... [--tls-cert FILE --tls-key FILE]
                        [--allow-origin ORIGIN]... [--root URI[=NAME]]... [--env-file FILE]
                        [--log-level debug|info|warn|error] [--member-sessions N] [--member-inflight N]
                        [--member-rps R] [--max-connections N] [--max-connections-per-source N]
                        -- COMMAND [ARG...]`;

/** The fair-share flags, each with the field it sets and whether it takes a whole number. */
const FAIR_SHARE_FLAGS = new Map<string, [keyof FairShareFlags, boolean]>([
  ['--member-sessions', ['memberSessions', true]],
  ['--member-inflight', ['memberInflight', true]],
  ['--member-rps', ['memberRps', false]],
  ['--max-connections', ['maxConnections', true]],
  ['--max-connections-per-source', ['maxConnectionsPerSource', true]],
]);

const VALUE_FLAGS = new Set([
  '--port',
  '--host',
  '--token-sha256',
  '--members',
  '--approved',
  '--mode',
  '--allow-cidr',
  '--trusted-proxy',
  '--tls-cert',
  '--tls-key',
  '--allow-origin',
  '--root',
  '--env-file',
  '--log-level',
  ...FAIR_SHARE_FLAGS.keys(),
]);
/** Flags that take no value: present or not. */
const SWITCH_FLAGS = new Set(['--allow-gateway']);

function fail(message: string): never {
  throw new BridgeError('invalid_input', message);
}

/** Parses the command line; throws BridgeError with a one-line message for anything it cannot accept. */
export function parseCliArgs(argv: readonly string[]): CliParse {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--version') return { kind: 'version' };
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (SWITCH_FLAGS.has(flag)) {
      if (eq > 0) fail(`${flag} takes no value`);
      switches.add(flag);
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) {
      fail(
        arg.startsWith('-')
          ? `unknown option ${flag}`
          : `unexpected argument ${JSON.stringify(arg)}; put the server command after --`,
      );
    }
    let value: string | undefined;
    if (eq > 0 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === '--') fail(`${flag} needs a value`);
    values.set(flag, [...(values.get(flag) ?? []), value]);
  }
  const command = argv[i + 1];
  if (i >= argv.length || command === undefined || command === '')
    fail('missing the server command: end with -- COMMAND [ARG...]');

  const single = (flag: string): string | undefined => {
    const list = values.get(flag);
    if (list && list.length > 1) fail(`${flag} may be given only once`);
    return list?.[0];
  };
  const portText = single('--port') ?? fail('--port is required');
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    fail(`--port ${JSON.stringify(portText)} is not a port number (0-65535)`);
  const mode = single('--mode') ?? 'shared';
  if (mode !== 'shared' && mode !== 'dedicated')
    fail(`--mode must be shared or dedicated, not ${JSON.stringify(mode)}`);
  const tokenSha256 = values.get('--token-sha256') ?? [];
  for (const hex of tokenSha256) {
    if (!/^[0-9a-f]{64}$/i.test(hex))
      fail('--token-sha256 must be the 64 hex digits of a SHA-256 (of the token, never the token)');
  }
  const membersFile = single('--members');
  if (tokenSha256.length === 0 && membersFile === undefined)
    fail('give --token-sha256 HEX or --members FILE: the bridge never runs without auth');
  const approvedFile = single('--approved');
  if (approvedFile === '') fail('--approved needs a file');
  const host = single('--host') ?? '0.0.0.0';
  if (host === '') fail('--host needs an address');
  const envFile = single('--env-file');
  const logLevel = single('--log-level');
  const tlsCert = single('--tls-cert');
  const tlsKey = single('--tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined))
    fail('give both --tls-cert FILE and --tls-key FILE, or neither (then the bridge serves plain HTTP)');
  if (tlsCert === '' || tlsKey === '') fail('--tls-cert and --tls-key need a file');

  const fairShare: FairShareFlags = {};
  for (const [flag, [field, whole]] of FAIR_SHARE_FLAGS) {
    const text = single(flag);
    if (text === undefined) continue;
    const n = Number(text);
    // The text itself too: Number() reads "1e3", " 7" and "0x10", which the app never writes.
    const problem = LIMIT_TEXT.test(text) ? limitProblem(n, whole) : limitProblem(Number.NaN, whole);
    if (problem !== null) fail(`${flag} ${problem}`);
    fairShare[field] = n;
  }

  return {
    kind: 'run',
    args: {
      port: Number(portText),
      host,
      tokenSha256,
      mode,
      allowCidr: values.get('--allow-cidr') ?? [],
      allowGateway: switches.has('--allow-gateway'),
      trustedProxy: values.get('--trusted-proxy') ?? [],
      allowOrigin: values.get('--allow-origin') ?? [],
      fairShare,
      roots: (values.get('--root') ?? []).map(parseRootFlag),
      command,
      args: argv.slice(i + 2),
      ...(membersFile === undefined ? {} : { membersFile }),
      ...(approvedFile === undefined ? {} : { approvedFile }),
      ...(envFile === undefined ? {} : { envFile }),
      ...(tlsCert === undefined || tlsKey === undefined ? {} : { tlsCert, tlsKey }),
      ...(logLevel === undefined ? {} : { logLevel }),
    },
  };
}
