/**
 * Reading a bridge's audit lines out of `docker logs --timestamps`. Everything here comes from a
 * container and is treated as hostile: a line that is not exactly a bridge audit line is not one.
 *
 * Only the bridge writes whole lines to the container's stdout. The server's stdout is the bridge's
 * JSON-RPC pipe, and the server's stderr reaches the log only inside the bridge's own `child_stderr`
 * lines, as an escaped string value; so a forged audit line printed by the server is never a line of
 * its own with a top-level `"event":"audit"`.
 */
import type { AuditCallRow } from '../store/audit-calls-repository';

/** Longer lines are not the bridge's audit lines (they carry names, never bodies). */
const MAX_LINE = 16_384;
const MAX = { member: 200, session: 100, method: 100, target: 1000, outcome: 40 } as const;
const CID = /^[A-Za-z0-9_-]{1,64}$/;
// A plausible UTC time: months, days, hours, minutes and seconds in range (what Date would accept).
const UTC_DAY_TIME = '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d';
const NORMAL_TS = new RegExp(`^${UTC_DAY_TIME}\\.\\d{9}Z$`);
const ISO_MS = new RegExp(`^${UTC_DAY_TIME}\\.\\d{3}Z$`);
const DOCKER_TS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
// C0 and C1 controls and DEL: nothing a name needs, and what a terminal or a spreadsheet would act on.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export type ParsedAuditCall = Omit<AuditCallRow, 'server' | 'instance' | 'at'> & { at: string | null };

/**
 * A docker timestamp (RFC 3339 with up to nine fractional digits) written out to exactly nine digits in
 * UTC, so that two of them compare as strings the way they compare as times; null if it is not one.
 */
export function normalizeDockerTs(text: string): string | null {
  // Docker writes UTC with nine digits already: such a stamp is its own normal form.
  if (text.length === 30 && NORMAL_TS.test(text)) return text;
  const m = DOCKER_TS.exec(text);
  if (!m?.[1]) return null;
  const seconds = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  if (!Number.isFinite(seconds)) return null;
  const whole = new Date(seconds).toISOString().slice(0, 19);
  return `${whole}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** Unix seconds to ask docker for lines `since`: the whole second of a normalized timestamp. */
export function sinceSeconds(ts: string): number {
  return Math.floor(Date.parse(`${ts.slice(0, 19)}Z`) / 1000);
}

/**
 * `since` for docker, to the microsecond, never after the normalized timestamp `ts` ("1764669600.123456"):
 * the lines of that microsecond come again and are passed over by the cursor's count, but a collection
 * no longer reads the cursor's whole second again.
 */
export function sinceText(ts: string): string {
  return `${sinceSeconds(ts)}.${ts.slice(20, 26)}`;
}

/** Splits `docker logs --timestamps` output's line into its normalized timestamp and the line itself. */
export function splitTimestamp(line: string): { ts: string; text: string } | null {
  const space = line.indexOf(' ');
  if (space < 0 || space > 40) return null;
  const ts = normalizeDockerTs(line.slice(0, space));
  return ts === null ? null : { ts, text: line.slice(space + 1) };
}

function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const cut = value.length > max ? value.slice(0, max) : value;
  return HAS_CONTROL.test(cut) ? cut.replace(CONTROLS, '\uFFFD') : cut;
}

/**
 * The call an audit line of the bridge describes, or null for any other line (other events, the
 * server's output, garbage). `at` is the bridge's own time of the line, null when it has none.
 */
export function parseAuditLine(line: string): ParsedAuditCall | null {
  // Most lines are other events: they are passed over without being parsed.
  if (line.length > MAX_LINE || !line.startsWith('{') || !line.includes('"event":"audit"')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (v.event !== 'audit' || v.level !== 'info') return null;
  const member = text(v.member, MAX.member);
  const method = text(v.method, MAX.method);
  const outcome = text(v.outcome, MAX.outcome);
  if (member === null || method === null || outcome === null) return null;
  // The bridge writes toISOString()'s form, which is already what the trail stores.
  const atText = typeof v.ts === 'string' && ISO_MS.test(v.ts) ? v.ts : null;
  const at = atText !== null ? 0 : typeof v.ts === 'string' ? Date.parse(v.ts) : NaN;
  const ms = typeof v.ms === 'number' && Number.isFinite(v.ms) && v.ms >= 0 ? v.ms : null;
  return {
    at: atText ?? (Number.isFinite(at) ? new Date(at).toISOString() : null),
    member,
    session: text(v.session, MAX.session),
    method,
    target: text(v.tool, MAX.target) ?? text(v.prompt, MAX.target) ?? text(v.uri, MAX.target),
    outcome,
    ms,
    correlationId: typeof v.cid === 'string' && CID.test(v.cid) ? v.cid : null,
  };
}

/** A docker timestamp (normalized) as the ISO time with milliseconds the trail stores. */
export function isoOfDockerTs(ts: string): string {
  return `${ts.slice(0, 23)}Z`;
}
