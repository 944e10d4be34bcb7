import { useMemo } from 'react';
import type { InstanceHealth } from '../../../../src-main/shared/contract';
import { useMutation, useQuery } from '../../../lib/use-query';

/** Every stored instance with its health, from the monitor: cheap, and refreshed by health:changed. */
export const useHealthSummary = () => useQuery('health:summary', {});
export const useHealthHistory = (instanceId: string) => useQuery('health:history', { instanceId });
/** Instances as the hosts report them (drift, tools): reads every host, so used where it is needed. */
export const useInstanceList = (server?: string) =>
  useQuery('instances:list', server === undefined ? {} : { server });

export const useRestartInstance = () => useMutation('instances:restart', ['instances']);
export const useStopInstance = () => useMutation('instances:stop', ['instances']);
export const useRemoveInstance = () => useMutation('instances:remove', ['instances']);
export const useRedeploy = () => useMutation('deploy:run', ['instances', 'servers']);
export const useRotateSecret = () => useMutation('secrets:rotate', ['members', 'instances']);
export const usePauseHealth = () => useMutation('health:pause', ['health']);

/** Instances per host name. */
export function useInstanceCountsByHost(instances: readonly InstanceHealth[] | undefined) {
  return useMemo(() => {
    if (!instances) return undefined;
    const counts = new Map<string, number>();
    for (const i of instances) counts.set(i.host, (counts.get(i.host) ?? 0) + 1);
    return counts;
  }, [instances]);
}
