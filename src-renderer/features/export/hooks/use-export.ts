/**
 * Renders an export whenever its options change. Not a cached query: every render is an export the
 * services record in the audit log, so it runs only when the operator asks for another one.
 */
import { useEffect, useState } from 'react';
import type { ExportRenderInput, ExportResult } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { useApi } from '../../../lib/api-context';
import { call } from '../../../lib/call';

export interface ExportState {
  result: ExportResult | null;
  error: ErrorShape | null;
  pending: boolean;
}

interface Answered {
  key: string;
  result: ExportResult | null;
  error: ErrorShape | null;
}

export function useExport(input: ExportRenderInput | null): ExportState {
  const { api } = useApi();
  const [answered, setAnswered] = useState<Answered | null>(null);
  const key = input === null ? null : JSON.stringify(input);

  useEffect(() => {
    if (key === null) return;
    let current = true;
    void call(api, 'export:render', JSON.parse(key) as ExportRenderInput).then((answer) => {
      // A newer choice replaced this one while it ran: its answer must not overwrite the newer one.
      if (!current) return;
      setAnswered(
        answer.ok ? { key, result: answer.data, error: null } : { key, result: null, error: answer.error },
      );
    });
    return () => {
      current = false;
    };
  }, [api, key]);

  // The previous answer stays on screen while the next renders, so the panel does not jump.
  return {
    result: answered?.result ?? null,
    error: answered?.error ?? null,
    pending: key !== null && answered?.key !== key,
  };
}
