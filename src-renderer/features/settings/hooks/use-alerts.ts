/**
 * The Alerts section over `alerts:list`, `alerts:add-webhook`, `alerts:remove-webhook` and `alerts:test`.
 * A raised alert (the `alerts:raised` event) and every change refetch the listing.
 */
import { useCallback, useEffect } from 'react';
import { useApi } from '../../../lib/api-context';
import { useMutation, useQuery } from '../../../lib/use-query';

const LIST_INPUT = { limit: 20 };

export function useAlerts() {
  const { api, queries } = useApi();
  const listing = useQuery('alerts:list', LIST_INPUT);
  const refetch = useCallback(() => void queries.fetch('alerts:list', LIST_INPUT), [queries]);
  useEffect(() => api.onAlertsRaised(refetch), [api, refetch]);
  return { listing, refetch };
}

export const useAddWebhook = () => useMutation('alerts:add-webhook', []);
export const useRemoveWebhook = () => useMutation('alerts:remove-webhook', []);
export const useTestWebhook = () => useMutation('alerts:test', []);
