/**
 * How the renderer opens a locked store, whichever transport it has: in the desktop app the preload's
 * two session channels (which can remember the key in the OS keychain), in web mode the server's
 * /api/state and /api/unlock (which cannot: `mcp-fleet serve` asks on every start).
 */
import type { DesktopApi, Result, SessionState, StoreState } from '../../src-main/shared/contract';
import type { WebSession } from './web-client';

export interface StoreSession {
  /** Whether the store is locked, whether it exists yet, whether a key can be remembered here, and why not. */
  storeState: () => Promise<Result<SessionState>>;
  /** Opens the store with a passphrase (creating it when none exists yet). */
  unlock: (input: { passphrase: string; remember: boolean }) => Promise<Result<SessionState>>;
}

export function desktopStoreSession(api: DesktopApi): StoreSession {
  return {
    storeState: () => api.sessionState({}),
    unlock: (input) => api.sessionUnlock(input),
  };
}

/** Web mode: no keychain, so nothing to remember and no notice about one. */
export function webStoreSession(session: WebSession): StoreSession {
  const withoutKeychain = (result: Result<StoreState>): Result<SessionState> =>
    result.ok ? { ok: true, data: { ...result.data, keychain: false, notice: null } } : result;
  return {
    storeState: async () => withoutKeychain(await session.storeState()),
    unlock: async ({ passphrase }) => withoutKeychain(await session.unlock(passphrase)),
  };
}
