/**
 * The Audit page's filters as the operator sets them, and their translation into the contract's
 * `audit:list` and `audit:usage` inputs: the same filters as `mcp-fleet audit`.
 */
import {
  AUDIT_USAGE_MAX_DAYS,
  type AuditListInput,
  type AuditUsageInput,
} from '../../../../src-main/shared/contract';

export const SINCE_SPANS = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};
export type SinceChoice = keyof typeof SINCE_SPANS | 'date';
export const LIMITS = [100, 1000, 5000] as const;
const DAY_MS = 86_400_000;

export interface AuditFilter {
  server: string;
  member: string;
  tool: string;
  since: SinceChoice;
  /** YYYY-MM-DD (UTC) when `since` is "date". */
  date: string;
  limit: number;
}

export const DEFAULT_FILTER: AuditFilter = {
  server: '',
  member: '',
  tool: '',
  since: '24h',
  date: '',
  limit: 1000,
};

/** The start of the window as ISO, or null for a missing or impossible date (then: no lower bound). */
export function sinceIso(filter: AuditFilter, now: number): string | null {
  if (filter.since !== 'date') return new Date(now - SINCE_SPANS[filter.since]).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(filter.date)) return null;
  const at = Date.parse(`${filter.date}T00:00:00Z`);
  return Number.isFinite(at) ? new Date(at).toISOString() : null;
}

const text = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());

export function listInput(filter: AuditFilter, now: number): AuditListInput {
  const input: AuditListInput = { limit: filter.limit };
  const server = text(filter.server);
  const member = text(filter.member);
  const tool = text(filter.tool);
  const since = sinceIso(filter, now);
  if (server !== undefined) input.server = server;
  if (member !== undefined) input.member = member;
  if (tool !== undefined) input.tool = tool;
  if (since !== null) input.since = since;
  return input;
}

/**
 * The chart's input: the same window and filters, cut to the last 90 days (`clamped` then says so). The
 * chart counts every call of the window, whatever the table's row limit.
 */
export function usageInput(filter: AuditFilter, now: number): { input: AuditUsageInput; clamped: boolean } {
  const floor = now - (AUDIT_USAGE_MAX_DAYS - 1) * DAY_MS;
  const wanted = sinceIso(filter, now);
  const at = wanted === null ? floor : Math.max(Date.parse(wanted), floor);
  const input: AuditUsageInput = { since: new Date(at).toISOString() };
  const server = text(filter.server);
  const member = text(filter.member);
  const tool = text(filter.tool);
  if (server !== undefined) input.server = server;
  if (member !== undefined) input.member = member;
  if (tool !== undefined) input.tool = tool;
  return { input, clamped: wanted === null || Date.parse(wanted) < floor };
}

/** Every UTC day from the day of `since` to the day of `now`, as YYYY-MM-DD. */
export function daysBetween(since: string, now: number): string[] {
  const days: string[] = [];
  const start = Date.parse(`${since.slice(0, 10)}T00:00:00Z`);
  for (let t = start; t <= now && days.length <= AUDIT_USAGE_MAX_DAYS; t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
