/**
 * The Audit page over `audit:list`, `audit:usage` and `audit:collect`. The window ("last 24 hours") is
 * fixed when a filter changes or a collection ends, not at every render, so the query keys stay put.
 */
import { useCallback, useMemo, useState } from 'react';
import type { AuditCollected } from '../../../../src-main/shared/contract';
import { useApi } from '../../../lib/api-context';
import { useMutation, useQuery } from '../../../lib/use-query';
import { DEFAULT_FILTER, listInput, usageInput, type AuditFilter } from './audit-filter';

// Anything collected at all, whatever the filters: tells "nothing yet" from "nothing matches".
const ANY = { limit: 1 };

export function useAudit() {
  const { queries } = useApi();
  const [filter, setFilterState] = useState<AuditFilter>(DEFAULT_FILTER);
  const [now, setNow] = useState(() => Date.now());
  const setFilter = useCallback((patch: Partial<AuditFilter>) => {
    setFilterState((f) => ({ ...f, ...patch }));
    setNow(Date.now());
  }, []);
  const list = useMemo(() => listInput(filter, now), [filter, now]);
  const usage = useMemo(() => usageInput(filter, now), [filter, now]);
  const calls = useQuery('audit:list', list);
  const days = useQuery('audit:usage', usage.input);
  const any = useQuery('audit:list', ANY);

  const collectCall = useMutation('audit:collect', []);
  const runCollect = collectCall.run;
  const [collected, setCollected] = useState<AuditCollected | null>(null);
  const collect = useCallback(async () => {
    setCollected(null);
    const result = await runCollect({});
    if (!result.ok) return;
    setCollected(result.data);
    setNow(Date.now());
    void queries.fetch('audit:list', ANY);
  }, [runCollect, queries]);

  return {
    filter,
    setFilter,
    now,
    list,
    calls,
    usage: { ...days, since: usage.input.since, tool: usage.input.tool, clamped: usage.clamped },
    nothingCollected: any.data !== undefined && any.data.length === 0,
    collect,
    collecting: collectCall.pending,
    collectError: collectCall.error,
    collected,
  };
}
