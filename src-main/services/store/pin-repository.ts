/**
 * Tool pinning in the store: the approved definitions of each server (definition_pins), the other
 * definitions its bridges reported (definition_seen: changed or new, quarantined or auto-approved), and
 * per server whether a first set was recorded and whether new entries are approved automatically.
 */
import type { PinKind } from '../../shared/tool-pins';
import { nowIso } from './database';
import type { Db } from './database';

/** One approved or reported definition: its key (name or uriTemplate), hash and pinned fields. */
export interface PinnedDefinition {
  kind: PinKind;
  name: string;
  hash: string;
  /** The pinned fields as the server listed them; null when the bridge left a long one out. */
  definition: Record<string, unknown> | null;
  /** ISO: when it was approved (pins) or first reported (seen). */
  at: string;
}

/** A server's pinning state. */
export interface PinState {
  /** ISO: when the first approved set was recorded; null while nothing is pinned yet. */
  recordedAt: string | null;
  autoApproveNew: boolean;
}

interface Row {
  kind: string;
  name: string;
  hash: string;
  definition: string;
  at: string;
}

function toDefinition(row: Row): PinnedDefinition {
  let definition: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(row.definition);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      definition = parsed as Record<string, unknown>;
    }
  } catch {
    definition = null;
  }
  return { kind: row.kind as PinKind, name: row.name, hash: row.hash, definition, at: row.at };
}

/** How many distinct reported definitions are kept per server and key (the newest). */
const SEEN_PER_KEY = 5;

export class PinRepository {
  constructor(private readonly db: Db) {}

  state(serverId: string): PinState {
    const row = this.db
      .prepare('SELECT pins_recorded_at AS recordedAt, auto_approve_new AS auto FROM servers WHERE id = ?')
      .get(serverId) as { recordedAt: string | null; auto: number } | undefined;
    return { recordedAt: row?.recordedAt ?? null, autoApproveNew: row?.auto === 1 };
  }

  setAutoApproveNew(serverId: string, on: boolean): void {
    this.db.prepare('UPDATE servers SET auto_approve_new = ? WHERE id = ?').run(on ? 1 : 0, serverId);
  }

  /** Marks the first approved set as recorded (kept when already set). */
  markRecorded(serverId: string, at: string = nowIso()): void {
    this.db
      .prepare('UPDATE servers SET pins_recorded_at = COALESCE(pins_recorded_at, ?) WHERE id = ?')
      .run(at, serverId);
  }

  /** Forgets every pin and report of the server: the next survey records a first set again. */
  reset(serverId: string): void {
    this.db.prepare('DELETE FROM definition_pins WHERE server_id = ?').run(serverId);
    this.db.prepare('DELETE FROM definition_seen WHERE server_id = ?').run(serverId);
    this.db.prepare('UPDATE servers SET pins_recorded_at = NULL WHERE id = ?').run(serverId);
  }

  pins(serverId: string): PinnedDefinition[] {
    return (
      this.db
        .prepare(
          `SELECT kind, name, hash, definition, approved_at AS at FROM definition_pins
           WHERE server_id = ? ORDER BY kind, name`,
        )
        .all(serverId) as Row[]
    ).map(toDefinition);
  }

  pin(serverId: string, kind: PinKind, name: string): PinnedDefinition | null {
    const row = this.db
      .prepare(
        `SELECT kind, name, hash, definition, approved_at AS at FROM definition_pins
         WHERE server_id = ? AND kind = ? AND name = ?`,
      )
      .get(serverId, kind, name) as Row | undefined;
    return row ? toDefinition(row) : null;
  }

  /** Approves a definition: replaces the pin of its key. */
  approve(serverId: string, d: Omit<PinnedDefinition, 'at'>, at: string = nowIso()): void {
    this.db
      .prepare(
        `INSERT INTO definition_pins (server_id, kind, name, hash, definition, approved_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (server_id, kind, name) DO UPDATE SET
           hash = excluded.hash, definition = excluded.definition, approved_at = excluded.approved_at`,
      )
      .run(serverId, d.kind, d.name, d.hash, JSON.stringify(d.definition ?? null), at);
    this.db
      .prepare('DELETE FROM definition_seen WHERE server_id = ? AND kind = ? AND name = ? AND hash = ?')
      .run(serverId, d.kind, d.name, d.hash);
  }

  /** Removes a pin (the operator dropped an entry the server no longer lists). */
  unpin(serverId: string, kind: PinKind, name: string): void {
    this.db
      .prepare('DELETE FROM definition_pins WHERE server_id = ? AND kind = ? AND name = ?')
      .run(serverId, kind, name);
  }

  /**
   * Records a definition a bridge reported that is not the approved one; true when it is new to the
   * store (the first report of that hash: an alert is due). Older reports of a key beyond the newest
   * few are dropped.
   */
  saw(serverId: string, d: Omit<PinnedDefinition, 'at'>, at: string = nowIso()): boolean {
    const added = this.db
      .prepare(
        `INSERT OR IGNORE INTO definition_seen (server_id, kind, name, hash, definition, seen_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(serverId, d.kind, d.name, d.hash, JSON.stringify(d.definition ?? null), at).changes;
    if (added > 0) {
      this.db
        .prepare(
          `DELETE FROM definition_seen WHERE server_id = ? AND kind = ? AND name = ? AND hash NOT IN (
             SELECT hash FROM definition_seen WHERE server_id = ? AND kind = ? AND name = ?
             ORDER BY seen_at DESC, hash LIMIT ${SEEN_PER_KEY})`,
        )
        .run(serverId, d.kind, d.name, serverId, d.kind, d.name);
    }
    return added > 0;
  }

  /** The reported definitions that differ from the pins, newest first per key. */
  seen(serverId: string): PinnedDefinition[] {
    return (
      this.db
        .prepare(
          `SELECT s.kind, s.name, s.hash, s.definition, s.seen_at AS at FROM definition_seen s
           WHERE s.server_id = ? AND NOT EXISTS (
             SELECT 1 FROM definition_pins p
             WHERE p.server_id = s.server_id AND p.kind = s.kind AND p.name = s.name AND p.hash = s.hash)
           ORDER BY s.kind, s.name, s.seen_at DESC`,
        )
        .all(serverId) as Row[]
    ).map(toDefinition);
  }
}
