import { randomUUID } from 'node:crypto';
import { FleetError } from '../../shared/errors';
import { nowIso } from './database';
import type { Db } from './database';
import type { InstanceRecord } from './types';

export type InstanceInput = Omit<InstanceRecord, 'id' | 'createdAt' | 'updatedAt'>;

interface InstanceRow {
  id: string;
  server_id: string;
  member_id: string | null;
  host_id: string;
  container_name: string;
  port: number;
  config_hash: string;
  status: string;
  created_at: string;
  updated_at: string;
}

function toRecord(row: InstanceRow): InstanceRecord {
  return {
    id: row.id,
    serverId: row.server_id,
    memberId: row.member_id,
    hostId: row.host_id,
    containerName: row.container_name,
    port: row.port,
    configHash: row.config_hash,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Running containers as the app last saw them; one row per (host, container name). */
export class InstanceRepository {
  constructor(private readonly db: Db) {}

  list(): InstanceRecord[] {
    return this.db
      .prepare<[], InstanceRow>('SELECT * FROM instances ORDER BY created_at, container_name')
      .all()
      .map(toRecord);
  }

  listByServer(serverId: string): InstanceRecord[] {
    return this.db
      .prepare<[string], InstanceRow>(
        'SELECT * FROM instances WHERE server_id = ? ORDER BY created_at, container_name',
      )
      .all(serverId)
      .map(toRecord);
  }

  listByHost(hostId: string): InstanceRecord[] {
    return this.db
      .prepare<[string], InstanceRow>(
        'SELECT * FROM instances WHERE host_id = ? ORDER BY created_at, container_name',
      )
      .all(hostId)
      .map(toRecord);
  }

  getById(id: string): InstanceRecord | null {
    const row = this.db.prepare<[string], InstanceRow>('SELECT * FROM instances WHERE id = ?').get(id);
    return row ? toRecord(row) : null;
  }

  /**
   * Records the container `containerName` on `hostId`, keeping its id and createdAt when it is already known,
   * so a repeated deploy updates one row. Throws FleetError('not_found') when the server, member or host is gone.
   */
  upsert(instance: InstanceInput): InstanceRecord {
    const at = nowIso();
    try {
      const row = this.db
        .prepare<Record<string, unknown>, InstanceRow>(
          `INSERT INTO instances (id, server_id, member_id, host_id, container_name, port, config_hash, status,
             created_at, updated_at)
           VALUES (@id, @serverId, @memberId, @hostId, @containerName, @port, @configHash, @status, @at, @at)
           ON CONFLICT (host_id, container_name) DO UPDATE SET server_id = excluded.server_id,
             member_id = excluded.member_id, port = excluded.port, config_hash = excluded.config_hash,
             status = excluded.status, updated_at = excluded.updated_at
           RETURNING *`,
        )
        .get({ ...instance, id: randomUUID(), at });
      if (!row) throw new FleetError('internal', 'the instance was not recorded');
      return toRecord(row);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new FleetError(
          'not_found',
          'the instance refers to a server, member or host that does not exist',
        );
      }
      throw err;
    }
  }

  /** Updates the observed status; false when the instance is unknown. */
  setStatus(id: string, status: string): boolean {
    return (
      this.db
        .prepare('UPDATE instances SET status = ?, updated_at = ? WHERE id = ?')
        .run(status, nowIso(), id).changes > 0
    );
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM instances WHERE id = ?').run(id).changes > 0;
  }
}
