/**
 * Progress of a long operation (deploy, member add, update, rotation): the caller passes `streamId` to
 * the channel and the services send `deploy:progress` lines under that id while it runs.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '../../../lib/api-context';

function newStreamId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface Progress {
  lines: string[];
  /** A fresh stream id; lines of earlier ones are dropped. */
  begin: () => string;
  clear: () => void;
}

export function useProgress(): Progress {
  const { api } = useApi();
  const [lines, setLines] = useState<string[]>([]);
  const current = useRef<string | null>(null);

  useEffect(
    () =>
      api.onDeployProgress(({ streamId, line }) => {
        if (streamId === current.current) setLines((old) => [...old, line]);
      }),
    [api],
  );

  const begin = useCallback(() => {
    const id = newStreamId();
    current.current = id;
    setLines([]);
    return id;
  }, []);
  const clear = useCallback(() => {
    current.current = null;
    setLines([]);
  }, []);
  return { lines, begin, clear };
}
