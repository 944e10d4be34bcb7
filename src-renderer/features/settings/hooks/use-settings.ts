/**
 * The Settings page over `settings:get`, `settings:set` and `settings:unset`: one scope at a time (the
 * fleet, or one host). A change marks the hosts domain stale, which refetches every settings listing.
 */
import { useMutation, useQuery } from '../../../lib/use-query';

/** The fleet's listing for null, else that host's. */
export const useSettings = (host: string | null) => useQuery('settings:get', host === null ? {} : { host });
export const useSetSetting = () => useMutation('settings:set', ['hosts']);
export const useUnsetSetting = () => useMutation('settings:unset', ['hosts']);
