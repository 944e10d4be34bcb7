import type Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from './database';

/** One call as the bridge's audit line told it; names, not ids, so it outlives what it names. */
export interface AuditCallRow {
  /** ISO time the bridge finished the call. */
  at: string;
  server: string;
  /** The container name of the instance. */
  instance: string;
  member: string | null;
  /** The MCP session id, or a 2026-07-28 request's own id. */
  session: string | null;
  method: string;
  /** The tool or prompt name, or the resource uri. */
  target: string | null;
  outcome: string;
  ms: number | null;
  correlationId: string | null;
}

export interface StoredAuditCall extends AuditCallRow {
  seq: number;
  collectedAt: string;
}

/** Where collection of one container's log stands (migration 8). */
export interface AuditCursor {
  containerId: string;
  instance: string;
  /** The docker timestamp of the last line taken, nanoseconds written out (see audit-line.ts). */
  lastTs: string;
  /** How many lines carried exactly lastTs, all taken. */
  sameTsCount: number;
}

/** One container's new stretch of log: its rows, and its cursor before and after them. */
export interface AuditAppend {
  from: AuditCursor | null;
  to: AuditCursor;
  rows: readonly AuditCallRow[];
}

export interface AuditCallFilter {
  server?: string | undefined;
  member?: string | undefined;
  target?: string | undefined;
  /** ISO; calls at or after it. */
  since?: string | undefined;
  limit: number;
}

export interface AuditUsageFilter {
  /** ISO; calls at or after it. */
  since: string;
  /** ISO; calls before it. */
  until: string;
  server?: string | undefined;
  member?: string | undefined;
  /** The tool or prompt name, or the resource uri. */
  target?: string | undefined;
}

/** One member's calls on one UTC day. */
export interface AuditUsageRow {
  /** YYYY-MM-DD. */
  day: string;
  member: string | null;
  calls: number;
  errors: number;
}

/** Rows one INSERT statement carries (11 parameters each; SQLite allows 32,766). */
const INSERT_BATCH = 200;

/** An audit_calls row as SQLite gives it (times in Unix milliseconds, migration 13). */
export interface CallRow {
  seq: number;
  at: number;
  server: string;
  instance: string;
  member: string | null;
  session: string | null;
  method: string;
  target: string | null;
  outcome: string;
  ms: number | null;
  correlation_id: string | null;
  collected_at: number;
}

interface CursorRow {
  container_id: string;
  instance: string;
  last_ts: string;
  same_ts_count: number;
}

/**
 * The audit trail of calls and the cursors of its collection (migration 8). Rows are only appended,
 * and deleted only by age (prune). Take lines and move the cursor with `append`, in one transaction.
 */
export class AuditCallsRepository {
  constructor(private readonly db: Db) {}

  cursor(containerId: string): AuditCursor | null {
    const row = this.db
      .prepare<[string], CursorRow>('SELECT * FROM audit_cursors WHERE container_id = ?')
      .get(containerId);
    return row
      ? {
          containerId: row.container_id,
          instance: row.instance,
          lastTs: row.last_ts,
          sameTsCount: row.same_ts_count,
        }
      : null;
  }

  private readonly inserts = new Map<number, Database.Statement<unknown[]>>();

