import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FleetError } from '../../shared/errors';
import { PinRepository } from './pin-repository';
import { AlertRepository } from './alert-repository';
import { AuditCallsRepository } from './audit-calls-repository';
import { AuditForwardRepository } from './audit-forward-repository';
import { AuditRepository } from './audit-repository';
import { STORE_FILE, ensureDbFile, ensureHome, openEncrypted } from './database';
import type { Db } from './database';
import { DeployRepository } from './deploy-repository';
import { DeployStateRepository } from './deploy-state-repository';
import { copyPrivate, fsyncDir, fsyncFile, holdExclusively, releaseHold, removeLeftovers } from './file-swap';
import { HostRepository } from './host-repository';
import { InstanceRepository } from './instance-repository';
import { MemberRepository } from './member-repository';
import { LATEST_VERSION, applyMigrations } from './migrations';
import { ServerRepository } from './server-repository';
import { SettingsRepository } from './settings-repository';
import { TlsRepository } from './tls-repository';
import type { KeyProvider } from './types';

export interface StoreOptions {
  /** The data directory; created with mode 0700 when missing. */
  home: string;
  keyProvider: KeyProvider;
}

/** Opens `path` read-only with `key` and checks it is a whole store this code can read. Throws FleetError. */
export function verifyCopy(path: string, key: Buffer): void {
  const db = openEncrypted(path, key, { readonly: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new FleetError('unavailable', `${path} failed its integrity check`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > LATEST_VERSION) {
      throw new FleetError(
        'store_locked',
        `store schema v${version} is newer than this MCP Fleet (v${LATEST_VERSION})`,
      );
    }
  } finally {
    db.close();
  }
}

/**
 * The encrypted SQLite store: one file, `<home>/fleet.db`, encrypted whole (SQLCipher scheme via
 * SQLite3 Multiple Ciphers) with a 32-byte key from a KeyProvider. Repositories are synchronous.
 */
export class Store {
  private db: Db;
  // Kept to verify backups and re-key restored ones; the open connection holds the same key anyway.
  private key: Buffer;
  // Rebuilt when replaceFile swaps the connection, so everyone holding this Store follows it.
  private repos: ReturnType<typeof repositories>;

  private constructor(
    db: Db,
    key: Buffer,
    readonly home: string,
    readonly path: string,
  ) {
    this.db = db;
    this.key = key;
    this.repos = repositories(db);
  }

  get hosts(): HostRepository {
    return this.repos.hosts;
  }
  get servers(): ServerRepository {
    return this.repos.servers;
  }
  get members(): MemberRepository {
    return this.repos.members;
  }
  get instances(): InstanceRepository {
    return this.repos.instances;
  }
  get deploys(): DeployRepository {
    return this.repos.deploys;
  }
  get audit(): AuditRepository {
    return this.repos.audit;
  }
  /** The audit trail of calls collected from the bridges, and the cursors of its collection. */
  get auditCalls(): AuditCallsRepository {
    return this.repos.auditCalls;
  }
  /** The audit trail's retention and OTLP forwarding settings, and where its forwarding stands. */
  get auditForward(): AuditForwardRepository {
    return this.repos.auditForward;
  }
  get deployState(): DeployStateRepository {
    return this.repos.deployState;
  }
  /** The fleet CA and the instances' leaf certificates. */
  get tls(): TlsRepository {
    return this.repos.tls;
  }
  /** The fleet's settings and each host's overrides. */
  get settings(): SettingsRepository {
    return this.repos.settings;
  }
  /** Alert webhooks and the alerts raised. */
  get alerts(): AlertRepository {
    return this.repos.alerts;
  }
  /** Tool pinning: each server's approved definitions and the ones its bridges reported. */
  get pins(): PinRepository {
    return this.repos.pins;
  }

  /**
   * Opens (or creates) the store in `home` and brings its schema up to date.
   * Throws FleetError('store_locked') for a wrong key, a file that is not a store, or a newer schema.
   */
  static async open(opts: StoreOptions): Promise<Store> {
    const home = resolve(opts.home);
    ensureHome(home);
    const key = await opts.keyProvider.getKey(home);
    const path = join(home, STORE_FILE);
    ensureDbFile(path);
    const db = openEncrypted(path, key);
    try {
      applyMigrations(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new Store(db, key, home, path);
  }

  /**
   * Replaces the store in `opts.home` with the backup at `from`, after proving that the key opens it.
   * The current file (and its -wal) is kept beside it as `fleet.db.before-restore-<time>`, whose path is returned.
   * Run it while nothing has the store open. Throws FleetError('store_locked') when the key does not fit.
   */
  static async restore(opts: StoreOptions & { from: string }): Promise<{ previous: string | null }> {
    const home = resolve(opts.home);
    ensureHome(home);
    const key = await opts.keyProvider.getKey(home);
    const from = resolve(opts.from);
    if (!existsSync(from)) throw new FleetError('not_found', `no backup at ${from}`);
    verifyCopy(from, key);
    const path = join(home, STORE_FILE);
    const incoming = `${path}.restore-${randomBytes(4).toString('hex')}.tmp`;
    copyFileSync(from, incoming);
    chmodSync(incoming, 0o600);
    fsyncFile(incoming);
    let previous: string | null = null;
    if (existsSync(path)) {
      previous = `${path}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(path, previous);
      // The old -wal belongs to the old file: left in place, SQLite would replay it onto the restored one.
      if (existsSync(`${path}-wal`)) renameSync(`${path}-wal`, `${previous}-wal`);
      rmSync(`${path}-shm`, { force: true });
    }
    renameSync(incoming, path);
    return { previous };
  }

  /** Runs `fn` in one write transaction (nested calls become savepoints); `fn` must be synchronous. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * SQLite's data_version: changes whenever another connection (the CLI beside a running app) commits.
   * Polling it is how open UIs learn of changes made elsewhere.
   */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** The schema version of the open file. */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Writes a consistent, encrypted (same key) copy of the store to `destPath`, then reopens it to verify it.
   * Throws FleetError('conflict') when `destPath` exists.
   */
  async backup(destPath: string): Promise<{ path: string }> {
    const dest = resolve(destPath);
    if (existsSync(dest))
      throw new FleetError('conflict', `${dest} already exists; choose a new backup file`);
    ensureHome(dirname(dest));
    const partial = `${dest}.${randomBytes(4).toString('hex')}.partial`;
    // VACUUM INTO accepts an existing empty file: creating it first fixes its mode at 0600.
    ensureDbFile(partial);
    try {
      this.db.prepare('VACUUM INTO ?').run(partial);
      fsyncFile(partial);
      verifyCopy(partial, this.key);
      if (existsSync(dest))
        throw new FleetError('conflict', `${dest} already exists; choose a new backup file`);
      renameSync(partial, dest);
    } finally {
      rmSync(partial, { force: true });
    }
    return { path: dest };
  }

  /** Whether `key` is the key this store is open with. */
  isKey(key: Buffer): boolean {
    return key.length === this.key.length && timingSafeEqual(key, this.key);
  }

  /** A copy of the key the store is open with, to re-key a restored backup to it. Never log or send it. */
  keyCopy(): Buffer {
    return Buffer.from(this.key);
  }

  /**
   * Swaps the file under this open store for another that opens with `key`, and goes on with it: this same
   * Store (and every service holding it) reads the new file from the next call on. `write(current, target)`
   * writes the new file at `target` (in this folder) from `current` while every other connection is held
   * off; it is verified before a rename puts it in place, and removed on any failure. `keepAs`: keep a copy
   * of the current file under that name first. All of it is synchronous, so no other call interleaves.
   * Throws FleetError('conflict') while another process has the store open; nothing changes on any error.
   */
  replaceFile(opts: {
    write: (current: string, target: string) => void;
    key: Buffer;
    keepAs?: string;
  }): void {
    const { db } = this;
    const target = `${this.path}.${randomBytes(4).toString('hex')}.incoming`;
    holdExclusively(db, this.path);
    let kept: string | null = null;
    try {
      removeLeftovers(this.home);
      opts.write(this.path, target);
      verifyCopy(target, opts.key);
      fsyncFile(target);
      if (opts.keepAs !== undefined) {
        copyPrivate(this.path, opts.keepAs);
        kept = opts.keepAs;
      }
      // Windows renames no file that is open; elsewhere the hold lasts until the new file is in place.
      if (process.platform === 'win32') db.close();
      renameSync(target, this.path);
    } catch (err) {
      rmSync(target, { force: true });
      if (kept !== null) rmSync(kept, { force: true });
      if (db.open) releaseHold(db);
      else this.connect(this.key);
      throw err;
    }
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
    try {
      fsyncDir(this.home);
    } finally {
      this.connect(opts.key);
    }
  }

  private connect(key: Buffer): void {
    const db = openEncrypted(this.path, key);
    try {
      applyMigrations(db);
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    this.key = Buffer.from(key);
    this.repos = repositories(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function repositories(db: Db) {
  return {
    hosts: new HostRepository(db),
    servers: new ServerRepository(db),
    members: new MemberRepository(db),
    instances: new InstanceRepository(db),
    deploys: new DeployRepository(db),
    audit: new AuditRepository(db),
    auditCalls: new AuditCallsRepository(db),
    auditForward: new AuditForwardRepository(db),
    deployState: new DeployStateRepository(db),
    tls: new TlsRepository(db),
    settings: new SettingsRepository(db),
    alerts: new AlertRepository(db),
    pins: new PinRepository(db),
  };
}
