import { randomUUID } from 'node:crypto';
import { FleetError } from '../../shared/errors';
import { nowIso } from './database';
import type { Db } from './database';

export type WebhookFormat = 'generic' | 'slack';

/** A webhook as stored. `headers` may hold a secret (an Authorization value): never log or show it. */
export interface WebhookRecord {
  id: string;
  name: string;
  url: string;
  format: WebhookFormat;
  /** Header name and value, in the order the operator gave them. */
  headers: [string, string][];
  /** ISO */
  createdAt: string;
}

/** An alert as recorded when it was raised. */
export interface AlertRecord {
  seq: number;
  /** ISO */
  at: string;
  kind: string;
  severity: string;
  subject: string;
  message: string;
  dedupKey: string;
}

interface WebhookRow {
  id: string;
  name: string;
  url: string;
  format: string;
  headers: string;
  created_at: string;
}

interface AlertRow {
  seq: number;
  at: string;
  kind: string;
  severity: string;
  subject: string;
  message: string;
  dedup_key: string;
}

function toWebhook(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    format: row.format === 'slack' ? 'slack' : 'generic',
    headers: JSON.parse(row.headers) as [string, string][],
    createdAt: row.created_at,
  };
}

function toAlert(row: AlertRow): AlertRecord {
  return {
    seq: row.seq,
    at: row.at,
    kind: row.kind,
    severity: row.severity,
    subject: row.subject,
    message: row.message,
    dedupKey: row.dedup_key,
  };
}

/** Alert webhooks and raised alerts (migration 9). The service checks every value before it comes here. */
export class AlertRepository {
  constructor(private readonly db: Db) {}

  listWebhooks(): WebhookRecord[] {
    return this.db.prepare<[], WebhookRow>('SELECT * FROM alert_webhooks ORDER BY name').all().map(toWebhook);
  }

  webhookByName(name: string): WebhookRecord | null {
    const row = this.db
      .prepare<[string], WebhookRow>('SELECT * FROM alert_webhooks WHERE name = ?')
      .get(name);
    return row ? toWebhook(row) : null;
  }

  /** Throws FleetError('conflict') when a webhook of that name exists. */
  addWebhook(input: Omit<WebhookRecord, 'id' | 'createdAt'>): WebhookRecord {
    const record: WebhookRecord = { ...input, id: randomUUID(), createdAt: nowIso() };
    try {
      this.db
        .prepare(
          'INSERT INTO alert_webhooks (id, name, url, format, headers, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          record.id,
          record.name,
          record.url,
          record.format,
          JSON.stringify(record.headers),
          record.createdAt,
        );
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new FleetError(
          'conflict',
          `a webhook named "${input.name}" exists; remove it first or pick another name`,
        );
      }
      throw err;
    }
    return record;
  }

  /** False when there was no webhook of that name. */
  removeWebhook(name: string): boolean {
    return this.db.prepare('DELETE FROM alert_webhooks WHERE name = ?').run(name).changes > 0;
  }

  /**
   * Records the alert unless one with the same dedup key was recorded at or after `dedupSince` (ISO):
   * checked and written in one transaction, so two processes raising the same alert record it once.
   * Returns the new record, or null for a duplicate.
   */
  recordUnlessDuplicate(alert: Omit<AlertRecord, 'seq'>, dedupSince: string): AlertRecord | null {
    return this.db
      .transaction(() => {
        const seen = this.db
          .prepare<[string, string], { seq: number }>(
            'SELECT seq FROM alerts WHERE dedup_key = ? AND at >= ? LIMIT 1',
          )
          .get(alert.dedupKey, dedupSince);
        if (seen) return null;
        const info = this.db
          .prepare(
            'INSERT INTO alerts (at, kind, severity, subject, message, dedup_key) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(alert.at, alert.kind, alert.severity, alert.subject, alert.message, alert.dedupKey);
        return { ...alert, seq: Number(info.lastInsertRowid) };
      })
      .immediate();
  }

  /** The newest `limit` alerts, newest first. */
  recent(limit: number): AlertRecord[] {
    return this.db
      .prepare<[number], AlertRow>('SELECT * FROM alerts ORDER BY seq DESC LIMIT ?')
      .all(limit)
      .map(toAlert);
  }

  /** How many alerts were recorded at or after `since` (ISO). */
  countSince(since: string): number {
    const row = this.db
      .prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM alerts WHERE at >= ?')
      .get(since);
    return row?.n ?? 0;
  }

  /** Deletes alerts recorded before `before` (ISO); returns how many. */
  pruneBefore(before: string): number {
    return this.db.prepare('DELETE FROM alerts WHERE at < ?').run(before).changes;
  }
}
