import type { SafeStorage } from 'electron';
import type { KeychainSealer } from '../services/store/keychain-key';

type AsyncSafeStorage = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptStringAsync' | 'decryptStringAsync'
>;

/**
 * The OS keychain through Electron's asynchronous safeStorage calls (the synchronous ones are deprecated
 * in Electron 45). safeStorage works on strings, the key is bytes: base64 bridges the two. Takes
 * safeStorage as a parameter (main.ts passes Electron's) so it is tested under plain Node.
 */
export function safeStorageSealer(
  safeStorage: AsyncSafeStorage,
  platform: NodeJS.Platform = process.platform,
): KeychainSealer {
  return {
    async available() {
      if (!(await safeStorage.isAsyncEncryptionAvailable())) return false;
      // On Linux without a keyring Electron falls back to a hard-coded password; that is no protection,
      // so it counts as unavailable (fail closed).
      return platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
    },
    seal: (plain) => safeStorage.encryptStringAsync(plain.toString('base64')),
    async unseal(sealed) {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(sealed);
      return { plain: Buffer.from(result, 'base64'), stale: shouldReEncrypt };
    },
  };
}
