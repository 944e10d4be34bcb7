/**
 * The audit trail's retention and forwarding over `audit:settings`, `audit:configure`, `audit:forward`
 * and `audit:forwarding`. The app also forwards on its own schedule, so the status is fetched again
 * whenever the section opens, after every change and after every Forward now.
 */
import { useCallback, useEffect } from 'react';
import { useApi } from '../../../lib/api-context';
import { useMutation, useQuery } from '../../../lib/use-query';

const NOTHING = {};

export function useAuditForwarding() {
  const { queries } = useApi();
  const settings = useQuery('audit:settings', NOTHING);
  const status = useQuery('audit:forwarding', NOTHING);
  const refetch = useCallback(() => {
    void queries.fetch('audit:settings', NOTHING);
    void queries.fetch('audit:forwarding', NOTHING);
  }, [queries]);
  useEffect(refetch, [refetch]);
  return { settings, status, refetch };
}

export const useConfigureAudit = () => useMutation('audit:configure', []);
export const useForwardAudit = () => useMutation('audit:forward', []);
