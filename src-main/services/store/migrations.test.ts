import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import { STORE_FILE, ensureDbFile, openEncrypted } from './database';
import { StaticKeyProvider } from './key-providers';
import { LATEST_VERSION, applyMigrations, migrations } from './migrations';
import { Store } from './store';
import { createTestStore } from '../../test-support/store';

/** A fresh store file with the migrations applied only up to `version`, as an older release left it. */
async function storeAtVersion(version: number) {
  const home = mkdtempSync(join(tmpdir(), `mcp-fleet-v${version}-`));
  const keyProvider = new StaticKeyProvider(randomBytes(32));
  const path = join(home, STORE_FILE);
  ensureDbFile(path);
  const db = openEncrypted(path, await keyProvider.getKey());
  assert.equal(
    applyMigrations(
      db,
      migrations.filter((m) => m.version <= version),
    ),
    version,
  );
  return { home, keyProvider, db };
}

void describe('store migrations', () => {
  void it('are idempotent: reopening keeps the version and the data', async () => {
    const t = await createTestStore();
    try {
      assert.equal(t.store.schemaVersion(), LATEST_VERSION);
      t.store.hosts.insert(
        {
          name: 'local',
          kind: 'local',
          user: null,
          address: null,
          port: null,
          auth: 'none',
          hostKeySha256: null,
        },
        null,
      );
      t.store.close();
      for (let i = 0; i < 2; i++) {
        const again = await Store.open({ home: t.home, keyProvider: t.keyProvider });
        assert.equal(again.schemaVersion(), LATEST_VERSION);
        assert.deepEqual(
          again.hosts.list().map((h) => h.name),
          ['local'],
        );
        again.close();
      }
    } finally {
      t.cleanup();
    }
  });

  void it('bring a v2 store up to date with its hosts kept and the TLS tables empty', async () => {
    // A file taken only as far as v2, as the previous release left it.
    const { home, keyProvider, db } = await storeAtVersion(2);
    try {
      db.prepare(
        "INSERT INTO hosts (id, name, kind, auth, created_at) VALUES ('h1', 'lab', 'local', 'none', '2026-01-01')",
      ).run();
    } finally {
      db.close();
    }
    const store = await Store.open({ home, keyProvider });
    try {
      assert.equal(store.schemaVersion(), LATEST_VERSION);
      assert.equal(store.tls.ca(), null);
      assert.deepEqual(store.tls.leavesOfHost('h1'), []);
      assert.deepEqual(
        store.hosts.list().map((h) => h.name),
        ['lab'],
      );
    } finally {
      store.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  void it('bring a v3 store to v4 with servers and members kept, on the bridge defaults', async () => {
    // A file taken only as far as v3, as the previous release left it, with a server and a member.
    const { home, keyProvider, db } = await storeAtVersion(3);
    try {
      db.prepare(
        `INSERT INTO servers (id, name, source_kind, source_value, args, env, mode, port, created_at, updated_at)
         VALUES ('s1', 'memory', 'npx', 'pkg', '[]', '[]', 'shared', 18080, '2026-01-01', '2026-01-01')`,
      ).run();
      db.prepare(
        `INSERT INTO members (id, server_id, name, token_sha256, token, tools, created_at)
         VALUES ('m1', 's1', 'alice', '${'a'.repeat(64)}', 'tok', '["*"]', '2026-01-01')`,
      ).run();
    } finally {
      db.close();
    }
    const store = await Store.open({ home, keyProvider });
    try {
      assert.equal(store.schemaVersion(), LATEST_VERSION);
      const server = store.servers.getByName('memory');
      assert.ok(server);
      assert.deepEqual([server.port, server.roots, server.bridgeLimits], [18080, [], {}]);
      const member = store.members.getByName(server.id, 'alice');
      assert.deepEqual([member?.tools, member?.limits], [['*'], {}]);
    } finally {
      store.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  void it('bring a v4 store to v5 with every member allowed all resources and prompts, as before', async () => {
    // A file taken only as far as v4, with a member whose tools and limits are its own.
    const { home, keyProvider, db } = await storeAtVersion(4);
    try {
      db.prepare(
        `INSERT INTO servers (id, name, source_kind, source_value, args, env, mode, port, created_at, updated_at)
         VALUES ('s1', 'memory', 'npx', 'pkg', '[]', '[]', 'shared', NULL, '2026-01-01', '2026-01-01')`,
      ).run();
      db.prepare(
        `INSERT INTO members (id, server_id, name, token_sha256, token, tools, limits, created_at)
         VALUES ('m1', 's1', 'alice', '${'a'.repeat(64)}', 'tok', '["read_graph"]', '{"rps":2}', '2026-01-01')`,
      ).run();
    } finally {
      db.close();
    }
    const store = await Store.open({ home, keyProvider });
    try {
      assert.equal(store.schemaVersion(), LATEST_VERSION);
      const member = store.members.getById('m1');
      assert.ok(member);
      assert.deepEqual(
        [member.tools, member.resources, member.prompts, member.limits],
        [['read_graph'], ['*'], ['*'], { rps: 2 }],
      );
      // The new columns are written and read back like the old ones.
      const changed = store.members.update('m1', { resources: [], prompts: ['summarise_*'] });
      assert.deepEqual(
        [changed.resources, changed.prompts, changed.tools],
        [[], ['summarise_*'], ['read_graph']],
      );
      assert.deepEqual(
        [store.members.getById('m1')?.resources, store.members.getById('m1')?.prompts],
        [[], ['summarise_*']],
      );
    } finally {
      store.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  void it('bring a v12 store to v13 with every audit call kept, its seq and time, and the sequence mark', async () => {
    // Three calls in v12's text times; the newest (seq 3) was pruned, so the sequence is ahead of max(seq).
    const { home, keyProvider, db } = await storeAtVersion(12);
    try {
      const insert = db.prepare(
        `INSERT INTO audit_calls (at, server, instance, member, session, method, target, outcome, ms,
           correlation_id, collected_at) VALUES (?, 'notes', 'mcp-fleet-notes', ?, 's', 'tools/call', ?, ?, ?, ?, ?)`,
      );
      insert.run('2026-11-30T23:59:59.999Z', 'alice', 'read', 'ok', 1.5, 'cid1', '2026-12-01T00:00:05.000Z');
      insert.run('2026-12-01T00:00:00.001Z', 'bob', 'write', 'error', null, null, '2026-12-01T00:00:05.000Z');
      insert.run('2026-12-01T00:00:01.000Z', 'bob', 'write', 'ok', 2, null, '2026-12-01T00:00:05.000Z');
      db.prepare('DELETE FROM audit_calls WHERE seq = 3').run();
    } finally {
      db.close();
    }
    const store = await Store.open({ home, keyProvider });
    try {
      assert.equal(store.schemaVersion(), LATEST_VERSION);
      const calls = store.auditCalls.list({ limit: 10 });
      assert.deepEqual(
        calls.map((c) => [c.seq, c.at, c.member, c.target, c.outcome, c.ms, c.correlationId, c.collectedAt]),
        [
          [1, '2026-11-30T23:59:59.999Z', 'alice', 'read', 'ok', 1.5, 'cid1', '2026-12-01T00:00:05.000Z'],
          [2, '2026-12-01T00:00:00.001Z', 'bob', 'write', 'error', null, null, '2026-12-01T00:00:05.000Z'],
        ],
      );
      // Times compare as times: a since between them, the usage days either side of midnight, a prune.
      assert.deepEqual(
        store.auditCalls.list({ since: '2026-12-01T00:00:00.000Z', limit: 10 }).map((c) => c.seq),
        [2],
      );
      assert.deepEqual(
        store.auditCalls.usage({ since: '2026-11-30T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' }),
        [
          { day: '2026-11-30', member: 'alice', calls: 1, errors: 0 },
          { day: '2026-12-01', member: 'bob', calls: 1, errors: 1 },
        ],
      );
      // The next call gets seq 4, not 3: the forwarder's cursor never meets a seq twice.
      const to = {
        containerId: 'c1',
        instance: 'mcp-fleet-notes',
        lastTs: '2026-12-01T00:00:02.000000000Z',
        sameTsCount: 1,
      };
      const row = {
        at: '2026-12-01T00:00:02.000Z',
        server: 'notes',
        instance: 'mcp-fleet-notes',
        member: 'alice',
        session: null,
        method: 'tools/list',
        target: null,
        outcome: 'ok',
        ms: 0,
        correlationId: null,
      };
      assert.equal(store.auditCalls.append(null, to, [row], '2026-12-01T00:00:03.000Z'), true);
      assert.deepEqual(
        store.auditCalls.list({ limit: 10 }).map((c) => c.seq),
        [1, 2, 4],
      );
      assert.equal(store.auditCalls.prune('2026-12-01T00:00:00.000Z'), 1);
      assert.deepEqual(
        store.auditCalls.list({ limit: 10 }).map((c) => c.seq),
        [2, 4],
      );
    } finally {
      store.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  void it('roll a failing step back entirely and leave the version where it was', async () => {
    const t = await createTestStore();
    const db = openEncrypted(t.store.path, await t.keyProvider.getKey());
    try {
      const broken = [
        ...migrations,
        {
          version: LATEST_VERSION + 1,
          sql: 'CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);',
        },
      ];
      assert.throws(() => applyMigrations(db, broken), /no such table/);
      assert.equal(db.pragma('user_version', { simple: true }), LATEST_VERSION);
      const tables = db.prepare<[], { n: number }>(
        "SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'",
      );
      assert.equal(tables.get()?.n, 0);
      const next = [...migrations, { version: LATEST_VERSION + 1, sql: 'CREATE TABLE extra (x);' }];
      assert.equal(applyMigrations(db, next), LATEST_VERSION + 1);
      assert.equal(applyMigrations(db, next), LATEST_VERSION + 1);
    } finally {
      db.close();
      t.cleanup();
    }
  });

  void it('refuse a store written by a newer MCP Fleet with store_locked', async () => {
    const t = await createTestStore();
    const db = openEncrypted(t.store.path, await t.keyProvider.getKey());
    db.pragma(`user_version = ${LATEST_VERSION + 4}`);
    db.close();
    t.store.close();
    try {
      await assert.rejects(
        Store.open({ home: t.home, keyProvider: t.keyProvider }),
        (err) =>
          err instanceof FleetError &&
          err.code === 'store_locked' &&
          err.message ===
            `store schema v${LATEST_VERSION + 4} is newer than this MCP Fleet (v${LATEST_VERSION})`,
      );
    } finally {
      t.cleanup();
    }
  });
});
