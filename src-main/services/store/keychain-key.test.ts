/**
 * The remembered key file. The OS keychain is faked at its boundary (KeychainSealer), since the Electron
 * binary that reaches the real one cannot run here: AES-256-GCM under a per-"computer" key.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FleetError } from '../../shared/errors';
import { KEYCHAIN_FILE, KeychainKey, type KeychainSealer } from './keychain-key';

const roots: string[] = [];
after(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempHome(): string {
  const root = mkdtempSync(join(tmpdir(), 'mcp-fleet-keychain-test-'));
  roots.push(root);
  return join(root, 'home');
}

/** The fake keychain: `available` and `fails` model a missing or broken keyring. */
function testSealer(
  opts: { computerKey?: Buffer; available?: boolean; fails?: boolean } = {},
): KeychainSealer {
  const computerKey = opts.computerKey ?? randomBytes(32);
  return {
    async available() {
      if (opts.fails) throw new Error('keyring daemon crashed');
      return opts.available ?? true;
    },
    async seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', computerKey, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    async unseal(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', computerKey, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return { plain: Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]), stale: false };
    },
  };
}

const fleetError = (code: string, message: RegExp) => (err: unknown) =>
  err instanceof FleetError && err.code === code && message.test(err.message);

describe('KeychainKey', () => {
  test('remembers a key sealed in key.keychain (0600), gives it back, replaces it whole, and forgets it', async () => {
    const home = tempHome();
    const sealer = testSealer();
    const kept = new KeychainKey(home, sealer);
    assert.equal(kept.exists(), false);
    assert.equal(await kept.read(), null);
    const key = randomBytes(32);
    await kept.remember(key);
    const path = join(home, KEYCHAIN_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(path).includes(key), false, 'the key is sealed, not stored');
    assert.deepEqual(await new KeychainKey(home, sealer).read(), { key, stale: false });

    const next = randomBytes(32);
    await kept.remember(next);
    assert.deepEqual(await kept.read(), { key: next, stale: false });
    assert.deepEqual(readdirSync(home), [KEYCHAIN_FILE], 'no temporary file is left behind');

    kept.forget();
    assert.equal(existsSync(path), false);
    assert.equal(await kept.read(), null);
    kept.forget();
  });

  test('a key another computer sealed, a missing keychain, or a file that is no key: refused, file kept', async () => {
    const home = tempHome();
    await new KeychainKey(home, testSealer()).remember(randomBytes(32));
    const before = readFileSync(join(home, KEYCHAIN_FILE));

    await assert.rejects(
      new KeychainKey(home, testSealer()).read(),
      fleetError('store_locked', /cannot unseal the key remembered in .*key\.keychain/),
    );
    await assert.rejects(
      new KeychainKey(home, testSealer({ available: false })).read(),
      fleetError('store_locked', /keychain is not available now/),
    );
    await assert.rejects(
      new KeychainKey(home, testSealer({ fails: true })).read(),
      fleetError('store_locked', /keychain is not available now/),
    );
    assert.deepEqual(readFileSync(join(home, KEYCHAIN_FILE)), before);

    const sealer = testSealer();
    writeFileSync(join(home, KEYCHAIN_FILE), await sealer.seal(randomBytes(16)));
    await assert.rejects(
      new KeychainKey(home, sealer).read(),
      fleetError('store_locked', /does not hold a store key/),
    );
  });

  test('without a keychain nothing is remembered and nothing is written', async () => {
    const home = tempHome();
    for (const sealer of [testSealer({ available: false }), testSealer({ fails: true })]) {
      const kept = new KeychainKey(home, sealer);
      assert.equal(await kept.available(), false);
      await assert.rejects(kept.remember(randomBytes(32)), fleetError('unavailable', /not available/));
    }
    assert.equal(existsSync(home), false);
    await assert.rejects(
      new KeychainKey(home, testSealer()).remember(randomBytes(31)),
      fleetError('internal', /32 bytes/),
    );
  });
});
