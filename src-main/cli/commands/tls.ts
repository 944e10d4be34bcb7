/** `mcp-fleet tls ca [--out FILE]`: the fleet CA certificate that clients trust. */
import { chmod, writeFile } from 'node:fs/promises';
import { FleetError } from '../../shared/errors';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';

export const TLS_USAGE = `mcp-fleet tls ca [--out FILE]   the fleet CA certificate (PEM) that clients trust; created on first need`;

export async function tlsCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'ca') {
    throw usage(sub === undefined ? `usage:\n${TLS_USAGE}` : `unknown tls command "${sub}"`);
  }
  const a = parseArgs(rest, { out: 'string' });
  if (a.positionals.length > 0) throw usage(`unexpected argument "${a.positionals[0]}"`);
  const ca = await ctx.call('tls:ca', {});
  const out = a.values.get('out');
  if (out === undefined) {
    if (ctx.output.json) return ctx.output.out(JSON.stringify(ca, null, 2));
    // Only the PEM on stdout, so `mcp-fleet tls ca > mcp-fleet-ca.pem` gives a clean file.
    return void process.stdout.write(ca.pem);
  }
  await writePublic(out, ca.pem);
  if (ctx.output.json) return ctx.output.out(JSON.stringify({ ...ca, file: out }, null, 2));
  ctx.output.out(`wrote the fleet CA to ${out} (mode 0644)`);
  ctx.output.out(`SHA-256 fingerprint ${ca.fingerprint256}, valid until ${ca.notAfter}`);
}

/** A certificate is public: 0644, also when the file already existed with another mode. */
async function writePublic(file: string, content: string): Promise<void> {
  try {
    await writeFile(file, content, { mode: 0o644 });
    await chmod(file, 0o644);
  } catch (err) {
    throw new FleetError(
      'invalid_input',
      `could not write ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: err },
    );
  }
}
