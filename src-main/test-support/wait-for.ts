/**
 * The one polling helper of the tests and fixtures: what they wait for (a bridge to answer, a Swarm to
 * settle, a socket to appear) happens on its own time, so they ask again until it has happened or a
 * deadline passes, and never sleep a fixed while instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';

export interface WaitOptions {
  /** How long to keep asking before failing. */
  timeoutMs: number;
  /** The pause between two asks. */
  intervalMs?: number;
  /** What is awaited, for the error: "the bridge on :8123 to answer /readyz". */
  what: string;
}

/** Thrown by a check to end the wait at once: what is awaited can no longer happen (its process died). */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

/**
 * Calls `check` until it returns something other than undefined, null or false, and resolves to that.
 * A check that throws is asked again, except with GiveUp, which is rethrown at once. Throws an Error
 * naming `what` and the last error or value once `timeoutMs` has passed; a check is always asked at
 * least once, and one that never settles is not cut off.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs, intervalMs = 50, what }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { error: unknown } | { value: unknown };
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      last = { value };
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = { error };
    }
    if (Date.now() >= deadline) {
      const detail =
        'error' in last
          ? `last error: ${last.error instanceof Error ? last.error.message : inspect(last.error)}`
          : `last value: ${inspect(last.value)}`;
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (${detail})`,
        'error' in last ? { cause: last.error } : undefined,
      );
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
