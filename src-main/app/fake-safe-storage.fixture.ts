/**
 * Stands in for Electron's safeStorage, which needs the Electron binary (it cannot run here): the same
 * four async calls, on strings, sealing with AES-256-GCM under a per-"computer" key the way the OS keyring
 * seals with its own. Another computer (another key) cannot unseal what this one sealed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface FakeSafeStorageOptions {
  /** The keyring's own secret; a fresh random one is another computer. */
  computerKey?: Buffer;
  /** What isAsyncEncryptionAvailable answers. */
  available?: boolean;
  /** What getSelectedStorageBackend answers ('basic_text': Linux with no keyring). */
  backend?: 'basic_text' | 'gnome_libsecret' | 'kwallet6';
}

export function fakeSafeStorage(options: FakeSafeStorageOptions = {}) {
  const computerKey = options.computerKey ?? randomBytes(32);
  return {
    computerKey,
    /** Set to make the next unseals report the keyring's key as rotated. */
    rotated: false,
    async isAsyncEncryptionAvailable() {
      return options.available ?? true;
    },
    getSelectedStorageBackend() {
      return options.backend ?? 'gnome_libsecret';
    },
    async encryptStringAsync(plain: string) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', computerKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    async decryptStringAsync(sealed: Buffer) {
      const decipher = createDecipheriv('aes-256-gcm', computerKey, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      const result = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
      return { result, shouldReEncrypt: this.rotated };
    },
  };
}
