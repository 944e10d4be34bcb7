import { useMutation, useQuery } from '../../../lib/use-query';

export const useHosts = () => useQuery('hosts:list', {});
export const useAddHost = () => useMutation('hosts:add', ['hosts']);
export const useRemoveHost = () => useMutation('hosts:remove', ['hosts']);
