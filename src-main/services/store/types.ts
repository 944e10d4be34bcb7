import type { ServerReach } from '../../shared/server-mounts';
/**
 * Records as the store keeps them. Secrets (passwords, private keys, passphrases, tokens, secret env
 * values) live only inside the encrypted database file; nothing here is ever sent to the renderer as is.
 */
import type { BridgeLimits, BridgeRoot, MemberLimits } from '../../shared/bridge-settings';

export type HostKind = 'ssh' | 'local';
export type HostAuth = 'password' | 'key' | 'agent' | 'none';

export interface HostRecord {
  id: string;
  name: string;
  kind: HostKind;
  user: string | null;
  address: string | null;
  port: number | null;
  auth: HostAuth;
  /** Pinned host-key fingerprint ("SHA256:..."), null until first contact. */
  hostKeySha256: string | null;
  createdAt: string;
}

export interface HostCredential {
  /** The password, or the private key's PEM/OpenSSH text. */
  secret: string;
  passphrase: string | null;
}

export type SourceKind = 'npx' | 'uvx' | 'image' | 'command';

export interface EnvEntry {
  key: string;
  value: string;
  secret: boolean;
}

export interface ServerRecord {
  id: string;
  name: string;
  sourceKind: SourceKind;
  sourceValue: string;
  args: string[];
  env: EnvEntry[];
  mode: 'shared' | 'dedicated';
  port: number | null;
  /** Shared only: the roots the bridge answers the server's roots/list with (--root); [] for none. */
  roots: BridgeRoot[];
  /** The bridge's caps that differ from its defaults; {} for none. */
  bridgeLimits: BridgeLimits;
  /** Mounts, networks and extra hosts the server reaches on its host; EMPTY_REACH for none. */
  reach: ServerReach;
  createdAt: string;
  updatedAt: string;
}

export interface MemberRecord {
  id: string;
  serverId: string;
  name: string;
  tokenSha256: string;
  /** The token itself, kept (encrypted with the file) so exports can produce client configs. */
  token: string;
  /** Allowed tool names or patterns: ['*'] all, [] none (the rule in shared/members-file.ts). */
  tools: string[];
  /** Allowed resource URIs or patterns: ['*'] all, [] none. */
  resources: string[];
  /** Allowed prompt names or patterns: ['*'] all, [] none. */
  prompts: string[];
  /** The member's own fair-share limits (members file `limits`); {} keeps the server's. */
  limits: MemberLimits;
  createdAt: string;
}

export interface InstanceRecord {
  id: string;
  serverId: string;
  memberId: string | null;
  hostId: string;
  containerName: string;
  port: number;
  configHash: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeployRecord {
  id: string;
  serverId: string;
  hostId: string | null;
  startedAt: string;
  finishedAt: string | null;
  outcome: 'running' | 'ok' | 'failed';
  detail: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: 'ok' | 'failed';
  detail: string;
}

/** Where the 32-byte database key comes from: scrypt of the passphrase (PassphraseKeyProvider), or a key already derived (StaticKeyProvider: the keychain's remembered copy, tests). */
export interface KeyProvider {
  /** Returns the raw 32-byte key for the store in `home`; creates what it needs on first use. Throws FleetError('store_locked') when it cannot. */
  getKey(home: string): Promise<Buffer>;
}
