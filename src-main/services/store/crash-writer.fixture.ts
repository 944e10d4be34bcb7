/**
 * Child process for the crash test: commits one host, prints "committed", then waits to be SIGKILLed.
 * Reads the store folder and hex key from MCP_FLEET_TEST_HOME and MCP_FLEET_TEST_KEY.
 */
import { StaticKeyProvider } from './key-providers';
import { Store } from './store';

const home = process.env.MCP_FLEET_TEST_HOME ?? '';
const key = Buffer.from(process.env.MCP_FLEET_TEST_KEY ?? '', 'hex');
const store = await Store.open({ home, keyProvider: new StaticKeyProvider(key) });
store.transaction(() => {
  store.hosts.insert(
    {
      name: 'survivor',
      kind: 'ssh',
      user: 'ops',
      address: '10.0.0.9',
      port: 22,
      auth: 'password',
      hostKeySha256: null,
    },
    { secret: 'crash-test-password', passphrase: null },
  );
  store.audit.append({ actor: 'test', action: 'host.add', target: 'survivor', outcome: 'ok', detail: '' });
});
process.stdout.write('committed\n');
setInterval(() => undefined, 1000);
