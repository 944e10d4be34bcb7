import { randomUUID } from 'node:crypto';
import { FleetError } from '../../shared/errors';
import { nowIso, uniqueOr } from './database';
import type { Db } from './database';
import { pickMemberLimits, type MemberLimits } from '../../shared/bridge-settings';
import type { MemberRecord } from './types';

type Defaulted = 'resources' | 'prompts' | 'limits';
/** resources, prompts and limits may be left out: most members may use all and keep the server's caps. */
export type NewMember = Omit<MemberRecord, 'id' | 'createdAt' | Defaulted> &
  Partial<Pick<MemberRecord, Defaulted>>;
/** What a member's row can change to; each field left out stays. */
export type MemberPatch = Partial<
  Pick<MemberRecord, 'token' | 'tokenSha256' | 'tools' | 'resources' | 'prompts' | 'limits'>
>;

interface MemberRow {
  id: string;
  server_id: string;
  name: string;
  token_sha256: string;
  token: string;
  tools: string;
  resources: string;
  prompts: string;
  limits: string;
  created_at: string;
}

function toRecord(row: MemberRow): MemberRecord {
  return {
    id: row.id,
    serverId: row.server_id,
    name: row.name,
    tokenSha256: row.token_sha256,
    token: row.token,
    tools: JSON.parse(row.tools) as string[],
    resources: JSON.parse(row.resources) as string[],
    prompts: JSON.parse(row.prompts) as string[],
    limits: JSON.parse(row.limits) as MemberLimits,
    createdAt: row.created_at,
  };
}

/** The row's parameters; only known limits are written, so a stray property never lands in the file. */
function toParams(record: MemberRecord): Record<string, unknown> {
  return {
    ...record,
    tools: JSON.stringify(record.tools),
    resources: JSON.stringify(record.resources),
    prompts: JSON.stringify(record.prompts),
    limits: JSON.stringify(pickMemberLimits(record.limits)),
  };
}

function conflictMessage(name: string): (sqliteText: string) => string {
  return (text) =>
    text.includes('token_sha256')
      ? 'that token is already in use by another member'
      : `a member named "${name}" already exists on this server`;
}

/** People and agents that consume a server, each with its own token. */
export class MemberRepository {
  constructor(private readonly db: Db) {}

  listByServer(serverId: string): MemberRecord[] {
    return this.db
      .prepare<[string], MemberRow>('SELECT * FROM members WHERE server_id = ? ORDER BY name')
      .all(serverId)
      .map(toRecord);
  }

  getById(id: string): MemberRecord | null {
    const row = this.db.prepare<[string], MemberRow>('SELECT * FROM members WHERE id = ?').get(id);
    return row ? toRecord(row) : null;
  }

  getByName(serverId: string, name: string): MemberRecord | null {
    const row = this.db
      .prepare<[string, string], MemberRow>('SELECT * FROM members WHERE server_id = ? AND name = ?')
      .get(serverId, name);
    return row ? toRecord(row) : null;
  }

  /** Throws FleetError('conflict') on a taken name or token, ('not_found') when the server is gone. */
  insert(member: NewMember): MemberRecord {
    const record: MemberRecord = {
      ...member,
      resources: member.resources ?? ['*'],
      prompts: member.prompts ?? ['*'],
      limits: member.limits ?? {},
      id: randomUUID(),
      createdAt: nowIso(),
    };
    try {
      uniqueOr(conflictMessage(member.name), () =>
        this.db
          .prepare(
            `INSERT INTO members (id, server_id, name, token_sha256, token, tools, resources, prompts, limits,
               created_at)
             VALUES (@id, @serverId, @name, @tokenSha256, @token, @tools, @resources, @prompts, @limits,
               @createdAt)`,
          )
          .run(toParams(record)),
      );
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new FleetError('not_found', 'no such server');
      }
      throw err;
    }
    return record;
  }

  /**
   * Rotates the token, or changes what the member may use or its limits (each given field replaces the
   * stored one whole). Throws FleetError('not_found') or ('conflict').
   */
  update(id: string, patch: MemberPatch): MemberRecord {
    return this.db
      .transaction(() => {
        const current = this.getById(id);
        if (!current) throw new FleetError('not_found', 'no such member');
        const next: MemberRecord = {
          ...current,
          token: patch.token ?? current.token,
          tokenSha256: patch.tokenSha256 ?? current.tokenSha256,
          tools: patch.tools ?? current.tools,
          resources: patch.resources ?? current.resources,
          prompts: patch.prompts ?? current.prompts,
          limits: pickMemberLimits(patch.limits ?? current.limits),
        };
        uniqueOr(conflictMessage(current.name), () =>
          this.db
            .prepare(
              `UPDATE members SET token = @token, token_sha256 = @tokenSha256, tools = @tools,
               resources = @resources, prompts = @prompts, limits = @limits WHERE id = @id`,
            )
            .run(toParams(next)),
        );
        return next;
      })
      .immediate();
  }

  /** Deletes a member; false when there was none. Throws FleetError('conflict') while its instance exists. */
  remove(serverId: string, name: string): boolean {
    return this.db
      .transaction(() => {
        const member = this.getByName(serverId, name);
        if (!member) return false;
        const count = this.db
          .prepare<[string], { n: number }>('SELECT count(*) AS n FROM instances WHERE member_id = ?')
          .get(member.id);
        if (count && count.n > 0) {
          throw new FleetError(
            'conflict',
            `member "${name}" still has ${count.n} instance(s); remove them first`,
          );
        }
        return this.db.prepare('DELETE FROM members WHERE id = ?').run(member.id).changes > 0;
      })
      .immediate();
  }
}
