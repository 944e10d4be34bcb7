import { FleetError } from '../../shared/errors';
import type { SettingKey } from '../../shared/fleet-settings';
import { nowIso } from './database';
import type { Db } from './database';

/** The fleet's own settings sit under this host id; a host's overrides under the host's id. */
export const FLEET_SCOPE = '';

/** Secrets kept beside the settings (a registry's credential): never listed with them. */
const SECRET_PREFIX = 'secret:';

export interface SettingRecord {
  /** '' (FLEET_SCOPE) for the fleet's own value, else the host's id. */
  hostId: string;
  key: string;
  value: string;
  /** ISO */
  updatedAt: string;
}

interface SettingRow {
  host_id: string;
  key: string;
  value: string;
  updated_at: string;
}

function toRecord(row: SettingRow): SettingRecord {
  return { hostId: row.host_id, key: row.key, value: row.value, updatedAt: row.updated_at };
}

/**
 * Settings (migration 7): the fleet's own values and each host's overrides, stored as given after the
 * service checked them. A removed host takes its overrides with it (trigger settings_follow_hosts).
 */
export class SettingsRepository {
  constructor(private readonly db: Db) {}

  /** The values stored for one scope: the fleet's ('') or a host's id. */
  list(hostId: string = FLEET_SCOPE): SettingRecord[] {
    return this.db
      .prepare<[string], SettingRow>(
        `SELECT * FROM settings WHERE host_id = ? AND key NOT LIKE '${SECRET_PREFIX}%' ORDER BY key`,
      )
      .all(hostId)
      .map(toRecord);
  }

  /** Every stored value of every scope. */
  all(): SettingRecord[] {
    return this.db
      .prepare<[], SettingRow>(
        `SELECT * FROM settings WHERE key NOT LIKE '${SECRET_PREFIX}%' ORDER BY host_id, key`,
      )
      .all()
      .map(toRecord);
  }

  get(key: SettingKey, hostId: string = FLEET_SCOPE): string | null {
    const row = this.db
      .prepare<[string, string], { value: string }>(
        'SELECT value FROM settings WHERE host_id = ? AND key = ?',
      )
      .get(hostId, key);
    return row?.value ?? null;
  }

  /** Stores a value, replacing the scope's earlier one. Throws FleetError('not_found') for an unknown host id. */
  set(key: SettingKey, value: string, hostId: string = FLEET_SCOPE): SettingRecord {
    if (hostId !== FLEET_SCOPE) {
      const host = this.db.prepare<[string], { id: string }>('SELECT id FROM hosts WHERE id = ?').get(hostId);
      if (!host) throw new FleetError('not_found', 'no such host; it may have been removed');
    }
    const record: SettingRecord = { hostId, key, value, updatedAt: nowIso() };
    this.db
      .prepare(
        `INSERT INTO settings (host_id, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (host_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(hostId, key, value, record.updatedAt);
    return record;
  }

  /** A secret stored under `name` for the fleet (the store is encrypted whole); never shown by list or all. */
  getSecret(name: string): string | null {
    return this.get(`${SECRET_PREFIX}${name}` as SettingKey);
  }

  setSecret(name: string, value: string): void {
    this.set(`${SECRET_PREFIX}${name}` as SettingKey, value);
  }

  /** true when there was one. */
  unsetSecret(name: string): boolean {
    return this.unset(`${SECRET_PREFIX}${name}` as SettingKey);
  }

  /** Removes a stored value; true when there was one. */
  unset(key: SettingKey, hostId: string = FLEET_SCOPE): boolean {
    return this.db.prepare('DELETE FROM settings WHERE host_id = ? AND key = ?').run(hostId, key).changes > 0;
  }
}
