import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import {
  PassphraseKeyProvider,
  SealedKeyProvider,
  StaticKeyProvider,
  passphraseFromEnv,
} from './key-providers';
import type { Sealer } from './key-providers';
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

/** Stands in for Electron's safeStorage (the Electron binary cannot run here): AES-256-GCM under a "machine" key. */
function testSealer(machineKey = randomBytes(32), available = true): Sealer {
  return {
    available: () => available,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', machineKey, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', machineKey, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
    },
  };
}

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

  void it('reads MCP_FLEET_PASSPHRASE and says what to set when it is missing', () => {
    assert.equal(passphraseFromEnv({ MCP_FLEET_PASSPHRASE: 'x y' }), 'x y');
    assert.throws(
      () => passphraseFromEnv({}),
      locked('set MCP_FLEET_PASSPHRASE to the passphrase that encrypts the store'),
    );
  });
});

void describe('SealedKeyProvider', () => {
  void it('creates one random key, sealed in key.sealed, and unseals the same key later', async () => {
    const home = tempHome();
    const sealer = testSealer();
    const key = await new SealedKeyProvider(sealer).getKey(home);
    assert.equal(key.length, 32);
    assert.deepEqual(await new SealedKeyProvider(sealer).getKey(home), key);
    const sealed = readFileSync(join(home, 'key.sealed'));
    assert.equal(sealed.includes(key), false);
    assert.equal(statSync(join(home, 'key.sealed')).mode & 0o777, 0o600);
    const store = await Store.open({ home, keyProvider: new SealedKeyProvider(sealer) });
    store.close();
  });

  void it('fails closed when the keychain is unavailable, is another machine, or the sealed key is gone', async () => {
    const home = tempHome();
    await assert.rejects(
      new SealedKeyProvider(testSealer(randomBytes(32), false)).getKey(home),
      locked(/OS keychain is not available/),
    );
    await Store.open({ home, keyProvider: new SealedKeyProvider(testSealer()) }).then((s) => s.close());
    await assert.rejects(new SealedKeyProvider(testSealer()).getKey(home), locked(/cannot unseal/));
    rmSync(join(home, 'key.sealed'));
    await assert.rejects(
      new SealedKeyProvider(testSealer()).getKey(home),
      locked(/key\.sealed\) is missing/),
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
