import { useEffect, useSyncExternalStore } from 'react';
import type { ConnectionState } from '../../../lib/event-stream';
import type { ApiContextValue } from '../../../lib/api-context';

/** Keeps the query cache fresh: store events mark their domain stale, a reconnect refetches everything. */
export function useLiveUpdates({ api, queries, session }: ApiContextValue): void {
  useEffect(() => api.onStoreChanged(({ domain }) => queries.invalidate(domain)), [api, queries]);
  useEffect(() => api.onHealthChanged(() => queries.invalidate('health')), [api, queries]);
  useEffect(() => session?.onResync(() => queries.invalidateAll()), [session, queries]);
}

const alwaysLive = () => () => {};
const live = (): ConnectionState => 'live';

/** The event connection's state; IPC is always live. */
export function useConnectionState({ session }: ApiContextValue): ConnectionState {
  return useSyncExternalStore(
    session ? session.onConnection : alwaysLive,
    session ? session.connection : live,
  );
}
