/**
 * A lock shared by every process on this machine that opens the same data folder: the desktop app,
 * web mode and the CLI may each deploy the same server, and two deploys of one server at once would
 * race for its container names and ports. The lock is a file linked into place (link(2) fails when it
 * exists), holding its owner's pid; one whose owner is gone (a killed CLI) is taken over.
 */
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../../shared/errors';

export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  what: string;
  /** Tells apart two takers in one process that start in the same millisecond. */
  nonce?: string;
}

export interface AcquireOptions {
  /** Said once when the lock is held by another live process. */
  onWait?: (holder: LockHolder) => void;
  /** How long to wait for it at most. */
  timeoutMs?: number;
  pollMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export class FileLocks {
  constructor(private readonly dir: string) {}

  /** Waits for the lock `key` and takes it; resolves to its release. Throws FleetError('conflict') on timeout. */
  async acquire(key: string, what: string, options: AcquireOptions = {}): Promise<() => Promise<void>> {
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new FleetError('internal', `bad lock name "${key}"`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, `${key}.lock`);
    const mine: LockHolder = {
      pid: process.pid,
      hostname: os.hostname(),
      startedAt: new Date().toISOString(),
      what,
      nonce: randomUUID(),
    };
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let told = false;
    for (;;) {
      if (await createExclusive(file, JSON.stringify(mine))) {
        return async () => {
          // Only its own lock: one taken over after this process was presumed gone stays.
          const now = await readHolder(file);
          if (now?.nonce === mine.nonce) await unlink(file).catch(() => {});
        };
      }
      const holder = await readHolder(file);
      if (holder === null || isGone(holder)) {
        // Unreadable or its owner is gone: take it over.
        await takeOver(file, holder);
        continue;
      }
      if (Date.now() > deadline) {
        throw new FleetError(
          'conflict',
          `${holder.what} (pid ${holder.pid}, since ${holder.startedAt}) still holds ${key}; try again later`,
        );
      }
      if (!told) {
        options.onWait?.(holder);
        told = true;
      }
      await sleep(options.pollMs ?? 250);
    }
  }
}

/**
 * Moves a dead holder's lock aside. Another waiter may have replaced it with its own meanwhile: that
 * one is put back, so two waiters that both saw the dead lock never both hold it.
 */
async function takeOver(file: string, seen: LockHolder | null): Promise<void> {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch {
    return;
  }
  const moved = await readHolder(aside);
  if (
    moved !== null &&
    (moved.pid !== seen?.pid || moved.startedAt !== seen.startedAt || moved.nonce !== seen.nonce)
  ) {
    await link(aside, file).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}

/**
 * Runs fn holding the lock `key` (without `locks`, as it is); `onWait` hears once, in a sentence, whom
 * it waits for.
 */
export async function withFileLock<T>(
  locks: FileLocks | undefined,
  key: string,
  what: string,
  fn: () => Promise<T>,
  onWait?: (line: string) => void,
): Promise<T> {
  if (!locks) return fn();
  const release = await locks.acquire(key, what, {
    onWait: (holder) =>
      onWait?.(`waiting for ${holder.what} by process ${holder.pid} (since ${holder.startedAt}) to finish`),
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Links a complete file into place, so a reader never sees a half-written lock. The temporary name is
 * unique per call: two takers in one process sharing it would write into one inode, and the winner's
 * lock would carry the loser's identity, so neither could ever release it.
 */
async function createExclusive(file: string, content: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

async function readHolder(file: string): Promise<LockHolder | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return null;
    return {
      pid: parsed.pid,
      hostname: parsed.hostname,
      startedAt: String(parsed.startedAt ?? ''),
      what: String(parsed.what ?? 'another process'),
      ...(typeof parsed.nonce === 'string' ? { nonce: parsed.nonce } : {}),
    };
  } catch {
    return null;
  }
}

/** True when the holder's process no longer runs (checked only for this machine's processes). */
function isGone(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
