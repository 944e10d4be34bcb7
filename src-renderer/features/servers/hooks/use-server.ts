import { useQuery } from '../../../lib/use-query';

export const useServer = (name: string | null) => useQuery('servers:show', name === null ? null : { name });
