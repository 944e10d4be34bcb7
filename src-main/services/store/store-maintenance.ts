/**
 * Backup, restore and passphrase change of the open store, for the CLI (`mcp-fleet store ...`) and the
 * UI's Store page alike. Restore and passphrase change swap the file under the open Store (replaceFile),
 * so the process that runs them goes on without reopening; another process holding the store makes them
 * refuse. The salt and scrypt parameters in store.json stay as they are: a passphrase change is then one
 * rename of a re-keyed copy over fleet.db, and every older backup still derives its key from its passphrase.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MIN_NEW_PASSPHRASE } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { exists, extractStore, readBackupFile, writeBackupFile, type BackupFile } from './backup-file';
import { ensureHome, nowIso, openEncrypted } from './database';
import { copyPrivate, rewriteCopy } from './file-swap';
import { KEYCHAIN_FILE } from './keychain-key';
import { deriveKey, loadKdfSettings, type KdfSettings } from './key-providers';
import { verifyCopy, type Store } from './store';

export interface BackupWritten {
  path: string;
  bytes: number;
  schema: number;
  createdAt: string;
}

export interface RestoreOptions {
  /** How the file is named in messages and the audit log (an upload's name); the path by default. */
  label?: string;
  /** The store's current passphrase, when known (the CLI): tried on a backup from a store with other key settings. */
  current?: string;
  /** The passphrase the backup was made under, when it is not the store's current one. */
  backup?: string;
  /** Asked when nothing given opens the backup; `why` says which passphrase is needed. Null: give up. */
  ask?: (why: string) => Promise<string | null>;
}

export interface Restored {
  /** The store as it was before, kept beside fleet.db; it opens with the current passphrase. */
  previous: string;
  schema: number;
  /** When the backup was made; null for a bare store file, which does not say. */
  createdAt: string | null;
  /** True when the backup was made under another passphrase and was re-keyed to the current one. */
  rekeyed: boolean;
}

export interface PassphraseChanged {
  /** The desktop app's remembered key (key.keychain) was removed: the app asks for the new passphrase. */
  keychainForgotten: string | null;
}

/** Files of the data directory a backup must never replace (or be restored from). */
const OWN_FILES = ['fleet.db', 'store.json', KEYCHAIN_FILE];

const sameSettings = (a: KdfSettings, b: KdfSettings): boolean =>
  a.salt === b.salt && a.N === b.N && a.r === b.r && a.p === b.p;

function keyOpens(path: string, key: Buffer): boolean {
  try {
    openEncrypted(path, key, { readonly: true }).close();
    return true;
  } catch (err) {
    if (err instanceof FleetError && err.code === 'store_locked') return false;
    throw err;
  }
}

