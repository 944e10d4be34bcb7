import { readFileSync } from 'node:fs';

/**
 * The soft limit on open file descriptors ("Max open files" in /proc/self/limits), or undefined where
 * that cannot be read. Node has no getrlimit; this is the one place Linux tells it.
 */
export function fdSoftLimit(path = '/proc/self/limits'): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (!match?.[1] || match[1] === 'unlimited') return undefined;
  return Number(match[1]);
}

/** Descriptors kept out of the connection budget: Node's own, the child's pipes across a restart, files read at start. */
export const FD_RESERVE = 64;

/**
 * The default connection cap: 512, or half the descriptor limit when that is lower, so that a
 * connection flood leaves room to restart the child and open files (the EMFILE of issue 12).
 */
export function defaultMaxConnections(softLimit: number | undefined): number {
  if (softLimit === undefined) return 512;
  return Math.max(16, Math.min(512, Math.floor(softLimit / 2)));
}
