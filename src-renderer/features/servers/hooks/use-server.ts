import { useMutation, useQuery } from '../../../lib/use-query';

export const useServer = (name: string | null) => useQuery('servers:show', name === null ? null : { name });
export const useSetServer = () => useMutation('servers:set', ['servers']);
