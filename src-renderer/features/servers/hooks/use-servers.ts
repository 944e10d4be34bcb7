import { useMutation, useQuery } from '../../../lib/use-query';

export const useServers = () => useQuery('servers:list', {});
export const useAddServer = () => useMutation('servers:add', ['servers']);
export const useRemoveServer = () => useMutation('servers:remove', ['servers']);
/** Each npx/uvx server's pinned version beside its registry's latest; the main process caches the answers. */
export const useServerVersions = () => useQuery('servers:versions', {});
