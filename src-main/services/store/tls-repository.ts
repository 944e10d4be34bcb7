import { FleetError } from '../../shared/errors';
import type { Db } from './database';

/** The fleet CA as stored: certificate and PKCS#8 private key (PEM). */
export interface CaRecord {
  certPem: string;
  keyPem: string;
  /** ISO */
  createdAt: string;
}

/** The names a leaf certificate is valid for. */
export interface Sans {
  dns: string[];
  ip: string[];
}

/** A leaf certificate an instance serves, with its PKCS#8 private key (PEM). */
export interface LeafRecord {
  certPem: string;
  keyPem: string;
  fingerprint256: string;
  /** ISO */
  notAfter: string;
  sans: Sans;
  issuedAt: string;
}

interface CaRow {
  cert_pem: string;
  key_pem: string;
  created_at: string;
}

interface LeafRow {
  container_name: string;
  cert_pem: string;
  key_pem: string;
  fingerprint256: string;
  not_after: string;
  sans: string;
  issued_at: string;
}

function toLeaf(row: LeafRow): LeafRecord {
  return {
    certPem: row.cert_pem,
    keyPem: row.key_pem,
    fingerprint256: row.fingerprint256,
    notAfter: row.not_after,
    sans: JSON.parse(row.sans) as Sans,
    issuedAt: row.issued_at,
  };
}

/** The two tables of leaves: per host (what instances serve) and per server (exports to no host). */
interface LeafTable {
  name: 'instance_certs' | 'export_certs';
  owner: 'host_id' | 'server_id';
  what: 'host' | 'server';
}
const INSTANCE_CERTS: LeafTable = { name: 'instance_certs', owner: 'host_id', what: 'host' };
const EXPORT_CERTS: LeafTable = { name: 'export_certs', owner: 'server_id', what: 'server' };

/** The fleet CA and the instances' leaf certificates (migration 3). Private keys stay in the store. */
export class TlsRepository {
  constructor(private readonly db: Db) {}

  /** The stored CA; null before one was created. */
  ca(): CaRecord | null {
    const row = this.db
      .prepare<[], CaRow>('SELECT cert_pem, key_pem, created_at FROM fleet_ca WHERE id = 1')
      .get();
    return row ? { certPem: row.cert_pem, keyPem: row.key_pem, createdAt: row.created_at } : null;
  }

  /**
   * Stores `record` as the CA unless one is already stored, and returns the stored one: when two
   * processes (the CLI beside the app) create a CA at once, both end up with the first. `replace: true`
   * overwrites it instead (every leaf issued by the old CA then stops fitting and is issued again).
   */
  setCa(record: CaRecord, options: { replace?: boolean } = {}): CaRecord {
    const verb = options.replace === true ? 'INSERT OR REPLACE' : 'INSERT OR IGNORE';
    return this.db
      .transaction(() => {
        this.db
          .prepare(
            `${verb} INTO fleet_ca (id, cert_pem, key_pem, created_at) VALUES (1, @certPem, @keyPem, @createdAt)`,
          )
          .run(record);
        return this.ca() as CaRecord;
      })
      .immediate();
  }

  leaf(hostId: string, containerName: string): LeafRecord | null {
    return this.readLeaf(INSTANCE_CERTS, hostId, containerName);
  }

  /** Stores (or replaces) the leaf of `containerName` on `hostId`. Throws FleetError('not_found') for an unknown host. */
  setLeaf(hostId: string, containerName: string, record: LeafRecord): void {
    this.writeLeaf(INSTANCE_CERTS, hostId, containerName, record);
  }

  /** False when there was no leaf to remove. */
  removeLeaf(hostId: string, containerName: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM instance_certs WHERE host_id = ? AND container_name = ?')
        .run(hostId, containerName).changes > 0
    );
  }

  /** The leaf exports of `serverId` to no particular host carry for `containerName`. */
  exportLeaf(serverId: string, containerName: string): LeafRecord | null {
    return this.readLeaf(EXPORT_CERTS, serverId, containerName);
  }

  /** Stores (or replaces) that leaf. Throws FleetError('not_found') for an unknown server. */
  setExportLeaf(serverId: string, containerName: string, record: LeafRecord): void {
    this.writeLeaf(EXPORT_CERTS, serverId, containerName, record);
  }

  /** The host's leaves by container name, in name order. */
  leavesOfHost(hostId: string): { containerName: string; leaf: LeafRecord }[] {
    return this.db
      .prepare<[string], LeafRow>('SELECT * FROM instance_certs WHERE host_id = ? ORDER BY container_name')
      .all(hostId)
      .map((row) => ({ containerName: row.container_name, leaf: toLeaf(row) }));
  }

  private readLeaf(table: LeafTable, owner: string, containerName: string): LeafRecord | null {
    const row = this.db
      .prepare<[string, string], LeafRow>(
        `SELECT * FROM ${table.name} WHERE ${table.owner} = ? AND container_name = ?`,
      )
      .get(owner, containerName);
    return row ? toLeaf(row) : null;
  }

  private writeLeaf(table: LeafTable, owner: string, containerName: string, record: LeafRecord): void {
    try {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO ${table.name}
             (${table.owner}, container_name, cert_pem, key_pem, fingerprint256, not_after, sans, issued_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          owner,
          containerName,
          record.certPem,
          record.keyPem,
          record.fingerprint256,
          record.notAfter,
          JSON.stringify(record.sans),
          record.issuedAt,
        );
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new FleetError('not_found', `no ${table.what} with id ${owner} to keep a certificate for`);
      }
      throw err;
    }
  }
}
