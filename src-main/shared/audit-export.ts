/**
 * The audit trail as CSV (RFC 4180) and JSON Lines. Names in it came from containers: a member or tool
 * name may hold commas, quotes, line breaks, or start with "=" so a spreadsheet would run it as a
 * formula. CSV quotes what needs it and neutralises such a start; JSON escapes everything already.
 */
import type { AuditCallView } from './contract';

export const CSV_COLUMNS = [
  'at',
  'server',
  'instance',
  'member',
  'session',
  'method',
  'target',
  'outcome',
  'ms',
  'correlation_id',
] as const;

// What spreadsheets read as the start of a formula (OWASP's list): such a cell gets a leading "'".
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: formula starts neutralised, quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let cell = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && FORMULA_START.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** The calls as CSV with a header line; lines end in CRLF as RFC 4180 has it. */
export function auditCsv(calls: readonly AuditCallView[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const c of calls) {
    const cells = [
      c.at,
      c.server,
      c.instance,
      c.member,
      c.session,
      c.method,
      c.target,
      c.outcome,
      c.ms,
      c.correlationId,
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** The calls as JSON Lines, one object per call. */
export function auditJsonLines(calls: readonly AuditCallView[]): string {
  return calls.map((c) => JSON.stringify(c) + '\n').join('');
}
