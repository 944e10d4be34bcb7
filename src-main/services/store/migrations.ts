import { FleetError } from '../../shared/errors';
import type { Db } from './database';

export interface Migration {
  version: number;
  sql: string;
}

/** Ordered; a released entry is never edited, only followed by a new one. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE hosts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('ssh', 'local')),
  user TEXT,
  address TEXT,
  port INTEGER,
  auth TEXT NOT NULL CHECK (auth IN ('password', 'key', 'agent', 'none')),
  host_key_sha256 TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE credentials (
  host_id TEXT PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  passphrase TEXT
);

CREATE TABLE servers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  source_kind TEXT NOT NULL CHECK (source_kind IN ('npx', 'uvx', 'image', 'command')),
  source_value TEXT NOT NULL,
  args TEXT NOT NULL,
  env TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('shared', 'dedicated')),
  port INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE members (
  id TEXT PRIMARY KEY,
  server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_sha256 TEXT NOT NULL UNIQUE,
  token TEXT NOT NULL,
  tools TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (server_id, name)
);

-- Instances point at real containers: a host or member that still has one cannot be deleted (NO ACTION),
-- so a record is never lost while its container runs; removing a whole server takes its instances along.
CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  member_id TEXT REFERENCES members(id),
  host_id TEXT NOT NULL REFERENCES hosts(id),
  container_name TEXT NOT NULL,
  port INTEGER NOT NULL,
  config_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (host_id, container_name)
);
CREATE INDEX instances_server ON instances(server_id);
CREATE INDEX instances_member ON instances(member_id);

CREATE TABLE deploy_history (
  id TEXT PRIMARY KEY,
  server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  host_id TEXT REFERENCES hosts(id) ON DELETE SET NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed')),
  detail TEXT NOT NULL
);
CREATE INDEX deploy_history_server ON deploy_history(server_id, started_at);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
  detail TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`,
  },
  {
    // What deploy keeps beside members and instances (services/store/deploy-state-repository.ts).
    version: 2,
    sql: `
-- A member's own env values (JSON [{key, value, secret}]), only for its Dedicated instance.
ALTER TABLE members ADD COLUMN env TEXT NOT NULL DEFAULT '[]';
-- A Dedicated member's host port, pinned at its first deploy so client configs never break.
ALTER TABLE members ADD COLUMN port INTEGER;
-- The hash of the token replaced by a rotation, still accepted until the rotation is finished.
ALTER TABLE members ADD COLUMN previous_token_sha256 TEXT;
-- The tool names the last connection test listed (JSON array), null before one passed.
ALTER TABLE instances ADD COLUMN tools TEXT;
-- How a server's instances are published and limited (JSON: publishAddress, allowCidrs, limits).
ALTER TABLE servers ADD COLUMN deploy_options TEXT NOT NULL DEFAULT '{}';
`,
  },
  {
    // TLS by default: the fleet CA and the leaf certificate each instance serves (services/tls/fleet-ca.ts).
    version: 3,
    sql: `
-- The fleet certificate authority: at most one row (id 1). Its private key never leaves this store.
CREATE TABLE fleet_ca (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cert_pem TEXT NOT NULL,
  key_pem TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- One leaf per container on a host, reused until it nears expiry or its names change. Keyed by host and
-- container name rather than by instance, so a certificate can be issued before the instance is recorded.
CREATE TABLE instance_certs (
  host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  container_name TEXT NOT NULL,
  cert_pem TEXT NOT NULL,
  key_pem TEXT NOT NULL,
  fingerprint256 TEXT NOT NULL,
  not_after TEXT NOT NULL,
  -- JSON {"dns": [...], "ip": [...]}
  sans TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  PRIMARY KEY (host_id, container_name)
);

-- The leaf an export to no particular host carries (its names: the server's --tls-name names), kept
-- so that exporting again gives the same certificate, and a key given by reference still matches it.
CREATE TABLE export_certs (
  server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  container_name TEXT NOT NULL,
  cert_pem TEXT NOT NULL,
  key_pem TEXT NOT NULL,
  fingerprint256 TEXT NOT NULL,
  not_after TEXT NOT NULL,
  sans TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  PRIMARY KEY (server_id, container_name)
);
`,
  },
  {
    // The bridge's Shared-mode settings (issue 12). The defaults are what every existing row means today:
    // no roots and the bridge's own caps, so their instances render exactly as before.
    version: 4,
    sql: `
-- Shared mode: the roots the server is told (JSON [{uri, name?}], the bridge's --root).
ALTER TABLE servers ADD COLUMN roots TEXT NOT NULL DEFAULT '[]';
-- The bridge's caps (JSON {memberSessions?, memberInflight?, memberRps?, maxConnections?, maxConnectionsPerSource?}).
ALTER TABLE servers ADD COLUMN bridge_limits TEXT NOT NULL DEFAULT '{}';
-- A member's own fair-share limits (JSON {sessions?, inflight?, rps?}), the members file's "limits".
ALTER TABLE members ADD COLUMN limits TEXT NOT NULL DEFAULT '{}';
`,
  },
  {
    // Per-member access to resources and prompts beside tools (issue 12). The default is all, which is
    // what every existing member has today, so their members files and config hashes stay as they are.
    version: 5,
    sql: `
-- The resource URIs or patterns a member may list and read (JSON array): ["*"] all, [] none.
ALTER TABLE members ADD COLUMN resources TEXT NOT NULL DEFAULT '["*"]';
-- The prompt names or patterns a member may list and get (JSON array): ["*"] all, [] none.
ALTER TABLE members ADD COLUMN prompts TEXT NOT NULL DEFAULT '["*"]';
`,
  },
  {
    // What a server reaches on its host (issue 13): bind mounts and named volumes, existing Docker
    // networks, extra /etc/hosts lines. Empty for every existing server, so nothing it runs changes.
    version: 6,
    sql: `
-- {mounts, networks, extraHosts, allowDockerSocket} as in src-main/shared/server-mounts.ts.
ALTER TABLE servers ADD COLUMN reach TEXT NOT NULL DEFAULT '{"mounts":[],"networks":[],"extraHosts":[],"allowDockerSocket":false}';
`,
  },
  {
    // Settings instead of hidden variables (issue 13): the fleet's own (host_id '') and each host's
    // overrides. A removed host takes its overrides with it.
    version: 7,
    sql: `
CREATE TABLE settings (
  host_id TEXT NOT NULL DEFAULT '',
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (host_id, key)
);
CREATE TRIGGER settings_follow_hosts AFTER DELETE ON hosts BEGIN
  DELETE FROM settings WHERE host_id = OLD.id;
END;
`,
  },
  {
    // The audit trail of calls (issue 14): what each instance's bridge logged, collected over SSH. Rows
    // keep names, not ids, so they outlive the server, member or container they describe; only pruning
    // by age deletes them.
    version: 8,
    sql: `
CREATE TABLE audit_calls (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  server TEXT NOT NULL,
  instance TEXT NOT NULL,
  member TEXT,
  session TEXT,
  method TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL,
  ms INTEGER,
  correlation_id TEXT,
  collected_at TEXT NOT NULL
);
CREATE INDEX audit_calls_at ON audit_calls (at);
CREATE INDEX audit_calls_server_member ON audit_calls (server, member, at);
-- Where collection of a container's log stands: the container id (a new container starts afresh), the
-- timestamp of the last line taken and how many lines carried exactly that timestamp.
CREATE TABLE audit_cursors (
  container_id TEXT PRIMARY KEY,
  instance TEXT NOT NULL,
  last_ts TEXT NOT NULL,
  same_ts_count INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
);
`,
  },
  {
    // Alerts (issue 14): the webhooks the operator adds, and what was raised (for de-duplication, the
    // rate limit and the app's list). A webhook's headers may hold a secret: the file is encrypted.
    version: 9,
    sql: `
CREATE TABLE alert_webhooks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  format TEXT NOT NULL,
  headers TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE TABLE alerts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  subject TEXT NOT NULL,
  message TEXT NOT NULL,
  dedup_key TEXT NOT NULL
);
CREATE INDEX alerts_dedup ON alerts (dedup_key, at);
`,
  },
  {
    // Tool pinning (issue 14): each server's approved definitions (tools, prompts, resource templates)
    // with their hashes (shared/tool-pins.ts), what was seen that is not approved (for the diff), and
    // whether new ones are approved by themselves.
    version: 10,
    sql: `
CREATE TABLE definition_pins (
  server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  definition TEXT NOT NULL,
  approved_at TEXT NOT NULL,
  PRIMARY KEY (server_id, kind, name)
);
CREATE TABLE definition_seen (
  server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  definition TEXT NOT NULL,
  seen_at TEXT NOT NULL,
  PRIMARY KEY (server_id, kind, name, hash)
);
ALTER TABLE servers ADD COLUMN auto_approve_new INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    // The audit trail's retention and its forwarding to the operator's OTLP collector (issue 14): fleet-wide,
    // one row each. Header values may hold an API key: the file is encrypted. The forwarding cursor is the
    // last audit_calls seq a collector accepted (NULL: not started, so it begins at the oldest row kept);
    // the lease names the one process forwarding now, so two never send the same batch.
    version: 11,
    sql: `
CREATE TABLE audit_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  retention_days INTEGER NOT NULL,
  otlp_url TEXT,
  otlp_headers TEXT NOT NULL DEFAULT '[]',
  updated_at TEXT NOT NULL
);
CREATE TABLE audit_forward_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cursor_seq INTEGER,
  sent INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  last_attempt_at TEXT,
  last_sent_at TEXT,
  last_error TEXT,
  lease_owner TEXT,
  lease_until INTEGER
);
INSERT INTO audit_forward_state (id) VALUES (1);
`,
  },
  {
    // Tool pinning (issue 14): when the app recorded a server's first approved set. NULL: nothing pinned
    // yet, so its bridges serve what they list and report it, and the app pins that.
    version: 12,
    sql: `
ALTER TABLE servers ADD COLUMN pins_recorded_at TEXT;
`,
  },
  {
    // The audit trail's times as Unix milliseconds (INTEGER), not ISO text: a row and its two index
    // entries are 54 bytes smaller, which is most of what collecting a call costs the encrypted store
    // (npm run bench:audit). The repository still takes and gives ISO times. Rows keep their seq, and
    // the sequence keeps its high mark, so the OTLP forwarder's cursor still means the same row.
    version: 13,
    sql: `
CREATE TABLE audit_calls_ms (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  server TEXT NOT NULL,
  instance TEXT NOT NULL,
  member TEXT,
  session TEXT,
  method TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL,
  ms INTEGER,
  correlation_id TEXT,
  collected_at INTEGER NOT NULL
);
INSERT INTO audit_calls_ms (seq, at, server, instance, member, session, method, target, outcome, ms,
    correlation_id, collected_at)
  SELECT seq, CAST(round(unixepoch(at, 'subsec') * 1000) AS INTEGER), server, instance, member, session,
    method, target, outcome, ms, correlation_id,
    CAST(round(unixepoch(collected_at, 'subsec') * 1000) AS INTEGER)
  FROM audit_calls ORDER BY seq;
DELETE FROM sqlite_sequence WHERE name = 'audit_calls_ms';
INSERT INTO sqlite_sequence (name, seq) SELECT 'audit_calls_ms', seq FROM sqlite_sequence WHERE name = 'audit_calls';
DROP TABLE audit_calls;
ALTER TABLE audit_calls_ms RENAME TO audit_calls;
CREATE INDEX audit_calls_at ON audit_calls (at);
CREATE INDEX audit_calls_server_member ON audit_calls (server, member, at);
`,
  },
];

export const LATEST_VERSION = migrations.reduce((max, m) => Math.max(max, m.version), 0);

function userVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration newer than the file's `user_version`, each in its own transaction together with
 * the version bump. IMMEDIATE takes the write lock before reading the version, so two processes opening
 * a fresh store at once cannot both apply the same step.
 * Throws FleetError('store_locked') when the file was written by a newer MCP Fleet.
 */
export function applyMigrations(db: Db, list: readonly Migration[] = migrations): number {
  const latest = list.reduce((max, m) => Math.max(max, m.version), 0);
  const check = (current: number): void => {
    if (current > latest) {
      throw new FleetError(
        'store_locked',
        `store schema v${current} is newer than this MCP Fleet (v${latest})`,
      );
    }
  };
  const start = userVersion(db);
  check(start);
  if (start === latest) return start;
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    db.transaction(() => {
      const current = userVersion(db);
      check(current);
      if (current >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return userVersion(db);
}
