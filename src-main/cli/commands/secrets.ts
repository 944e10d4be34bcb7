/** `mcp-fleet secrets rotate`: new member tokens, accepted beside the old ones until --finish. */
import { FleetError } from '../../shared/errors';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { progressStream } from './deploy';
import { single } from './hosts';

export const SECRETS_USAGE = `mcp-fleet secrets rotate SERVER [--member M]   (new tokens; the old ones still work)
mcp-fleet secrets rotate SERVER --finish       (the old tokens stop working)`;

export async function secretsCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'rotate') {
    throw usage(sub === undefined ? `usage:\n${SECRETS_USAGE}` : `unknown secrets command "${sub}"`);
  }
  const a = parseArgs(rest, { member: 'string', finish: 'flag' });
  const server = single(a.positionals, 'secrets rotate SERVER [--member M] [--finish]');
  const member = a.values.get('member');
  const { streamId, stop } = await progressStream(ctx);
  let result;
  try {
    result = await ctx.call('secrets:rotate', {
      server,
      finish: a.flags.has('finish'),
      streamId,
      ...(member === undefined ? {} : { member }),
    });
  } finally {
    stop();
  }
  if (ctx.output.json) ctx.output.out(JSON.stringify(result, null, 2));
  else if (result.finished.length > 0) {
    ctx.output.out(`rotation finished: the previous tokens of ${result.finished.join(', ')} no longer work`);
  } else {
    ctx.output.out('new tokens (shown this once; the previous ones keep working until `--finish`):');
    for (const t of result.tokens) ctx.output.out(`  ${t.member}: ${t.token}`);
  }
  if (result.deployError !== null) {
    throw new FleetError(
      'unavailable',
      `saved, but the deploy that applies it failed: ${result.deployError}`,
    );
  }
}
