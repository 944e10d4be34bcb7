/**
 * The version an npx/uvx package would be pinned to, asked of the registry (registry:resolve) once the
 * operator stops typing the package and while the version field is empty. The answer stays in the query
 * cache, so typing the same package again asks nobody.
 */
import { useEffect, useState } from 'react';
import type { ResolvedSource, ServerSource } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { useQuery } from '../../../lib/use-query';

const SETTLE_MS = 400;

export type VersionLookup =
  | { state: 'idle' }
  | { state: 'pending'; key: string }
  | { state: 'found'; key: string; pin: NonNullable<ResolvedSource['pinned']> }
  | { state: 'failed'; key: string; error: ErrorShape };

/** The package as the lookup keys it: kind and name, or null when there is nothing to look up. */
export function lookupKey(kind: ServerSource['kind'], value: string, version: string): string | null {
  const name = value.trim();
  if (kind !== 'npx' && kind !== 'uvx') return null;
  if (name === '' || version.trim() !== '' || /\s/.test(name)) return null;
  // A version in the package itself (pkg@1.2.3, @scope/pkg@1, pkg==1.0) is the operator's choice.
  if (/@/.test(name.slice(1)) || name.includes('==')) return null;
  return `${kind} ${name}`;
}

export function useVersionLookup(kind: ServerSource['kind'], value: string, version: string): VersionLookup {
  const key = lookupKey(kind, value, version);
  const [settled, setSettled] = useState<string | null>(key);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(key), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [key]);
  const asked = settled !== null && settled === key && (kind === 'npx' || kind === 'uvx');
  const query = useQuery('registry:resolve', asked ? { kind, value: value.trim() } : null);
  if (key === null) return { state: 'idle' };
  if (!asked) return { state: 'pending', key };
  if (query.data?.pinned) return { state: 'found', key, pin: query.data.pinned };
  if (query.error && !query.fetching) return { state: 'failed', key, error: query.error };
  return { state: 'pending', key };
}
