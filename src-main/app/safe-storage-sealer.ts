import { safeStorage } from 'electron';

/**
 * Seals the store key with the OS keychain through Electron's safeStorage. safeStorage works on strings,
 * the key is bytes: base64 bridges the two.
 */
export const safeStorageSealer = {
  available(): boolean {
    if (!safeStorage.isEncryptionAvailable()) return false;
    // On Linux without a keyring Electron falls back to a hard-coded password; that is no protection,
    // so it counts as unavailable (fail closed).
    return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
  },
  encrypt: (plain: Buffer): Buffer => safeStorage.encryptString(plain.toString('base64')),
  decrypt: (sealed: Buffer): Buffer => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
};
