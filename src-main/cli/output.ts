/** Prints either machine-readable JSON or an aligned table for people. */
export interface Output {
  json: boolean;
  out: (text: string) => void;
}

export function printTable(
  o: Output,
  rows: Record<string, string>[],
  columns: string[],
  empty: string,
): void {
  if (rows.length === 0) {
    o.out(empty);
    return;
  }
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  o.out(line(columns.map((c) => c.toUpperCase())));
  for (const r of rows) o.out(line(columns.map((c) => r[c] ?? '')));
}

/** Secret values are never printed; this is what stands in for them. */
export const MASK = '••••';
