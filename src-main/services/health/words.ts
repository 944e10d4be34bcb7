/** Small wording helpers for health reasons, so every sentence reads the same way. */

const COUNT_WORDS = ['never', 'once', 'twice', 'three times', 'four times', 'five times'];

/** 1 → "once", 3 → "three times", 12 → "12 times". */
export function times(n: number): string {
  return COUNT_WORDS[n] ?? `${n} times`;
}

/** A span for people: "40 s", "2 minutes", "3 hours", "2 days". */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (s < 3600) return plural(Math.ceil(s / 60), 'minute');
  if (s < 86_400) return plural(Math.round(s / 3600), 'hour');
  return plural(Math.round(s / 86_400), 'day');
}

/** Milliseconds as "850 ms" or "1.8 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(Math.round(ms / 100) / 10).toString()} s`;
}

/** How a process ended: "with code 1", "on SIGKILL", "(spawn ENOENT)". */
export function exitWords(exit: {
  code: number | null;
  signal: string | null;
  error?: string | undefined;
}): string {
  if (exit.error) return `(${exit.error})`;
  if (exit.signal) return `on ${exit.signal}`;
  if (exit.code !== null) return `with code ${exit.code}`;
  return '';
}
