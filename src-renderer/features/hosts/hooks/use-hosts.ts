import { useMutation, useQuery } from '../../../lib/use-query';

export const useHosts = () => useQuery('hosts:list', {});
export const useAddHost = () => useMutation('hosts:add', ['hosts']);
export const useRemoveHost = () => useMutation('hosts:remove', ['hosts']);
/** hosts set: may log in first (and pin a key), so like a check it runs only when asked. */
export const useSetHost = () => useMutation('hosts:set', ['hosts']);
/** A check connects (and pins the host key on first use), so it runs when asked, never from the cache. */
export const useCheckHost = () => useMutation('hosts:check', ['hosts']);
