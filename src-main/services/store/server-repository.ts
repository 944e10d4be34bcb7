import { randomUUID } from 'node:crypto';
import { FleetError } from '../../shared/errors';
import { nowIso, uniqueOr } from './database';
import type { Db } from './database';
import { pickBridgeLimits, type BridgeLimits, type BridgeRoot } from '../../shared/bridge-settings';
import { EMPTY_REACH, type ServerReach } from '../../shared/server-mounts';
import type { EnvEntry, ServerRecord, SourceKind } from './types';

/** roots and bridgeLimits may be left out: most servers keep the bridge's defaults. */
export type NewServer = Omit<
  ServerRecord,
  'id' | 'createdAt' | 'updatedAt' | 'roots' | 'bridgeLimits' | 'reach'
> &
  Partial<Pick<ServerRecord, 'roots' | 'bridgeLimits' | 'reach'>>;
export type ServerPatch = Partial<NewServer>;

interface ServerRow {
  id: string;
  name: string;
  source_kind: SourceKind;
  source_value: string;
  args: string;
  env: string;
  mode: 'shared' | 'dedicated';
  port: number | null;
  roots: string;
  bridge_limits: string;
  reach: string;
  created_at: string;
  updated_at: string;
}

function toRecord(row: ServerRow): ServerRecord {
  return {
    id: row.id,
    name: row.name,
    sourceKind: row.source_kind,
    sourceValue: row.source_value,
    args: JSON.parse(row.args) as string[],
    env: JSON.parse(row.env) as EnvEntry[],
    mode: row.mode,
    port: row.port,
    roots: JSON.parse(row.roots) as BridgeRoot[],
    bridgeLimits: JSON.parse(row.bridge_limits) as BridgeLimits,
    reach: { ...EMPTY_REACH, ...(JSON.parse(row.reach) as Partial<ServerReach>) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toParams(record: ServerRecord): Record<string, unknown> {
  return {
    ...record,
    args: JSON.stringify(record.args),
    // Copy only the three fields so a stray property on an entry never lands in the file.
    env: JSON.stringify(record.env.map(({ key, value, secret }) => ({ key, value, secret }))),
    roots: JSON.stringify(record.roots.map(({ uri, name }) => ({ uri, name }))),
    bridgeLimits: JSON.stringify(pickBridgeLimits(record.bridgeLimits)),
    reach: JSON.stringify({
      mounts: record.reach.mounts,
      networks: record.reach.networks,
      extraHosts: record.reach.extraHosts.map(({ name, ip }) => ({ name, ip })),
      allowDockerSocket: record.reach.allowDockerSocket,
    }),
  };
}

/** Server definitions; args, env, roots and bridge limits are JSON columns: always read and written whole. */
export class ServerRepository {
  constructor(private readonly db: Db) {}

  list(): ServerRecord[] {
    return this.db.prepare<[], ServerRow>('SELECT * FROM servers ORDER BY name').all().map(toRecord);
  }

  getById(id: string): ServerRecord | null {
    const row = this.db.prepare<[string], ServerRow>('SELECT * FROM servers WHERE id = ?').get(id);
    return row ? toRecord(row) : null;
  }

  getByName(name: string): ServerRecord | null {
    const row = this.db.prepare<[string], ServerRow>('SELECT * FROM servers WHERE name = ?').get(name);
    return row ? toRecord(row) : null;
  }

  /** Throws FleetError('conflict') when the name is taken. */
  insert(server: NewServer): ServerRecord {
    const at = nowIso();
    const record: ServerRecord = {
      ...server,
      roots: server.roots ?? [],
      bridgeLimits: server.bridgeLimits ?? {},
      reach: server.reach ?? EMPTY_REACH,
      id: randomUUID(),
      createdAt: at,
      updatedAt: at,
    };
    uniqueOr(`a server named "${server.name}" already exists`, () =>
      this.db
        .prepare(
          `INSERT INTO servers (id, name, source_kind, source_value, args, env, mode, port, roots, bridge_limits,
             reach, created_at, updated_at)
           VALUES (@id, @name, @sourceKind, @sourceValue, @args, @env, @mode, @port, @roots, @bridgeLimits,
             @reach, @createdAt, @updatedAt)`,
        )
        .run(toParams(record)),
    );
    return record;
  }

  /** Applies `patch` to the server `id`. Throws FleetError('not_found'), or ('conflict') on a rename to a taken name. */
  update(id: string, patch: ServerPatch): ServerRecord {
    return this.db
      .transaction(() => {
        const current = this.getById(id);
        if (!current) throw new FleetError('not_found', 'no such server');
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
        const next: ServerRecord = {
          ...current,
          ...defined,
          id,
          createdAt: current.createdAt,
          updatedAt: nowIso(),
        };
        uniqueOr(`a server named "${next.name}" already exists`, () =>
          this.db
            .prepare(
              `UPDATE servers SET name = @name, source_kind = @sourceKind, source_value = @sourceValue, args = @args,
               env = @env, mode = @mode, port = @port, roots = @roots, bridge_limits = @bridgeLimits,
               reach = @reach, updated_at = @updatedAt WHERE id = @id`,
            )
            .run(toParams(next)),
        );
        return next;
      })
      .immediate();
  }

  /**
   * Deletes a server with its members and deploy history; false when there was none.
   * Throws FleetError('conflict') while it still has instances.
   */
  remove(name: string): boolean {
    return this.db
      .transaction(() => {
        const server = this.getByName(name);
        if (!server) return false;
        const count = this.db
          .prepare<[string], { n: number }>('SELECT count(*) AS n FROM instances WHERE server_id = ?')
          .get(server.id);
        if (count && count.n > 0) {
          throw new FleetError(
            'conflict',
            `server "${name}" still has ${count.n} instance(s); remove them first`,
          );
        }
        return this.db.prepare('DELETE FROM servers WHERE id = ?').run(server.id).changes > 0;
      })
      .immediate();
  }
}
