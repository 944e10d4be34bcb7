// Run by store-maintenance.test.ts as its own process: opens the store, then changes its passphrase (or
// restores a backup) and SIGKILLs itself at the step MCP_FLEET_TEST_CRASH names, as a power cut would.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { PassphraseKeyProvider } from './key-providers';
import { Store } from './store';
import { StoreMaintenance } from './store-maintenance';

const env = process.env;
const home = env.MCP_FLEET_TEST_HOME as string;
const crash = env.MCP_FLEET_TEST_CRASH;
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const isStore = (path: fs.PathLike): boolean => String(path).endsWith('/fleet.db');

const { renameSync } = fs;
if (crash === 'mid-copy') {
  // Half of the private copy is written when the power goes.
  fs.copyFileSync = (from, to) => {
    const bytes = fs.readFileSync(from);
    fs.writeFileSync(to, bytes.subarray(0, bytes.length >> 1));
    die();
  };
} else if (crash === 'before-rename') {
  fs.renameSync = (from, to) => (isStore(to) ? die() : renameSync(from, to));
} else if (crash === 'after-rename') {
  fs.renameSync = (from, to) => {
    renameSync(from, to);
    if (isStore(to)) die();
  };
}
syncBuiltinESMExports();

const store = await Store.open({
  home,
  keyProvider: new PassphraseKeyProvider(env.OLD_PASSPHRASE as string),
});
const maintenance = new StoreMaintenance(store, 'test');
if (env.MCP_FLEET_TEST_BACKUP) await maintenance.restore(env.MCP_FLEET_TEST_BACKUP);
else await maintenance.changePassphrase(env.OLD_PASSPHRASE as string, env.NEW_PASSPHRASE as string);
process.stdout.write('finished\n');
store.close();
