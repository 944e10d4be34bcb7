/**
 * `mcp-fleet store backup|restore|passphrase`: the store itself. These open the store directly (no
 * deploy or health services), with the passphrase from MCP_FLEET_PASSPHRASE or the terminal as every
 * command does. Passphrases never come from the command line: new and backup ones are typed on the
 * terminal or piped in with --new-passphrase-stdin / --backup-passphrase-stdin.
 */
import { FleetError } from '../../shared/errors';
import { storeHasData, PassphraseKeyProvider } from '../../services/store/key-providers';
import { Store } from '../../services/store/store';
import { StoreMaintenance } from '../../services/store/store-maintenance';
import { parseArgs, usage } from '../args';
import type { CommandContext } from '../context';
import { promptHidden, readStdinSecret } from '../stdin';
import { single } from './hosts';

export const STORE_USAGE = `mcp-fleet store backup FILE [--force]
    (a consistent copy, also while the app runs; encrypted with the store's key; mode 0600)
mcp-fleet store restore FILE [--backup-passphrase-stdin]
    (the store keeps its passphrase; a backup made under another one asks for that one; the store
     before it is kept as fleet.db.before-restore-TIME; close the app and web mode first)
mcp-fleet store passphrase [--new-passphrase-stdin]
    (asks for the new passphrase twice, or reads it twice, one per line, from stdin; close the app first)`;

/** The store's passphrase as every command takes it: MCP_FLEET_PASSPHRASE, else asked on the terminal. */
async function currentPassphrase(home: string): Promise<string> {
  const value = process.env.MCP_FLEET_PASSPHRASE;
  if (value !== undefined) return value;
  if (!process.stdin.isTTY) {
    throw new FleetError(
      'store_locked',
      'set MCP_FLEET_PASSPHRASE to the passphrase that encrypts the store',
    );
  }
  return promptHidden(`passphrase for the MCP Fleet store in ${home}: `);
}

function actor(): string {
  return `cli:${process.env.USER ?? 'unknown'}`;
}

async function withStore<T>(
  ctx: CommandContext,
  fn: (m: StoreMaintenance, passphrase: string) => Promise<T>,
  mustExist = true,
): Promise<T> {
  if (mustExist && !storeHasData(ctx.home)) {
    throw new FleetError('not_found', `there is no store in ${ctx.home} yet`);
  }
  const passphrase = await currentPassphrase(ctx.home);
  const store = await Store.open({ home: ctx.home, keyProvider: new PassphraseKeyProvider(passphrase) });
  try {
    return await fn(new StoreMaintenance(store, actor()), passphrase);
  } finally {
    store.close();
  }
}

export async function storeCommand(ctx: CommandContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'backup':
      return backup(ctx, rest);
    case 'restore':
      return restore(ctx, rest);
    case 'passphrase':
      return passphrase(ctx, rest);
    default:
      throw usage(sub === undefined ? `usage:\n${STORE_USAGE}` : `unknown store command "${sub}"`);
  }
}

async function backup(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { force: 'flag' });
  const file = single(a.positionals, 'store backup FILE [--force]');
  const written = await withStore(ctx, (m) => m.backup(file, a.flags.has('force')));
  if (ctx.output.json) return ctx.output.out(JSON.stringify(written, null, 2));
  ctx.output.out(
    `wrote a backup of the store in ${ctx.home} to ${written.path} (${written.bytes} bytes, schema v${written.schema}, mode 0600); ` +
      'it restores with the passphrase the store has now',
  );
}

async function restore(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { 'backup-passphrase-stdin': 'flag' });
  const file = single(a.positionals, 'store restore FILE [--backup-passphrase-stdin]');
  const fromStdin = a.flags.has('backup-passphrase-stdin');
  // Read before the store opens, so a missing pipe is reported before any passphrase is asked for.
  const given = fromStdin ? await readStdinSecret('backup-passphrase') : undefined;
  const restored = await withStore(
    ctx,
    (m, current) =>
      m
        .restore(file, {
          current,
          ...(given === undefined ? {} : { backup: given }),
          ask: async (why) => {
            if (fromStdin || !process.stdin.isTTY) return null;
            process.stderr.write(`${why}\n`);
            return promptHidden('passphrase the backup was made under: ');
          },
        })
        .catch((err: unknown) => {
          if (
            err instanceof FleetError &&
            err.code === 'store_locked' &&
            !fromStdin &&
            !process.stdin.isTTY
          ) {
            throw new FleetError(err.code, `${err.message}; give it with --backup-passphrase-stdin`);
          }
          throw err;
        }),
    false,
  );
  if (ctx.output.json) return ctx.output.out(JSON.stringify(restored, null, 2));
  const made = restored.createdAt ? ` (made ${restored.createdAt})` : '';
  ctx.output.out(`restored the store in ${ctx.home} from ${file}${made}`);
  if (restored.rekeyed) {
    ctx.output.out(
      're-encrypted the backup (made under another passphrase, or by another store) for the passphrase the store has now',
    );
  }
  ctx.output.out(
    `the store as it was is kept as ${restored.previous} (it opens with the current passphrase; move it to fleet.db to go back)`,
  );
}

async function newPassphrase(fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const lines = (await readStdinSecret('new-passphrase')).split(/\r?\n/);
    if (lines.length !== 2) {
      throw usage('--new-passphrase-stdin reads the new passphrase twice, one per line');
    }
    if (lines[0] !== lines[1]) throw usage('the two new passphrases on standard input differ');
    return lines[0] as string;
  }
  if (!process.stdin.isTTY) {
    throw usage('type the new passphrase on a terminal, or pipe it in twice with --new-passphrase-stdin');
  }
  const first = await promptHidden('new passphrase: ');
  const second = await promptHidden('the new passphrase again: ');
  if (first !== second) throw usage('the two new passphrases differ; nothing changed');
  return first;
}

async function passphrase(ctx: CommandContext, argv: string[]): Promise<void> {
  const a = parseArgs(argv, { 'new-passphrase-stdin': 'flag' });
  if (a.positionals.length > 0) {
    throw usage('store passphrase takes no arguments: passphrases never go on the command line');
  }
  const fromStdin = a.flags.has('new-passphrase-stdin');
  const next = fromStdin ? await newPassphrase(true) : undefined;
  const result = await withStore(ctx, async (m, current) =>
    m.changePassphrase(current, next ?? (await newPassphrase(false))),
  );
  if (ctx.output.json) return ctx.output.out(JSON.stringify(result, null, 2));
  ctx.output.out(
    `changed the passphrase of the store in ${ctx.home}; backups made before still need the old one, ` +
      'and MCP_FLEET_PASSPHRASE must now hold the new one wherever it is set',
  );
  if (result.keychainForgotten !== null) {
    ctx.output.out(
      `removed ${result.keychainForgotten}, the desktop app's remembered key for the old passphrase: ` +
        'the app asks for the new passphrase at its next start',
    );
  }
}
