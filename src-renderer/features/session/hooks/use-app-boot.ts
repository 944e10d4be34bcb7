/**
 * The app's start-up: ask the services who they are (which also proves the web session), prefetch the
 * first screen's lists, then report ready. A locked store (either transport) leads to the unlock screen;
 * in web mode a 401 at any time leads to the login screen.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppInfo } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import type { ApiContextValue } from '../../../lib/api-context';
import { call } from '../../../lib/call';
import type { StoreSession } from '../../../lib/desktop-session';

export type BootPhase =
  | { kind: 'loading' }
  | { kind: 'login'; notice: string | null }
  /**
   * The store waits for its passphrase (a new one when it does not exist yet): web mode started without
   * one, or the app with no key remembered on this computer. `keychain`: "Remember" can be offered;
   * `notice`: why a remembered key did not open the store.
   */
  | { kind: 'locked'; initialized: boolean; keychain: boolean; notice: string | null }
  | { kind: 'ready'; info: AppInfo }
  | { kind: 'error'; error: ErrorShape };

export function useAppBoot(
  { api, queries, session }: ApiContextValue,
  store: StoreSession,
  initialToken: string | null,
) {
  const [phase, setPhase] = useState<BootPhase>({ kind: 'loading' });
  const phaseRef = useRef(phase);
  useEffect(() => {
    phaseRef.current = phase;
  }, [phase]);

  const boot = useCallback(async () => {
    const info = await call(api, 'app:info', {});
    if (!info.ok) {
      if (info.error.code === 'unauthorized' && session) setPhase({ kind: 'login', notice: null });
      else if (info.error.code === 'store_locked') {
        const state = await store.storeState();
        if (state.ok && state.data.locked) {
          const { initialized, keychain, notice } = state.data;
          setPhase({ kind: 'locked', initialized, keychain, notice });
        }
        // Unlocked meanwhile (another tab): "Try again" boots normally.
        else setPhase({ kind: 'error', error: state.ok ? info.error : state.error });
      } else setPhase({ kind: 'error', error: info.error });
      return;
    }
    session?.connect();
    // The first screen's data, so it renders complete instead of filling in piece by piece.
    await Promise.all([
      queries.fetch('hosts:list', {}),
      queries.fetch('servers:list', {}),
      queries.fetch('health:summary', {}),
    ]);
    setPhase({ kind: 'ready', info: info.data });
  }, [api, queries, session, store]);

  const login = useCallback(
    async (token: string): Promise<string | null> => {
      if (!session) return null;
      const result = await session.login(token.trim());
      if (!result.ok) return result.error.message;
      queries.invalidateAll();
      setPhase({ kind: 'loading' });
      await boot();
      return null;
    },
    [session, queries, boot],
  );

  /** Opens the store (`remember`: in the OS keychain too); answers the error to show, or null once booting. */
  const unlock = useCallback(
    async (passphrase: string, remember: boolean): Promise<ErrorShape | null> => {
      const result = await store.unlock({ passphrase, remember });
      if (!result.ok) return result.error;
      queries.invalidateAll();
      setPhase({ kind: 'loading' });
      await boot();
      return null;
    },
    [store, queries, boot],
  );

  const logout = useCallback(async () => {
    await session?.logout();
    setPhase({ kind: 'login', notice: 'Logged out.' });
  }, [session]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      if (initialToken && session) {
        const result = await session.login(initialToken);
        if (cancelled) return;
        if (!result.ok) {
          setPhase({
            kind: 'login',
            notice: 'The token in the link was not accepted; paste the one printed by mcp-fleet serve.',
          });
          return;
        }
      }
      if (!cancelled) await boot();
    })();
    return () => {
      cancelled = true;
    };
  }, [initialToken, session, boot]);

  useEffect(
    () =>
      session?.onUnauthorized(() => {
        if (phaseRef.current.kind === 'ready')
          setPhase({ kind: 'login', notice: 'Your session ended; log in again.' });
      }),
    [session],
  );

  return { phase, login, logout, unlock, retry: boot };
}