  /** INSERT of n rows, prepared once per n. */
  private insertStatement(n: number): Database.Statement<unknown[]> {
    let statement = this.inserts.get(n);
    if (statement === undefined) {
      statement = this.db.prepare(
        `INSERT INTO audit_calls (at, server, instance, member, session, method, target, outcome, ms,
           correlation_id, collected_at) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
      this.inserts.set(n, statement);
    }
    return statement;
  }

  /**
   * Appends the rows and moves the cursor, both or neither, unless the cursor is no longer `from`
   * (another process took these lines meanwhile): then nothing is written and false returned.
   */
  append(
    from: AuditCursor | null,
    to: AuditCursor,
    rows: readonly AuditCallRow[],
    collectedAt: string,
  ): boolean {
    return this.appendMany([{ from, to, rows }], collectedAt)[0] ?? false;
  }

  /**
   * append() for several containers in one transaction, each taken or passed over on its own; a
   * true or false per batch, in order. One commit a collection rather than one a container: the
   * newest pages of the time index, which every container's rows land in, are written once.
   */
  appendMany(batches: readonly AuditAppend[], collectedAt: string): boolean[] {
    return this.db
      .transaction(() =>
        batches.map(({ from, to, rows }) => {
          const now = this.cursor(to.containerId);
          const same =
            now === null
              ? from === null
              : from !== null && now.lastTs === from.lastTs && now.sameTsCount === from.sameTsCount;
          if (!same) return false;
          this.insertRows(rows, collectedAt);
          this.db
            .prepare(
              `INSERT INTO audit_cursors (container_id, instance, last_ts, same_ts_count, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (container_id) DO UPDATE SET instance = excluded.instance,
                 last_ts = excluded.last_ts, same_ts_count = excluded.same_ts_count, updated_at = excluded.updated_at`,
            )
            .run(to.containerId, to.instance, to.lastTs, to.sameTsCount, collectedAt);
          // A recreated container starts afresh: its predecessor's cursor is of no more use.
          this.db
            .prepare('DELETE FROM audit_cursors WHERE instance = ? AND container_id <> ?')
            .run(to.instance, to.containerId);
          return true;
        }),
      )
      .immediate();
  }

  /** Many rows a statement: one run() per row is most of an insert's cost in this binding. */
  private insertRows(rows: readonly AuditCallRow[], collectedAt: string): void {
    const collectedMs = msOf(collectedAt);
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      const end = Math.min(rows.length, i + INSERT_BATCH);
      const values: unknown[] = [];
      for (let j = i; j < end; j++) {
        const r = rows[j] as AuditCallRow;
        // The collector hands over only times it read as times; anything else is kept as collected.
        const at = Date.parse(r.at);
        values.push(
          Number.isFinite(at) ? at : collectedMs,
          r.server,
          r.instance,
          r.member,
          r.session,
          r.method,
          r.target,
          r.outcome,
          r.ms,
          r.correlationId,
          collectedMs,
        );
      }
      this.insertStatement(end - i).run(...values);
    }
  }

  /** The newest `limit` calls matching the filter, oldest first. */
  list(filter: AuditCallFilter): StoredAuditCall[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const match = (column: string, value: string | number | undefined, op = '='): void => {
      if (value === undefined) return;
      where.push(`${column} ${op} ?`);
      args.push(value);
    };
    match('server', filter.server);
    match('member', filter.member);
    match('target', filter.target);
    match('at', filter.since === undefined ? undefined : msOf(filter.since), '>=');
    const sql = `SELECT * FROM audit_calls ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, seq DESC LIMIT ?`;
    const rows = this.db.prepare<(string | number)[], CallRow>(sql).all(...args, filter.limit);
    return rows.reverse().map(storedCall);
  }

  /**
   * Calls and errors (outcome not "ok") per member and UTC day from `since` (ISO) up to `until`
   * (ISO, exclusive), oldest day first; counted by SQLite, so no call row leaves the store.
   */
  usage(filter: AuditUsageFilter): AuditUsageRow[] {
    const where = ['at >= ?', 'at < ?'];
    const args: (string | number)[] = [msOf(filter.since), msOf(filter.until)];
    for (const [column, value] of [
      ['server', filter.server],
      ['member', filter.member],
      ['target', filter.target],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      args.push(value);
    }
    // `at` is Unix milliseconds: its UTC day.
    const sql = `SELECT strftime('%Y-%m-%d', at / 1000, 'unixepoch') AS day, member, count(*) AS calls,
        sum(CASE WHEN outcome = 'ok' THEN 0 ELSE 1 END) AS errors
      FROM audit_calls WHERE ${where.join(' AND ')}
      GROUP BY day, member ORDER BY day, member`;
    return this.db.prepare<(string | number)[], AuditUsageRow>(sql).all(...args);
  }

  /** Deletes calls before `before` (ISO); returns how many went. */
  prune(before: string): number {
    return this.db.prepare('DELETE FROM audit_calls WHERE at < ?').run(msOf(before)).changes;
  }

  /** Forgets the cursors of instances (container names) not in `instances`: they were removed. */
  keepCursors(instances: readonly string[]): void {
    const known = new Set(instances);
    const rows = this.db
      .prepare<[], { instance: string }>('SELECT DISTINCT instance FROM audit_cursors')
      .all();
    const drop = this.db.prepare('DELETE FROM audit_cursors WHERE instance = ?');
    for (const { instance } of rows) if (!known.has(instance)) drop.run(instance);
  }

  count(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_calls').get()?.n ?? 0;
  }
}

/** A stored call from its row. */
export function storedCall(r: CallRow): StoredAuditCall {
  return {
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    server: r.server,
    instance: r.instance,
    member: r.member,
    session: r.session,
    method: r.method,
    target: r.target,
    outcome: r.outcome,
    ms: r.ms,
    correlationId: r.correlation_id,
    collectedAt: new Date(r.collected_at).toISOString(),
  };
}

/** An ISO time as the Unix milliseconds the table keeps; throws on a time that is not one. */
function msOf(iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${iso.slice(0, 40)}`);
  return ms;
}
