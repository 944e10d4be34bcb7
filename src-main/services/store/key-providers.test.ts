import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import { PassphraseKeyProvider, StaticKeyProvider, passphraseFromEnv } from './key-providers';
import { Store } from './store';

const roots: string[] = [];
after(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempHome(): string {
  const root = mkdtempSync(join(tmpdir(), 'mcp-fleet-keys-test-'));
  roots.push(root);
  return join(root, 'home');
}

const locked = (message: string | RegExp) => (err: unknown) =>
  err instanceof FleetError &&
  err.code === 'store_locked' &&
  (typeof message === 'string' ? err.message === message : message.test(err.message));

void describe('PassphraseKeyProvider', () => {
  void it('derives a stable 32-byte key with scrypt and a random salt kept in store.json', async () => {
    const home = tempHome();
    const key1 = await new PassphraseKeyProvider('pass phrase').getKey(home);
    const key2 = await new PassphraseKeyProvider('pass phrase').getKey(home);
    const other = await new PassphraseKeyProvider('pass phrase!').getKey(home);
    assert.equal(key1.length, 32);
    assert.deepEqual(key1, key2);
    assert.notDeepEqual(key1, other);
    const settings = JSON.parse(readFileSync(join(home, 'store.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(settings.kdf, 'scrypt');
    assert.ok((settings.N as number) >= 2 ** 15);
    assert.equal(Buffer.from(settings.salt as string, 'base64').length, 16);
    assert.equal(statSync(join(home, 'store.json')).mode & 0o777, 0o600);
    const elsewhere = await new PassphraseKeyProvider('pass phrase').getKey(tempHome());
    assert.notDeepEqual(elsewhere, key1, 'another home has another salt');
  });

  void it('refuses an empty passphrase, damaged settings, and missing settings beside existing data', async () => {
    const home = tempHome();
    await assert.rejects(new PassphraseKeyProvider('').getKey(home), locked('MCP_FLEET_PASSPHRASE is empty'));
    const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider('p') });
    store.close();
    const good = readFileSync(join(home, 'store.json'));
    writeFileSync(
      join(home, 'store.json'),
      JSON.stringify({ kdf: 'scrypt', N: 3, r: 8, p: 1, salt: 'AAAA' }),
    );
    await assert.rejects(new PassphraseKeyProvider('p').getKey(home), locked(/key settings .* are damaged/));
    rmSync(join(home, 'store.json'));
    await assert.rejects(new PassphraseKeyProvider('p').getKey(home), locked(/store\.json\) are missing/));
    writeFileSync(join(home, 'store.json'), good);
    await Store.open({ home, keyProvider: new PassphraseKeyProvider('p') }).then((s) => s.close());
  });

  void it('refuses a folder an earlier desktop build keyed (key.sealed, no store.json), naming the file and writing nothing', async () => {
    const home = tempHome();
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'key.sealed'), randomBytes(60));
    await assert.rejects(
      new PassphraseKeyProvider('pass phrase').getKey(home),
      (err) =>
        locked(/holds a store key from an earlier MCP Fleet desktop build/)(err) &&
        (err as Error).message.startsWith(join(home, 'key.sealed')),
    );
    assert.equal(existsSync(join(home, 'store.json')), false);
    // Beside a store.json it is a leftover the passphrase does not need.
    const other = tempHome();
    await new PassphraseKeyProvider('pass phrase').getKey(other);
    writeFileSync(join(other, 'key.sealed'), randomBytes(60));
    assert.equal((await new PassphraseKeyProvider('pass phrase').getKey(other)).length, 32);
  });

  void it('reads MCP_FLEET_PASSPHRASE and says what to set when it is missing', () => {
    assert.equal(passphraseFromEnv({ MCP_FLEET_PASSPHRASE: 'x y' }), 'x y');
    assert.throws(
      () => passphraseFromEnv({}),
      locked('set MCP_FLEET_PASSPHRASE to the passphrase that encrypts the store'),
    );
  });
});

void describe('StaticKeyProvider', () => {
  void it('accepts only 32-byte keys and hands out copies', async () => {
    assert.throws(() => new StaticKeyProvider(randomBytes(16)), FleetError);
    const provider = new StaticKeyProvider(Buffer.alloc(32, 7));
    const key = await provider.getKey();
    key.fill(0);
    assert.deepEqual(await provider.getKey(), Buffer.alloc(32, 7));
  });
});
