import { useMutation, useQuery } from '../../../lib/use-query';

export const useMembers = (server: string | null) =>
  useQuery('members:list', server === null ? null : { server });
export const useAddMember = () => useMutation('members:add', ['members']);
export const useSetMember = () => useMutation('members:set', ['members']);
export const useRemoveMember = () => useMutation('members:remove', ['members']);
/** Writes a file on the machine running the services; nothing in the store changes. */
export const useInstallClient = () => useMutation('clients:install', []);
