import { randomUUID } from 'node:crypto';
import { FleetError } from '../../shared/errors';
import { nowIso, uniqueOr } from './database';
import type { Db } from './database';
import type { HostAuth, HostCredential, HostKind, HostRecord } from './types';

export type NewHost = Omit<HostRecord, 'id' | 'createdAt'>;

/** What `hosts set` may change of an SSH host: where it is, who logs in, how, and the pinned key. */
export type HostSettings = Pick<HostRecord, 'user' | 'address' | 'port' | 'auth' | 'hostKeySha256'>;

interface HostRow {
  id: string;
  name: string;
  kind: HostKind;
  user: string | null;
  address: string | null;
  port: number | null;
  auth: HostAuth;
  host_key_sha256: string | null;
  created_at: string;
}

function toRecord(row: HostRow): HostRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    user: row.user,
    address: row.address,
    port: row.port,
    auth: row.auth,
    hostKeySha256: row.host_key_sha256,
    createdAt: row.created_at,
  };
}

/** Hosts and their credentials. The credential sits in its own table so listing hosts never reads a secret. */
export class HostRepository {
  constructor(private readonly db: Db) {}

  list(): HostRecord[] {
    return this.db.prepare<[], HostRow>('SELECT * FROM hosts ORDER BY name').all().map(toRecord);
  }

  getById(id: string): HostRecord | null {
    const row = this.db.prepare<[string], HostRow>('SELECT * FROM hosts WHERE id = ?').get(id);
    return row ? toRecord(row) : null;
  }

  getByName(name: string): HostRecord | null {
    const row = this.db.prepare<[string], HostRow>('SELECT * FROM hosts WHERE name = ?').get(name);
    return row ? toRecord(row) : null;
  }

  /** Adds a host and, in the same transaction, its credential. Throws FleetError('conflict') on a taken name. */
  insert(host: NewHost, credential: HostCredential | null): HostRecord {
    const record: HostRecord = { ...host, id: randomUUID(), createdAt: nowIso() };
    this.db
      .transaction(() => {
        uniqueOr(`a host named "${host.name}" already exists`, () =>
          this.db
            .prepare(
              `INSERT INTO hosts (id, name, kind, user, address, port, auth, host_key_sha256, created_at)
             VALUES (@id, @name, @kind, @user, @address, @port, @auth, @hostKeySha256, @createdAt)`,
            )
            .run(record),
        );
        if (credential) this.writeCredential(record.id, credential);
      })
      .immediate();
    return record;
  }

  /** Pins the host-key fingerprint ("SHA256:..."). Throws FleetError('not_found'). */
  setHostKey(name: string, sha256: string): HostRecord {
    const changed = this.db.prepare('UPDATE hosts SET host_key_sha256 = ? WHERE name = ?').run(sha256, name);
    if (changed.changes === 0) throw notFound(name);
    const host = this.getByName(name);
    if (!host) throw notFound(name);
    return host;
  }

  /**
   * Replaces a host's settings and, unless `credential` is undefined, its credential (null deletes it),
   * in one transaction. The name, kind and id stay, so servers, instances and tokens are untouched.
   * Throws FleetError('not_found').
   */
  update(hostId: string, settings: HostSettings, credential?: HostCredential | null): HostRecord {
    return this.db
      .transaction(() => {
        const changed = this.db
          .prepare(
            `UPDATE hosts SET user = @user, address = @address, port = @port, auth = @auth,
             host_key_sha256 = @hostKeySha256 WHERE id = @id`,
          )
          .run({ ...settings, id: hostId });
        if (changed.changes === 0) throw new FleetError('not_found', 'no such host');
        if (credential !== undefined) {
          this.db.prepare('DELETE FROM credentials WHERE host_id = ?').run(hostId);
          if (credential) this.writeCredential(hostId, credential);
        }
        const host = this.getById(hostId);
        if (!host) throw new FleetError('not_found', 'no such host');
        return host;
      })
      .immediate();
  }

  /** Replaces (or with null, deletes) a host's credential. Throws FleetError('not_found'). */
  setCredential(hostId: string, credential: HostCredential | null): void {
    this.db
      .transaction(() => {
        if (!this.getById(hostId)) throw new FleetError('not_found', 'no such host');
        this.db.prepare('DELETE FROM credentials WHERE host_id = ?').run(hostId);
        if (credential) this.writeCredential(hostId, credential);
      })
      .immediate();
  }

  credential(hostId: string): HostCredential | null {
    const row = this.db
      .prepare<[string], { secret: string; passphrase: string | null }>(
        'SELECT secret, passphrase FROM credentials WHERE host_id = ?',
      )
      .get(hostId);
    return row ? { secret: row.secret, passphrase: row.passphrase } : null;
  }

  /**
   * Deletes a host and its credential; false when there was none. Throws FleetError('conflict') while
   * instances still run on it, so a container is never left without its record.
   */
  remove(name: string): boolean {
    return this.db
      .transaction(() => {
        const host = this.getByName(name);
        if (!host) return false;
        const count = this.db
          .prepare<[string], { n: number }>('SELECT count(*) AS n FROM instances WHERE host_id = ?')
          .get(host.id);
        if (count && count.n > 0) {
          throw new FleetError(
            'conflict',
            `host "${name}" still runs ${count.n} instance(s); remove them first`,
          );
        }
        return this.db.prepare('DELETE FROM hosts WHERE id = ?').run(host.id).changes > 0;
      })
      .immediate();
  }

  private writeCredential(hostId: string, credential: HostCredential): void {
    this.db
      .prepare('INSERT INTO credentials (host_id, secret, passphrase) VALUES (?, ?, ?)')
      .run(hostId, credential.secret, credential.passphrase);
  }
}

function notFound(name: string): FleetError {
  return new FleetError('not_found', `no host named "${name}"`);
}
