import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FleetError } from '../../shared/errors';
import { AuditRepository } from './audit-repository';
import { STORE_FILE, ensureDbFile, ensureHome, openEncrypted } from './database';
import type { Db } from './database';
import { DeployRepository } from './deploy-repository';
import { DeployStateRepository } from './deploy-state-repository';
import { HostRepository } from './host-repository';
import { InstanceRepository } from './instance-repository';
import { MemberRepository } from './member-repository';
import { LATEST_VERSION, applyMigrations } from './migrations';
import { ServerRepository } from './server-repository';
import { TlsRepository } from './tls-repository';
import type { KeyProvider } from './types';

export interface StoreOptions {
  /** The data directory; created with mode 0700 when missing. */
  home: string;
  keyProvider: KeyProvider;
}

/** Opens `path` read-only with `key` and checks it is a whole store this code can read. Throws FleetError. */
function verifyCopy(path: string, key: Buffer): void {
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

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The encrypted SQLite store: one file, `<home>/fleet.db`, encrypted whole (SQLCipher scheme via
 * SQLite3 Multiple Ciphers) with a 32-byte key from a KeyProvider. Repositories are synchronous.
 */
export class Store {
  readonly hosts: HostRepository;
  readonly servers: ServerRepository;
  readonly members: MemberRepository;
  readonly instances: InstanceRepository;
  readonly deploys: DeployRepository;
  readonly audit: AuditRepository;
  readonly deployState: DeployStateRepository;
  /** The fleet CA and the instances' leaf certificates. */
  readonly tls: TlsRepository;

  private constructor(
    private readonly db: Db,
    // Kept only to verify backups; the open connection holds the same key anyway.
    private readonly key: Buffer,
    readonly home: string,
    readonly path: string,
  ) {
    this.hosts = new HostRepository(db);
    this.servers = new ServerRepository(db);
    this.members = new MemberRepository(db);
    this.instances = new InstanceRepository(db);
    this.deploys = new DeployRepository(db);
    this.audit = new AuditRepository(db);
    this.deployState = new DeployStateRepository(db);
    this.tls = new TlsRepository(db);
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

  close(): void {
    if (this.db.open) this.db.close();
  }
}