/** Why no key at hand opens `file`, naming the passphrase it needs. */
function needsPassphrase(
  file: BackupFile,
  label: string,
  current: KdfSettings,
  triedBackup: boolean,
): string {
  const made = file.header ? ` (made ${file.header.createdAt})` : '';
  const tried = triedBackup ? '; the backup passphrase given does not open it either' : '';
  if (!file.header) {
    return (
      `${label} does not open with this store's key${tried}: it is not an MCP Fleet store or backup, or a bare store ` +
      'file from another store; a bare file from this store made before a passphrase change needs the passphrase it was made under'
    );
  }
  if (sameSettings(file.header.settings, current)) {
    return `${label}${made} was made under another passphrase of this store (before a passphrase change); it needs that passphrase${tried}`;
  }
  return `${label}${made} comes from another store (or this one set up anew); it needs the passphrase that store had then${tried}`;
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

export class StoreMaintenance {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly actor: string,
  ) {}

  /**
   * Writes a backup to `dest` (mode 0600): a consistent copy even while other processes write, encrypted
   * with the store's key, with the key settings it needs. Throws FleetError('conflict') when `dest`
   * exists and `force` is not set.
   */
  backup(dest: string, force = false): Promise<BackupWritten> {
    return this.serially(async () => {
      const path = resolve(dest);
      const home = this.store.home;
      if (dirname(path) === home && OWN_FILES.some((f) => basename(path).startsWith(f))) {
        throw new FleetError(
          'invalid_input',
          `${path} is one of the store's own files; write the backup elsewhere`,
        );
      }
      if (!force && existsSync(path)) throw exists(path);
      ensureHome(dirname(path));
      const raw = `${path}.${randomBytes(4).toString('hex')}.store`;
      try {
        await this.store.backup(raw);
        const schema = this.store.schemaVersion();
        const createdAt = nowIso();
        writeBackupFile(raw, { settings: loadKdfSettings(home), schema, createdAt }, path, force);
        return { path, bytes: statSync(path).size, schema, createdAt };
      } finally {
        rmSync(raw, { force: true });
      }
    });
  }

  /** A backup as bytes, for the UI to download, and a file name to offer. */
  async backupBytes(): Promise<{ fileName: string; data: Buffer; schema: number; createdAt: string }> {
    const tmp = join(this.store.home, `backup-${randomBytes(4).toString('hex')}.download`);
    try {
      const written = await this.backup(tmp);
      return {
        fileName: `mcp-fleet-${stamp().slice(0, 19)}.fleet-backup`,
        data: readFileSync(tmp),
        schema: written.schema,
        createdAt: written.createdAt,
      };
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /**
   * Replaces the store with the backup at `from`. The backup opens with this store's key, or with a
   * passphrase it was made under (then it is re-keyed, so the store keeps its current passphrase and the
   * desktop app's remembered key). The current store is kept beside it as fleet.db.before-restore-<time>.
   * Throws FleetError, changing nothing: not_found, invalid_input (not a backup, truncated, damaged),
   * store_locked (no passphrase given opens it: the message says which one it needs), conflict (in use).
   */
  restore(from: string, opts: RestoreOptions = {}): Promise<Restored> {
    return this.serially(async () => {
      const path = resolve(from);
      const label = opts.label ?? path;
      if (path === this.store.path)
        throw new FleetError('invalid_input', `${path} is the store itself, not a backup`);
      const file = readBackupFile(path);
      const incoming = `${this.store.path}.${randomBytes(4).toString('hex')}.restore`;
      try {
        extractStore(file, incoming);
        const key = await this.keyFor(file, incoming, label, opts);
        verifyCopy(incoming, key);
        const target = this.store.keyCopy();
        const previous = `${this.store.path}.before-restore-${stamp()}`;
        this.store.replaceFile({
          key: target,
          keepAs: previous,
          write: (_current, into) => {
            copyPrivate(incoming, into);
            rewriteCopy(into, key, target);
          },
        });
        const createdAt = file.header?.createdAt ?? null;
        this.store.audit.append({
          actor: this.actor,
          action: 'store.restore',
          target: 'store',
          outcome: 'ok',
          detail: `from ${basename(label)}${createdAt ? ` made ${createdAt}` : ''}; previous store kept as ${basename(previous)}`,
        });
        return { previous, schema: this.store.schemaVersion(), createdAt, rekeyed: !key.equals(target) };
      } finally {
        rmSync(incoming, { force: true });
        rmSync(`${incoming}-journal`, { force: true });
      }
    });
  }

  /**
   * Re-keys the store from `current` to `next` (at least MIN_NEW_PASSPHRASE characters), then removes the
   * desktop app's remembered key, which no longer fits. Throws FleetError, changing nothing:
   * store_locked (`current` is wrong), invalid_input (`next` too short or unchanged), conflict (in use).
   */
  changePassphrase(current: string, next: string): Promise<PassphraseChanged> {
    return this.serially(async () => {
      if (next.length < MIN_NEW_PASSPHRASE) {
        throw new FleetError(
          'invalid_input',
          `choose a new passphrase of at least ${MIN_NEW_PASSPHRASE} characters; it encrypts every secret the fleet holds`,
        );
      }
      if (next.normalize('NFC') === current.normalize('NFC')) {
        throw new FleetError('invalid_input', 'the new passphrase is the current one; nothing changed');
      }
      const settings = loadKdfSettings(this.store.home);
      const oldKey = await deriveKey(current, settings);
      if (!this.store.isKey(oldKey)) {
        throw new FleetError('store_locked', 'the current passphrase is wrong; nothing changed');
      }
      const newKey = await deriveKey(next, settings);
      this.store.replaceFile({
        key: newKey,
        write: (from, into) => {
          copyPrivate(from, into);
          rewriteCopy(into, oldKey, newKey);
        },
      });
      this.store.audit.append({
        actor: this.actor,
        action: 'store.passphrase',
        target: 'store',
        outcome: 'ok',
        detail: 'the store was re-keyed to a new passphrase',
      });
      const keychain = join(this.store.home, KEYCHAIN_FILE);
      if (!existsSync(keychain)) return { keychainForgotten: null };
      // The app cannot seal the new key from here; without the file it asks for the passphrase once.
      rmSync(keychain, { force: true });
      return { keychainForgotten: keychain };
    });
  }

  /** Restores from bytes (an upload): written to a private file in the store's folder first. */
  async restoreBytes(data: Buffer, opts: RestoreOptions & { label: string }): Promise<Restored> {
    const tmp = join(this.store.home, `upload-${randomBytes(4).toString('hex')}.fleet-backup`);
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    try {
      return await this.restore(tmp, opts);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** The key that opens the extracted store at `incoming`: this store's, or one derived from a passphrase. */
  private async keyFor(
    file: BackupFile,
    incoming: string,
    label: string,
    opts: RestoreOptions,
  ): Promise<Buffer> {
    const current = loadKdfSettings(this.store.home);
    const settings = file.header?.settings ?? current;
    if (sameSettings(settings, current) && keyOpens(incoming, this.store.keyCopy()))
      return this.store.keyCopy();
    // Another store's backup made under the same passphrase as this one: no need to ask.
    if (opts.current !== undefined && !sameSettings(settings, current)) {
      const key = await deriveKey(opts.current, settings);
      if (keyOpens(incoming, key)) return key;
    }
    let backup = opts.backup;
    if (backup === undefined && opts.ask)
      backup = (await opts.ask(needsPassphrase(file, label, current, false))) ?? undefined;
    if (backup !== undefined) {
      const key = await deriveKey(backup, settings);
      if (keyOpens(incoming, key)) return key;
    }
    throw new FleetError('store_locked', needsPassphrase(file, label, current, backup !== undefined));
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
