import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaticKeyProvider } from '../services/store/key-providers';
import { Store } from '../services/store/store';

export interface TestStore {
  store: Store;
  home: string;
  /** Opens the same home with the same key, e.g. to check what survived a reopen. */
  keyProvider: StaticKeyProvider;
  /** Closes the store and deletes its folder. */
  cleanup(): void;
}

/** A fresh encrypted store in its own temp folder, migrations applied, with a random key. */
export async function createTestStore(): Promise<TestStore> {
  const home = join(mkdtempSync(join(tmpdir(), 'mcp-fleet-store-')), 'home');
  const keyProvider = new StaticKeyProvider(randomBytes(32));
  const store = await Store.open({ home, keyProvider });
  return {
    store,
    home,
    keyProvider,
    cleanup: () => {
      store.close();
      rmSync(join(home, '..'), { recursive: true, force: true });
    },
  };
}
