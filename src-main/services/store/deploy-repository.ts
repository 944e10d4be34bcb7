import { randomUUID } from 'node:crypto';
import { FleetError } from '../../shared/errors';
import { nowIso } from './database';
import type { Db } from './database';
import type { DeployRecord } from './types';

interface DeployRow {
  id: string;
  server_id: string;
  host_id: string | null;
  started_at: string;
  finished_at: string | null;
  outcome: DeployRecord['outcome'];
  detail: string;
}

function toRecord(row: DeployRow): DeployRecord {
  return {
    id: row.id,
    serverId: row.server_id,
    hostId: row.host_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    detail: row.detail,
  };
}

/** One row per deploy attempt: started as 'running', finished as 'ok' or 'failed'. */
export class DeployRepository {
  constructor(private readonly db: Db) {}

  /** Throws FleetError('not_found') when the server or host does not exist. */
  start(input: { serverId: string; hostId: string | null; detail?: string }): DeployRecord {
    const record: DeployRecord = {
      id: randomUUID(),
      serverId: input.serverId,
      hostId: input.hostId,
      startedAt: nowIso(),
      finishedAt: null,
      outcome: 'running',
      detail: input.detail ?? '',
    };
    try {
      this.db
        .prepare(
          `INSERT INTO deploy_history (id, server_id, host_id, started_at, finished_at, outcome, detail)
           VALUES (@id, @serverId, @hostId, @startedAt, @finishedAt, @outcome, @detail)`,
        )
        .run(record);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new FleetError('not_found', 'the deploy refers to a server or host that does not exist');
      }
      throw err;
    }
    return record;
  }

  /** Closes a running deploy. Throws FleetError('not_found'), or ('conflict') when it already finished. */
  finish(id: string, outcome: 'ok' | 'failed', detail: string): DeployRecord {
    return this.db
      .transaction(() => {
        const current = this.getById(id);
        if (!current) throw new FleetError('not_found', 'no such deploy');
        if (current.outcome !== 'running')
          throw new FleetError('conflict', 'this deploy has already finished');
        const finishedAt = nowIso();
        this.db
          .prepare('UPDATE deploy_history SET finished_at = ?, outcome = ?, detail = ? WHERE id = ?')
          .run(finishedAt, outcome, detail, id);
        return { ...current, finishedAt, outcome, detail };
      })
      .immediate();
  }

  getById(id: string): DeployRecord | null {
    const row = this.db.prepare<[string], DeployRow>('SELECT * FROM deploy_history WHERE id = ?').get(id);
    return row ? toRecord(row) : null;
  }

  /** Newest first. */
  list(opts: { serverId?: string; limit?: number } = {}): DeployRecord[] {
    const limit = opts.limit ?? 100;
    const rows =
      opts.serverId === undefined
        ? this.db
            .prepare<[number], DeployRow>(
              'SELECT * FROM deploy_history ORDER BY started_at DESC, rowid DESC LIMIT ?',
            )
            .all(limit)
        : this.db
            .prepare<[string, number], DeployRow>(
              'SELECT * FROM deploy_history WHERE server_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?',
            )
            .all(opts.serverId, limit);
    return rows.map(toRecord);
  }
}
