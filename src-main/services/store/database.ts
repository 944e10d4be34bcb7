import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { FleetError } from '../../shared/errors';

export type Db = Database.Database;

export const STORE_FILE = 'fleet.db';

export const BUSY_TIMEOUT_MS = 5000;

/** Creates the data folder (0700) if it is missing; an existing folder keeps the mode its owner chose. */
export function ensureHome(home: string): void {
  if (!existsSync(home)) mkdirSync(home, { recursive: true, mode: 0o700 });
}

/** Creates an empty database file with mode 0600 so SQLite (and its -wal/-shm, which copy the mode) never widens it. */
export function ensureDbFile(path: string): void {
  if (existsSync(path)) return;
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

export function lockedError(path: string): FleetError {
  return new FleetError(
    'store_locked',
    `cannot open the store at ${path}: wrong passphrase or key (check MCP_FLEET_PASSPHRASE), or the file is not an MCP Fleet store`,
  );
}

function isNotADatabase(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT';
}

/**
 * Opens `path` encrypted with the raw 32-byte `key` and proves the key with a real read.
 * Nothing that writes (journal mode, migrations) runs before that read succeeds, so a wrong key leaves
 * the file as it was. Throws FleetError('store_locked') for a wrong key or a file that is not a store.
 */
export function openEncrypted(
  path: string,
  key: Buffer,
  opts: {
    readonly?: boolean;
    /** false: keep the file's journal mode (for a private copy about to be rewritten). */
    wal?: boolean;
  } = {},
): Db {
  if (key.length !== 32) throw new FleetError('internal', 'the store key must be 32 bytes');
  // A restore or passphrase change renames a new file over this one while it holds the old one locked;
  // a connection that waited on that lock has the old file and must not write a -wal beside the new one.
  const inode = fileId(path);
  let db: Db;
  try {
    db = new Database(path, {
      readonly: opts.readonly ?? false,
      fileMustExist: true,
      timeout: BUSY_TIMEOUT_MS,
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : 'unknown error';
    throw new FleetError('unavailable', `cannot open the store at ${path} (${reason})`, { cause: err });
  }
  try {
    db.pragma("cipher='sqlcipher'");
    db.pragma(`key="x'${key.toString('hex')}'"`);
    // PRAGMA key always succeeds; only reading a page tells whether the key decrypts the file.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    db.close();
    if (isNotADatabase(err)) throw lockedError(path);
    throw new FleetError('unavailable', `cannot read the store at ${path}`, { cause: err });
  }
  if (fileId(path) !== inode) {
    db.close();
    throw new FleetError(
      'unavailable',
      `the store at ${path} was replaced while it was being opened (a restore or passphrase change); try again`,
    );
  }
  if (!opts.readonly) {
    if (opts.wal ?? true) db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before it returns, so a crash right after loses nothing committed.
    db.pragma('synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  // Sorts and temp tables stay in memory: SQLite's temp files would otherwise hold decrypted rows.
  db.pragma('temp_store = MEMORY');
  return db;
}

function fileId(path: string): string | null {
  const st = statSync(path, { throwIfNoEntry: false, bigint: true });
  return st ? `${st.dev}:${st.ino}` : null;
}

/** True when a SQLite error is a UNIQUE or PRIMARY KEY violation. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Runs `fn`, turning a UNIQUE violation into FleetError('conflict'). `message` may pick its sentence
 * from SQLite's text, which names the columns ("UNIQUE constraint failed: members.token_sha256").
 */
export function uniqueOr<T>(message: string | ((sqliteText: string) => string), fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const text = err instanceof Error ? err.message : '';
    throw new FleetError('conflict', typeof message === 'string' ? message : message(text));
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
