import { storedCall, type CallRow, type StoredAuditCall } from './audit-calls-repository';
import { nowIso } from './database';
import type { Db } from './database';

/** The audit trail's fleet-wide settings (migration 11), as stored after the service checked them. */
export interface AuditSettingsRecord {
  retentionDays: number;
  /** The OTLP/HTTP logs URL, posted to as given; null: forwarding is off. */
  otlpUrl: string | null;
  /** [name, value] pairs sent with every request; a value may be a secret. */
  otlpHeaders: [string, string][];
  /** ISO; null while nothing was ever set. */
  updatedAt: string | null;
}

/** Where forwarding stands (migration 11). */
export interface AuditForwardState {
  /** The last audit_calls seq a collector accepted; null: not started yet. */
  cursor: number | null;
  sent: number;
  /** Calls deleted by retention before they were forwarded. */
  skipped: number;
  lastAttemptAt: string | null;
  lastSentAt: string | null;
  lastError: string | null;
  leaseOwner: string | null;
  /** Unix ms. */
  leaseUntil: number | null;
}

interface SettingsRow {
  retention_days: number;
  otlp_url: string | null;
  otlp_headers: string;
  updated_at: string;
}

interface StateRow {
  cursor_seq: number | null;
  sent: number;
  skipped: number;
  last_attempt_at: string | null;
  last_sent_at: string | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
}

/**
 * The audit trail's settings and where its forwarding stands (migration 11). The cursor moves only by
 * `advance`, under the lease of the process that sent the batch, so two processes never send one twice.
 */
export class AuditForwardRepository {
  constructor(private readonly db: Db) {}

  /** The stored settings, or the defaults given when nothing was set yet. */
  settings(defaultRetentionDays: number): AuditSettingsRecord {
    const row = this.db.prepare<[], SettingsRow>('SELECT * FROM audit_settings WHERE id = 1').get();
    if (!row) return { retentionDays: defaultRetentionDays, otlpUrl: null, otlpHeaders: [], updatedAt: null };
    return {
      retentionDays: row.retention_days,
      otlpUrl: row.otlp_url,
      otlpHeaders: JSON.parse(row.otlp_headers) as [string, string][],
      updatedAt: row.updated_at,
    };
  }

  saveSettings(s: Omit<AuditSettingsRecord, 'updatedAt'>): void {
    this.db
      .prepare(
        `INSERT INTO audit_settings (id, retention_days, otlp_url, otlp_headers, updated_at)
         VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET retention_days = excluded.retention_days,
           otlp_url = excluded.otlp_url, otlp_headers = excluded.otlp_headers, updated_at = excluded.updated_at`,
      )
      .run(s.retentionDays, s.otlpUrl, JSON.stringify(s.otlpHeaders), nowIso());
  }

  state(): AuditForwardState {
    const row = this.db.prepare<[], StateRow>('SELECT * FROM audit_forward_state WHERE id = 1').get();
    return {
      cursor: row?.cursor_seq ?? null,
      sent: row?.sent ?? 0,
      skipped: row?.skipped ?? 0,
      lastAttemptAt: row?.last_attempt_at ?? null,
      lastSentAt: row?.last_sent_at ?? null,
      lastError: row?.last_error ?? null,
      leaseOwner: row?.lease_owner ?? null,
      leaseUntil: row?.lease_until ?? null,
    };
  }

  /**
   * Takes (or renews) the lease for `owner` until `until` (unix ms) when it is free, expired or already
   * `owner`'s; false when another process holds it.
   */
  takeLease(owner: string, now: number, until: number): boolean {
    return this.db
      .transaction(() => {
        const s = this.state();
        if (s.leaseOwner !== null && s.leaseOwner !== owner && (s.leaseUntil ?? 0) > now) return false;
        this.db
          .prepare('UPDATE audit_forward_state SET lease_owner = ?, lease_until = ? WHERE id = 1')
          .run(owner, until);
        return true;
      })
      .immediate();
  }

  releaseLease(owner: string): void {
    this.db
      .prepare(
        'UPDATE audit_forward_state SET lease_owner = NULL, lease_until = NULL WHERE id = 1 AND lease_owner = ?',
      )
      .run(owner);
  }

  /**
   * The cursor, set first when forwarding has not started: just before the oldest call kept (or after
   * the last one ever added when none is), so calls pruned before forwarding was set up are not counted
   * as skipped.
   */
  startCursor(): number {
    return this.db
      .transaction(() => {
        const cursor = this.state().cursor;
        if (cursor !== null) return cursor;
        const oldest = this.db
          .prepare<[], { seq: number | null }>('SELECT min(seq) AS seq FROM audit_calls')
          .get()?.seq;
        const start = oldest === null || oldest === undefined ? this.lastSeq() : oldest - 1;
        this.db.prepare('UPDATE audit_forward_state SET cursor_seq = ? WHERE id = 1').run(start);
        return start;
      })
      .immediate();
  }

  /** Up to `limit` calls after `cursor`, in the order they were added. */
  after(cursor: number, limit: number): StoredAuditCall[] {
    return this.db
      .prepare<[number, number], CallRow>('SELECT * FROM audit_calls WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(cursor, limit)
      .map(storedCall);
  }

  /** Calls after `cursor` still in the trail. */
  pendingAfter(cursor: number): number {
    return (
      this.db
        .prepare<[number], { n: number }>('SELECT count(*) AS n FROM audit_calls WHERE seq > ?')
        .get(cursor)?.n ?? 0
    );
  }

  /**
   * Moves the cursor from `from` to `to` after a batch of `sent` calls was accepted (or none, over calls
   * pruned before their turn), counting the seqs in between that were not sent as skipped. Only while
   * `owner` holds the lease and the cursor is still `from`; false (nothing written) otherwise.
   */
  advance(owner: string, from: number, to: number, sent: number, at: string): boolean {
    return this.db
      .transaction(() => {
        const s = this.state();
        if (s.leaseOwner !== owner || s.cursor !== from || to < from) return false;
        const skipped = to - from - sent;
        this.db
          .prepare(
            `UPDATE audit_forward_state SET cursor_seq = ?, sent = sent + ?, skipped = skipped + ?,
               last_sent_at = CASE WHEN ? > 0 THEN ? ELSE last_sent_at END, last_error = NULL WHERE id = 1`,
          )
          .run(to, sent, skipped, sent, at);
        return true;
      })
      .immediate();
  }

  /**
   * With no call left after `from`, moves the cursor over the seqs added after it and pruned since
   * (counted as skipped); read and written under the write lock, so no call added meanwhile is passed
   * over. Returns how many were skipped.
   */
  skipPrunedTail(owner: string, from: number, at: string): number {
    return this.db
      .transaction(() => {
        if (this.pendingAfter(from) > 0) return 0;
        const last = this.lastSeq();
        if (last <= from) return 0;
        return this.advance(owner, from, last, 0, at) ? last - from : 0;
      })
      .immediate();
  }

  /** The outcome of a forwarding run: null error for success. */
  noteAttempt(at: string, error: string | null): void {
    this.db
      .prepare('UPDATE audit_forward_state SET last_attempt_at = ?, last_error = ? WHERE id = 1')
      .run(at, error);
  }

  /** The highest seq audit_calls ever handed out (AUTOINCREMENT never reuses one), 0 before any. */
  private lastSeq(): number {
    return (
      this.db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'audit_calls'").get()
        ?.seq ?? 0
    );
  }
}
