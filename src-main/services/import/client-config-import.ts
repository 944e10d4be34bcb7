/**
 * Server definitions from a client configuration: claude_desktop_config.json, Cursor's or Claude
 * Code's mcp.json (`mcpServers`) and VS Code's mcp.json (`servers`). Each entry's command, args and env
 * map onto a source: `npx -y pkg` → npx, `uvx pkg` → uvx, `docker run ... image` → image, anything
 * else → command.
 */
import type { EnvEntryInput, ServerAddInput } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { looksSecret } from './secret-detect';

export interface Candidate {
  /** The entry's key in the file, for messages. */
  entry: string;
  input: ServerAddInput;
  warnings: string[];
}

interface RawEntry {
  command?: unknown;
  args?: unknown;
  env?: unknown;
  url?: unknown;
  type?: unknown;
}

/** Entries of `mcpServers` (or `servers`). Throws FleetError('invalid_input') naming the entry at fault. */
export function fromClientConfig(doc: Record<string, unknown>, mode: 'shared' | 'dedicated'): Candidate[] {
  const servers = doc.mcpServers ?? doc.servers;
  if (servers === null || typeof servers !== 'object' || Array.isArray(servers)) {
    throw new FleetError('invalid_input', 'the file has no "mcpServers" (or "servers") object');
  }
  return Object.entries(servers as Record<string, unknown>).map(([entry, value]) => {
    const fail = (message: string): never => {
      throw new FleetError('invalid_input', `entry "${entry}": ${message}`);
    };
    if (value === null || typeof value !== 'object') return fail('is not an object');
    const raw = value as RawEntry;
    if (raw.url !== undefined || (raw.type !== undefined && raw.type !== 'stdio')) {
      return fail('is a remote server (a URL); MCP Fleet runs stdio servers (command and args)');
    }
    if (typeof raw.command !== 'string' || raw.command.trim() === '') return fail('has no "command"');
    const args = raw.args ?? [];
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
      return fail('"args" must be a list of strings');
    }
    const envObject = raw.env ?? {};
    if (envObject === null || typeof envObject !== 'object' || Array.isArray(envObject)) {
      return fail('"env" must be an object of strings');
    }
    const env = Object.entries(envObject as Record<string, unknown>).map(([key, v]) => {
      if (typeof v !== 'string') return fail(`env ${key} must be a string`);
      return { key, value: v, secret: looksSecret(key, v) };
    });
    const warnings: string[] = [];
    const mapped = mapCommand(raw.command.trim(), args, env, warnings, fail);
    return {
      entry,
      input: { name: entry, source: mapped.source, args: mapped.args, env: mapped.env, mode },
      warnings: warnings.map((w) => `entry "${entry}": ${w}`),
    };
  });
}

type Mapped = Pick<ServerAddInput, 'source' | 'args'> & { env: EnvEntryInput[]; args: string[] };

function mapCommand(
  command: string,
  args: string[],
  env: EnvEntryInput[],
  warnings: string[],
  fail: (message: string) => never,
): Mapped {
  const base =
    command
      .replace(/\\/g, '/')
      .split('/')
      .pop()
      ?.replace(/\.(cmd|exe)$/i, '') ?? command;
  if (base === 'npx') {
    let i = 0;
    while (i < args.length && ['-y', '--yes', '-q', '--quiet'].includes(args[i] as string)) i += 1;
    const pkg = args[i];
    if (pkg !== undefined && !pkg.startsWith('-'))
      return { source: { kind: 'npx', value: pkg }, args: args.slice(i + 1), env };
  }
  if (base === 'uvx') {
    let i = 0;
    let from: string | undefined;
    while (i < args.length && (args[i] as string).startsWith('-')) {
      if (args[i] === '--from' && args[i + 1] !== undefined) {
        from = args[i + 1];
        i += 2;
      } else if (['-q', '--quiet', '--offline', '--no-cache'].includes(args[i] as string)) i += 1;
      else break;
    }
    const pkg = args[i];
    if (pkg !== undefined && !pkg.startsWith('-')) {
      if (from === undefined) return { source: { kind: 'uvx', value: pkg }, args: args.slice(i + 1), env };
      // `uvx --from SPEC NAME`: the package is SPEC when NAME is its own command.
      const fromName = from.replace(/(\[.*\])?(==|@).*$/, '').replace(/\[.*\]$/, '');
      if (fromName === pkg) return { source: { kind: 'uvx', value: from }, args: args.slice(i + 1), env };
    }
  }
  if (base === 'docker' && args[0] === 'run') return fromDockerRun(args.slice(1), env, warnings, fail);
  return { source: { kind: 'command', value: command }, args, env };
}

const DOCKER_BOOL_FLAGS = new Set([
  '-i',
  '-t',
  '-it',
  '-ti',
  '-d',
  '-P',
  '--rm',
  '--init',
  '--interactive',
  '--tty',
  '--detach',
  '--privileged',
  '--read-only',
  '--publish-all',
  '--no-healthcheck',
  '--oom-kill-disable',
]);

/** `docker run [OPTIONS] IMAGE [ARG...]`: the image and its args; -e values join the env. */
function fromDockerRun(
  args: string[],
  env: EnvEntryInput[],
  warnings: string[],
  fail: (message: string) => never,
): Mapped {
  const out = [...env];
  const byKey = new Map(env.map((e) => [e.key, e]));
  let i = 0;
  for (; i < args.length; i += 1) {
    const word = args[i] as string;
    if (!word.startsWith('-')) break;
    if (DOCKER_BOOL_FLAGS.has(word)) continue;
    const eq = word.indexOf('=');
    const flag = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : word;
    const value = word.startsWith('--') && eq > 0 ? word.slice(eq + 1) : args[++i];
    if (value === undefined) return fail(`docker option ${flag} has no value`);
    if (flag === '-e' || flag === '--env') {
      const at = value.indexOf('=');
      const key = at === -1 ? value : value.slice(0, at);
      // `-e KEY` takes the value from the entry's env, which the client passes to docker.
      const known = byKey.get(key);
      const v = at === -1 ? (known?.value ?? '') : value.slice(at + 1);
      if (known) known.value = v;
      else out.push({ key, value: v, secret: looksSecret(key, v) });
    } else if (!['--name', '--network', '--net', '--user', '-u'].includes(flag)) {
      warnings.push(
        `docker option ${flag} is not carried over (MCP Fleet sets mounts, ports and limits itself)`,
      );
    }
  }
  const image = args[i];
  if (image === undefined) return fail('docker run names no image');
  // Only variables docker passes on; an entry env var without -e never reached the server.
  const passed = out.filter((e) => !byKey.has(e.key) || args.some((a, j) => isEnvFlagFor(args, j, e.key, a)));
  return { source: { kind: 'image', value: image }, args: args.slice(i + 1), env: passed };
}

function isEnvFlagFor(args: string[], j: number, key: string, word: string): boolean {
  const prev = args[j - 1];
  if ((prev === '-e' || prev === '--env') && (word === key || word.startsWith(`${key}=`))) return true;
  return word === `--env=${key}` || word.startsWith(`--env=${key}=`);
}
