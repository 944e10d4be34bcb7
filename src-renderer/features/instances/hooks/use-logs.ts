/**
 * An instance's log tail. The contract has no log stream, so "follow" re-reads the tail every couple of
 * seconds while it is on (and stops when the page goes); without follow it reads once, or on demand.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Result } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { useApi } from '../../../lib/api-context';
import { call } from '../../../lib/call';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

const FOLLOW_EVERY_MS = 2000;

export function useLogs(name: string, host: string, tail: number, follow: boolean) {
  const { api } = useApi();
  const [lines, setLines] = useState<LogLine[] | null>(null);
  const [error, setError] = useState<ErrorShape | null>(null);
  const [loading, setLoading] = useState(false);
  const inFlight = useRef(false);

  const read = useCallback(async (): Promise<Result<LogLine[]> | null> => {
    // One read at a time: a slow host must not pile up requests while following.
    if (inFlight.current) return null;
    inFlight.current = true;
    try {
      return await call(api, 'instances:logs', { name, host, tail });
    } finally {
      inFlight.current = false;
    }
  }, [api, name, host, tail]);

  const apply = useCallback((result: Result<LogLine[]> | null) => {
    if (result === null) return;
    if (result.ok) {
      setLines(result.data);
      setError(null);
    } else setError(result.error);
  }, []);

  useEffect(() => {
    let live = true;
    const tick = () => void read().then((result) => live && apply(result));
    tick();
    const timer = follow ? setInterval(tick, FOLLOW_EVERY_MS) : null;
    return () => {
      live = false;
      if (timer !== null) clearInterval(timer);
    };
  }, [read, apply, follow]);

  const reload = useCallback(async () => {
    setLoading(true);
    apply(await read());
    setLoading(false);
  }, [read, apply]);

  return { lines, error, loading, reload };
}
