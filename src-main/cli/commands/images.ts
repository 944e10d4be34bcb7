/**
 * `mcp-fleet images push|login|logout`: a server's runtime image pushed to the push-registry setting
 * from the host that builds it, and the credential the push logs in with (kept in the encrypted store,
 * read from standard input, never printed). Progress goes to stderr; stdout keeps `ref@sha256:…`.
 */
import { FleetError } from '../../shared/errors';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { promptHidden, readStdinSecret } from '../stdin';
import { single } from './hosts';

export const IMAGES_USAGE = `mcp-fleet images push SERVER [--host H]
    (builds the server's runtime image on the host when absent and pushes it to the push-registry
     setting; prints REF@sha256:…; without --host: the host the server runs on)
mcp-fleet images login REGISTRY --username U [--password-stdin]
mcp-fleet images logout REGISTRY
    (the credential pushes to REGISTRY (host[:port]) log in with, kept encrypted in the store)`;

export async function imagesCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'push':
      return push(ctx, rest);
    case 'login':
      return login(ctx, rest);
    case 'logout':
      return logout(ctx, rest);
    default:
      throw usage(sub === undefined ? `usage:\n${IMAGES_USAGE}` : `unknown images command "${sub}"`);
  }
}

async function push(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { host: 'string' });
  const server = single(a.positionals, 'images push SERVER [--host H]');
  const { fleet } = await ctx.services();
  const progress = ctx.output.json ? () => {} : (line: string) => void process.stderr.write(`  ${line}\n`);
  const pushed = await fleet.pusher.pushServer(server, a.values.get('host'), progress);
  if (ctx.output.json) return ctx.output.out(JSON.stringify(pushed, null, 2));
  ctx.output.out(pushed.pinned);
}

async function login(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { username: 'string', 'password-stdin': 'flag' });
  const registry = single(a.positionals, 'images login REGISTRY --username U [--password-stdin]');
  const username = a.values.get('username');
  if (username === undefined) throw usage('images login needs --username U');
  let password: string;
  if (a.flags.has('password-stdin')) password = await readStdinSecret('password');
  else if (process.stdin.isTTY) password = await promptHidden(`password for ${username} at ${registry}: `);
  else throw new FleetError('invalid_input', 'give the password on standard input with --password-stdin');
  const { fleet } = await ctx.services();
  const stored = fleet.credentials.set(registry, { username, password });
  if (ctx.output.json) return ctx.output.out(JSON.stringify(stored, null, 2));
  ctx.output.out(
    `stored the credential of ${stored.username} for ${stored.registry}; the next push there uses it`,
  );
}

async function logout(ctx: CommandContext, argv: string[]): Promise<void> {
  const registry = single(parseArgs(argv, {}).positionals, 'images logout REGISTRY');
  const { fleet } = await ctx.services();
  const removed = fleet.credentials.remove(registry);
  if (ctx.output.json) return ctx.output.out(JSON.stringify({ registry, removed }, null, 2));
  ctx.output.out(
    removed ? `removed the credential for ${registry}` : `no credential was stored for ${registry}`,
  );
}
