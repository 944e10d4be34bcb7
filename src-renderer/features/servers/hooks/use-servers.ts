import { useMutation, useQuery } from '../../../lib/use-query';

export const useServers = () => useQuery('servers:list', {});
export const useAddServer = () => useMutation('servers:add', ['servers']);
export const useRemoveServer = () => useMutation('servers:remove', ['servers']);
