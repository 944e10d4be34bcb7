import { nowIso } from './database';
import type { Db } from './database';
import type { AuditEntry } from './types';

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

/**
 * What operators did. Append-only: triggers in the schema abort any UPDATE or DELETE, so a row, once
 * written, stays. Callers must keep secrets out of `detail`.
 */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  append(entry: NewAuditEntry): AuditEntry {
    const at = nowIso();
    const result = this.db
      .prepare('INSERT INTO audit_log (at, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(at, entry.actor, entry.action, entry.target, entry.outcome, entry.detail);
    const { actor, action, target, outcome, detail } = entry;
    return { id: Number(result.lastInsertRowid), at, actor, action, target, outcome, detail };
  }

  /** The newest `limit` entries, newest first. */
  list(limit = 100): AuditEntry[] {
    return this.db
      .prepare<[number], AuditEntry>(
        'SELECT id, at, actor, action, target, outcome, detail FROM audit_log ORDER BY id DESC LIMIT ?',
      )
      .all(limit);
  }
}
