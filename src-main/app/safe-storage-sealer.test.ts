/**
 * The safeStorage adapter under plain Node: Electron's safeStorage is faked at its own four calls
 * (fake-safe-storage.fixture.ts), since the Electron binary cannot run here.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { fakeSafeStorage } from './fake-safe-storage.fixture';
import { safeStorageSealer } from './safe-storage-sealer';

describe('safeStorageSealer', () => {
  test('seals bytes as safeStorage strings and gives the same bytes back, stale when the keyring rotated', async () => {
    const storage = fakeSafeStorage();
    const sealer = safeStorageSealer(storage, 'linux');
    const key = randomBytes(32);
    const sealed = await sealer.seal(key);
    assert.equal(sealed.includes(key), false);
    assert.equal(sealed.includes(Buffer.from(key.toString('base64'))), false);
    assert.deepEqual(await sealer.unseal(sealed), { plain: key, stale: false });
    storage.rotated = true;
    assert.deepEqual(await sealer.unseal(sealed), { plain: key, stale: true });
    await assert.rejects(safeStorageSealer(fakeSafeStorage(), 'linux').unseal(sealed));
  });

  test("Linux's basic_text backend (no keyring, a hard-coded password) counts as no keychain", async () => {
    const basic = fakeSafeStorage({ backend: 'basic_text' });
    assert.equal(await safeStorageSealer(basic, 'linux').available(), false);
    // Elsewhere the backend question does not apply.
    assert.equal(await safeStorageSealer(basic, 'darwin').available(), true);
    assert.equal(await safeStorageSealer(fakeSafeStorage(), 'linux').available(), true);
    assert.equal(await safeStorageSealer(fakeSafeStorage({ available: false }), 'win32').available(), false);
  });
});
