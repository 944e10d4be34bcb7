/**
 * The pieces of swapping the file under an open store (a restore, a passphrase change): hold every other
 * connection off, copy privately, and re-encrypt or migrate a private copy before it goes in.
 */
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  openSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../../shared/errors';
import { BUSY_TIMEOUT_MS, openEncrypted, type Db } from './database';
import { applyMigrations } from './migrations';

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export function inUseError(path: string): FleetError {
  return new FleetError(
    'conflict',
    `the store at ${path} is open in another process (the desktop app, web mode or another mcp-fleet command); close it and try again`,
  );
}

/**
 * Makes `db` the only connection to its file and keeps it so: leaving WAL mode succeeds only when no other
 * connection (of any process) has the file open, and folds the -wal into the file; BEGIN EXCLUSIVE then
 * holds off anyone who opens it from now on. Undo with releaseHold. Throws inUseError otherwise, changing nothing.
 */
export function holdExclusively(db: Db, path: string): void {
  // Answer at once rather than block the process for the busy timeout.
  db.pragma('busy_timeout = 0');
  try {
    let mode: unknown = null;
    try {
      mode = db.pragma('journal_mode = DELETE', { simple: true });
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
    if (mode !== 'delete') throw inUseError(path);
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.pragma('journal_mode = WAL');
      throw isBusy(err) ? inUseError(path) : err;
    }
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/** What a swap cut short by a crash leaves: a private copy, never the store. Removed under the hold. */
const LEFTOVER = /^fleet\.db\.[0-9a-f]{8}\.incoming(-journal)?$/;

export function removeLeftovers(home: string): void {
  for (const name of readdirSync(home)) if (LEFTOVER.test(name)) rmSync(join(home, name), { force: true });
}

/** Ends a hold on a connection that goes on with its file: back to WAL, as openEncrypted left it. */
export function releaseHold(db: Db): void {
  if (db.inTransaction) db.exec('ROLLBACK');
  db.pragma('journal_mode = WAL');
}

export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Fsyncs a directory so a rename in it survives a crash; a no-op where directories cannot be opened (Windows). */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  fsyncFile(dir);
}

/** Copies `from` to a new file `to` with mode 0600, synced. */
export function copyPrivate(from: string, to: string): void {
  copyFileSync(from, to, constants.COPYFILE_EXCL);
  chmodSync(to, 0o600);
  fsyncFile(to);
}

/**
 * Rewrites the private store copy at `path` (not in use by anyone) from key `from` to key `to`, and brings
 * its schema up to date. SQLite's own journal makes each step whole; the caller verifies the result.
 */
export function rewriteCopy(path: string, from: Buffer, to: Buffer): void {
  const db = openEncrypted(path, from, { wal: false });
  try {
    if (!from.equals(to)) db.pragma(`rekey="x'${to.toString('hex')}'"`);
    applyMigrations(db);
  } finally {
    db.close();
  }
}
