/**
 * "Remember on this computer": a second copy of the store key, sealed by the OS keychain, in
 * `<home>/key.keychain`. The passphrase stays what the key is derived from (so the CLI and web mode open
 * the same store); this copy only spares the desktop app's operator from typing it. Losing the file loses
 * nothing, which is why a copy that no longer fits is left alone until a passphrase unlock replaces it.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../../shared/errors';
import { ensureHome } from './database';

/** The OS keychain at its boundary: Electron's safeStorage in the app, a stand-in in tests. */
export interface KeychainSealer {
  /** False when the OS offers no real keychain (e.g. Linux with no keyring): nothing is remembered then. */
  available(): Promise<boolean>;
  /** Throws when the keychain refuses. */
  seal(plain: Buffer): Promise<Buffer>;
  /**
   * Throws when the keychain cannot unseal `sealed` (another user or machine, a reset keyring).
   * `stale`: the keychain's key has changed since, so the bytes should be sealed again.
   */
  unseal(sealed: Buffer): Promise<{ plain: Buffer; stale: boolean }>;
}

export const KEYCHAIN_FILE = 'key.keychain';

const KEY_BYTES = 32;

export class KeychainKey {
  readonly path: string;

  constructor(
    private readonly home: string,
    private readonly sealer: KeychainSealer,
  ) {
    this.path = join(home, KEYCHAIN_FILE);
  }

  /** Whether a key can be remembered here; a keychain that throws counts as absent (fail closed). */
  async available(): Promise<boolean> {
    try {
      return await this.sealer.available();
    } catch {
      return false;
    }
  }

  /** Whether a key is remembered, whether or not it still fits. */
  exists(): boolean {
    return existsSync(this.path);
  }

  /**
   * The remembered key, or null when none is. `stale`: seal it again (remember()) once it has opened the store.
   * Throws FleetError('store_locked') saying why the keychain cannot give it back; the file is left as it is.
   */
  async read(): Promise<{ key: Buffer; stale: boolean } | null> {
    if (!this.exists()) return null;
    if (!(await this.available())) {
      throw new FleetError(
        'store_locked',
        `the OS keychain is not available now, so the key remembered in ${this.path} cannot be used`,
      );
    }
    let unsealed: { plain: Buffer; stale: boolean };
    try {
      unsealed = await this.sealer.unseal(readFileSync(this.path));
    } catch (err) {
      throw new FleetError(
        'store_locked',
        `the OS keychain cannot unseal the key remembered in ${this.path} (remembered by another user or computer, or the keyring was reset)`,
        { cause: err },
      );
    }
    if (unsealed.plain.length !== KEY_BYTES) {
      throw new FleetError('store_locked', `${this.path} does not hold a store key`);
    }
    return { key: unsealed.plain, stale: unsealed.stale };
  }

  /**
   * Seals `key` into key.keychain (0600), replacing any earlier copy in one rename so a crash leaves the
   * old copy or the new one, never half of one. Throws FleetError('unavailable') when the keychain refuses.
   */
  async remember(key: Buffer): Promise<void> {
    if (key.length !== KEY_BYTES) throw new FleetError('internal', 'a store key must be 32 bytes');
    if (!(await this.available())) {
      throw new FleetError('unavailable', 'the OS keychain is not available to remember the key');
    }
    let sealed: Buffer;
    try {
      sealed = await this.sealer.seal(key);
    } catch (err) {
      throw new FleetError('unavailable', 'the OS keychain refused to seal the store key', { cause: err });
    }
    ensureHome(this.home);
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, sealed);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(tmp, this.path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** Removes the remembered key; the next start asks for the passphrase. */
  forget(): void {
    rmSync(this.path, { force: true });
  }
}
