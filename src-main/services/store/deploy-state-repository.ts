import type { Db } from './database';
import type { EnvEntry } from './types';

/** How a server's instances are published and limited; every field optional, defaults apply. */
export interface ServerDeployOptions {
  /** '' for all interfaces, or one address such as 127.0.0.1. */
  publishAddress?: string;
  allowCidrs?: string[];
  limits?: {
    memoryBytes?: number;
    nanoCpus?: number;
    pidsLimit?: number;
    tmpfsSizeBytes?: number;
    tmpExec?: boolean;
  };
  /** Deployed as Swarm services (deploy --swarm). */
  swarm?: boolean;
  /** How the bridges serve TLS; absent: the fleet CA's leaves. */
  tls?: { kind: 'fleet' } | { kind: 'own'; certPem: string; keyPem: string } | { kind: 'none' };
  /** Extra names (DNS or IP) for the fleet leaves' SANs, beside the host's address. */
  tlsNames?: string[];
}

/** A member's deploy-related state: its own env values, its pinned port, a token being rotated out. */
export interface MemberDeployState {
  env: EnvEntry[];
  port: number | null;
  previousTokenSha256: string | null;
}

interface MemberStateRow {
  env: string;
  port: number | null;
  previous_token_sha256: string | null;
}

/**
 * The columns migration 2 added to members and instances. Kept apart from the member and instance
 * repositories so that their records (and everything that builds them) stay as they are.
 */
export class DeployStateRepository {
  constructor(private readonly db: Db) {}

  /** The member's state; null when the member does not exist. */
  member(memberId: string): MemberDeployState | null {
    const row = this.db
      .prepare<[string], MemberStateRow>('SELECT env, port, previous_token_sha256 FROM members WHERE id = ?')
      .get(memberId);
    if (!row) return null;
    return {
      env: JSON.parse(row.env) as EnvEntry[],
      port: row.port,
      previousTokenSha256: row.previous_token_sha256,
    };
  }

  /** Changes the given fields; false when the member does not exist. */
  setMember(memberId: string, patch: Partial<MemberDeployState>): boolean {
    const current = this.member(memberId);
    if (!current) return false;
    const next = { ...current, ...patch };
    return (
      this.db
        .prepare('UPDATE members SET env = ?, port = ?, previous_token_sha256 = ? WHERE id = ?')
        .run(JSON.stringify(next.env), next.port, next.previousTokenSha256, memberId).changes > 0
    );
  }

  /** Ports pinned by any member of any server. */
  memberPorts(): number[] {
    return this.db
      .prepare<[], { port: number }>('SELECT port FROM members WHERE port IS NOT NULL')
      .all()
      .map((r) => r.port);
  }

  /** The server's saved deploy options; {} when none were given (or the server does not exist). */
  serverOptions(serverId: string): ServerDeployOptions {
    const row = this.db
      .prepare<[string], { deploy_options: string }>('SELECT deploy_options FROM servers WHERE id = ?')
      .get(serverId);
    return row ? (JSON.parse(row.deploy_options) as ServerDeployOptions) : {};
  }

  setServerOptions(serverId: string, options: ServerDeployOptions): boolean {
    return (
      this.db
        .prepare('UPDATE servers SET deploy_options = ? WHERE id = ?')
        .run(JSON.stringify(options), serverId).changes > 0
    );
  }

  /** The tools the instance's last connection test listed; null before one passed. */
  instanceTools(instanceId: string): string[] | null {
    const row = this.db
      .prepare<[string], { tools: string | null }>('SELECT tools FROM instances WHERE id = ?')
      .get(instanceId);
    return row?.tools == null ? null : (JSON.parse(row.tools) as string[]);
  }

  setInstanceTools(instanceId: string, tools: readonly string[] | null): boolean {
    return (
      this.db
        .prepare('UPDATE instances SET tools = ? WHERE id = ?')
        .run(tools === null ? null : JSON.stringify(tools), instanceId).changes > 0
    );
  }
}
