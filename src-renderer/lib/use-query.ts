import { useCallback, useState, useSyncExternalStore } from 'react';
import type { Channel, ChannelInput, ChannelOutput, Result } from '../../src-main/shared/contract';
import type { ErrorShape } from '../../src-main/shared/errors';
import { useApi } from './api-context';
import { call } from './call';
import { queryKey, type Domain, type QueryState } from './query-client';

const IDLE: QueryState<never> = { data: undefined, error: null, fetching: false };
const noSubscription = () => () => {};
const idle = () => IDLE;

/** Reads a channel through the shared cache; refetches when its domain changes. A null input reads nothing. */
export function useQuery<C extends Channel>(
  channel: C,
  input: ChannelInput<C> | null,
): QueryState<ChannelOutput<C>> {
  const { queries } = useApi();
  const key = input === null ? null : queryKey(channel, input);
  const subscribe = useCallback(
    (listener: () => void) => queries.subscribe(channel, input, listener),
    // The key stands for the input: a new object with the same content must not resubscribe.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [queries, key],
  );
  const snapshot = useCallback(() => queries.snapshot(channel, input as ChannelInput<C>), [queries, key]); // eslint-disable-line react-hooks/exhaustive-deps
  return useSyncExternalStore(key === null ? noSubscription : subscribe, key === null ? idle : snapshot);
}

export interface Mutation<C extends Channel> {
  run: (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;
  pending: boolean;
  error: ErrorShape | null;
  reset: () => void;
}

/** Calls a changing channel; on success marks the given domains stale without waiting for the event. */
export function useMutation<C extends Channel>(channel: C, domains: Domain[]): Mutation<C> {
  const { api, queries } = useApi();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ErrorShape | null>(null);
  // Callers pass a literal array each render; its content is what matters.
  const domainKey = domains.join();
  const run = useCallback(
    async (input: ChannelInput<C>) => {
      setPending(true);
      setError(null);
      const result = await call(api, channel, input).catch((): Result<ChannelOutput<C>> => ({
        ok: false,
        error: { code: 'unavailable', message: 'the request did not reach the MCP Fleet services' },
      }));
      setPending(false);
      if (!result.ok) setError(result.error);
      else if (domainKey !== '')
        for (const domain of domainKey.split(',') as Domain[]) queries.invalidate(domain);
      return result;
    },
    [api, queries, channel, domainKey],
  );
  const reset = useCallback(() => setError(null), []);
  return { run, pending, error, reset };
}
