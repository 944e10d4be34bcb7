import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import { openEncrypted } from './database';
import type { NewHost } from './host-repository';
import type { NewServer } from './server-repository';
import { createTestStore } from '../../test-support/store';
import type { TestStore } from '../../test-support/store';

const code = (expected: ErrorCode) => (err: unknown) => err instanceof FleetError && err.code === expected;

const sshHost = (name: string): NewHost => ({
  name,
  kind: 'ssh',
  user: 'ops',
  address: '192.0.2.10',
  port: 22,
  auth: 'password',
  hostKeySha256: null,
});

const npxServer = (name: string, mode: 'shared' | 'dedicated' = 'dedicated'): NewServer => ({
  name,
  sourceKind: 'npx',
  sourceValue: '@modelcontextprotocol/server-memory@2026.8.31',
  args: ['--flag', 'value with spaces'],
  env: [
    { key: 'PLAIN', value: 'x', secret: false },
    { key: 'API_KEY', value: 's3cr3t', secret: true },
  ],
  mode,
  port: 8080,
});

function filesHash(home: string): string {
  const hash = createHash('sha256');
  for (const f of ['fleet.db', 'fleet.db-wal']) {
    hash.update(f).update(existsSync(join(home, f)) ? readFileSync(join(home, f)) : Buffer.alloc(0));
  }
  return hash.digest('hex');
}

void describe('store repositories', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore();
  });
  afterEach(() => t.cleanup());

  void it('keeps hosts with their credentials, pins host keys, and cascades credentials on remove', () => {
    const host = t.store.hosts.insert(sshHost('db-1'), { secret: 'pw', passphrase: null });
    assert.match(host.id, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(host.createdAt)));
    assert.deepEqual(t.store.hosts.getByName('db-1'), host);
    assert.deepEqual(t.store.hosts.credential(host.id), { secret: 'pw', passphrase: null });
    assert.equal(t.store.hosts.setHostKey('db-1', 'SHA256:abc').hostKeySha256, 'SHA256:abc');
    assert.throws(() => t.store.hosts.setHostKey('nope', 'SHA256:abc'), code('not_found'));
    t.store.hosts.setCredential(host.id, { secret: 'key-pem', passphrase: 'pp' });
    assert.deepEqual(t.store.hosts.credential(host.id), { secret: 'key-pem', passphrase: 'pp' });
    assert.equal(t.store.hosts.remove('db-1'), true);
    assert.equal(t.store.hosts.remove('db-1'), false);
    assert.equal(t.store.hosts.credential(host.id), null);
    assert.deepEqual(t.store.hosts.list(), []);
  });

  void it('refuses a duplicate host name with conflict and writes nothing', () => {
    const first = t.store.hosts.insert(sshHost('db-1'), { secret: 'first-pw', passphrase: null });
    const before = filesHash(t.home);
    assert.throws(
      () => t.store.hosts.insert(sshHost('db-1'), { secret: 'second-pw', passphrase: null }),
      (err) => code('conflict')(err) && (err as Error).message === 'a host named "db-1" already exists',
    );
    assert.equal(filesHash(t.home), before);
    assert.deepEqual(t.store.hosts.list(), [first]);
    assert.deepEqual(t.store.hosts.credential(first.id), { secret: 'first-pw', passphrase: null });
  });

  void it('stores servers with args and env, updates them, and refuses duplicate names and renames', () => {
    const server = t.store.servers.insert(npxServer('memory'));
    assert.deepEqual(t.store.servers.getByName('memory'), server);
    t.store.servers.insert(npxServer('other'));
    assert.throws(() => t.store.servers.insert(npxServer('memory')), code('conflict'));
    assert.throws(() => t.store.servers.update(server.id, { name: 'other' }), code('conflict'));
    const updated = t.store.servers.update(server.id, { args: [], port: null });
    assert.deepEqual(updated.args, []);
    assert.equal(updated.port, null);
    assert.deepEqual(updated.env, server.env);
    assert.deepEqual(t.store.servers.getById(server.id), updated);
    assert.throws(() => t.store.servers.update('missing', { port: 1 }), code('not_found'));
    assert.deepEqual(
      t.store.servers.list().map((s) => s.name),
      ['memory', 'other'],
    );
  });

  void it('keeps member names unique per server and tokens unique overall', () => {
    const a = t.store.servers.insert(npxServer('a'));
    const b = t.store.servers.insert(npxServer('b'));
    const alice = t.store.members.insert({
      serverId: a.id,
      name: 'alice',
      tokenSha256: '1'.repeat(64),
      token: 't1',
      tools: ['*'],
    });
    t.store.members.insert({
      serverId: b.id,
      name: 'alice',
      tokenSha256: '2'.repeat(64),
      token: 't2',
      tools: ['read'],
    });
    assert.throws(
      () =>
        t.store.members.insert({
          serverId: a.id,
          name: 'alice',
          tokenSha256: '3'.repeat(64),
          token: 't3',
          tools: [],
        }),
      (err) => code('conflict')(err) && /member named "alice"/.test((err as Error).message),
    );
    assert.throws(
      () =>
        t.store.members.insert({
          serverId: a.id,
          name: 'bob',
          tokenSha256: '1'.repeat(64),
          token: 't1',
          tools: [],
        }),
      (err) => code('conflict')(err) && /token is already in use/.test((err as Error).message),
    );
    assert.throws(
      () =>
        t.store.members.insert({
          serverId: 'nope',
          name: 'bob',
          tokenSha256: '4'.repeat(64),
          token: 't4',
          tools: [],
        }),
      code('not_found'),
    );
    const rotated = t.store.members.update(alice.id, {
      token: 't9',
      tokenSha256: '9'.repeat(64),
      tools: ['read', 'write'],
    });
    assert.deepEqual(t.store.members.getByName(a.id, 'alice'), rotated);
    assert.deepEqual(
      t.store.members.listByServer(a.id).map((m) => m.token),
      ['t9'],
    );
    assert.equal(t.store.members.remove(a.id, 'alice'), true);
    assert.equal(t.store.members.getByName(a.id, 'alice'), null);
  });

  void it('upserts one instance per host and container name, and guards hosts, members and servers that have one', () => {
    const host = t.store.hosts.insert(sshHost('h'), null);
    const server = t.store.servers.insert(npxServer('s'));
    const member = t.store.members.insert({
      serverId: server.id,
      name: 'm',
      tokenSha256: 'f'.repeat(64),
      token: 't',
      tools: ['*'],
    });
    const input = {
      serverId: server.id,
      memberId: member.id,
      hostId: host.id,
      containerName: 'mcpf-s-m',
      port: 9001,
      configHash: 'h1',
      status: 'running',
    };
    const first = t.store.instances.upsert(input);
    const second = t.store.instances.upsert({ ...input, configHash: 'h2' });
    assert.equal(second.id, first.id);
    assert.equal(second.createdAt, first.createdAt);
    assert.equal(second.configHash, 'h2');
    assert.deepEqual(t.store.instances.list(), [second]);
    assert.deepEqual(t.store.instances.listByServer(server.id), [second]);
    assert.equal(t.store.instances.setStatus(first.id, 'exited'), true);
    assert.equal(t.store.instances.getById(first.id)?.status, 'exited');
    assert.throws(() => t.store.instances.upsert({ ...input, hostId: 'nope' }), code('not_found'));
    assert.throws(() => t.store.hosts.remove('h'), code('conflict'));
    assert.throws(() => t.store.members.remove(server.id, 'm'), code('conflict'));
    assert.throws(() => t.store.servers.remove('s'), code('conflict'));
    assert.equal(t.store.instances.remove(first.id), true);
    assert.equal(t.store.servers.remove('s'), true);
    assert.equal(t.store.members.getById(member.id), null, 'members go with their server');
    assert.equal(t.store.hosts.remove('h'), true);
  });

  void it('records deploys from start to finish, newest first', () => {
    const server = t.store.servers.insert(npxServer('s'));
    const d1 = t.store.deploys.start({ serverId: server.id, hostId: null });
    const d2 = t.store.deploys.start({ serverId: server.id, hostId: null, detail: 'second' });
    assert.equal(d1.outcome, 'running');
    const done = t.store.deploys.finish(d1.id, 'failed', 'port 8080 in use');
    assert.equal(done.outcome, 'failed');
    assert.ok(done.finishedAt);
    assert.throws(() => t.store.deploys.finish(d1.id, 'ok', ''), code('conflict'));
    assert.throws(() => t.store.deploys.start({ serverId: 'nope', hostId: null }), code('not_found'));
    assert.deepEqual(
      t.store.deploys.list({ serverId: server.id }).map((d) => d.id),
      [d2.id, d1.id],
    );
    assert.deepEqual(t.store.deploys.getById(d1.id), done);
  });

  void it('appends audit entries and the database itself refuses to update or delete them', async () => {
    const e1 = t.store.audit.append({
      actor: 'cli',
      action: 'host.add',
      target: 'db-1',
      outcome: 'ok',
      detail: '',
    });
    const e2 = t.store.audit.append({
      actor: 'cli',
      action: 'host.remove',
      target: 'db-1',
      outcome: 'failed',
      detail: 'in use',
    });
    assert.deepEqual(t.store.audit.list(), [e2, e1]);
    assert.deepEqual(t.store.audit.list(1), [e2]);
    // A second, raw connection: the refusal lives in the file's triggers, not in the repository code.
    const raw = openEncrypted(t.store.path, await t.keyProvider.getKey());
    try {
      assert.throws(() => raw.prepare("UPDATE audit_log SET outcome = 'ok'").run(), /append-only/);
      assert.throws(() => raw.prepare('DELETE FROM audit_log').run(), /append-only/);
    } finally {
      raw.close();
    }
    assert.deepEqual(t.store.audit.list(), [e2, e1]);
  });

  void it('keeps one fleet CA (first writer wins unless replacing) and leaves per host and container, gone with their host', () => {
    assert.equal(t.store.tls.ca(), null);
    const ca = { certPem: 'CA-1', keyPem: 'KEY-1', createdAt: '2026-01-01T00:00:00.000Z' };
    assert.deepEqual(t.store.tls.setCa(ca), ca);
    const other = { certPem: 'CA-2', keyPem: 'KEY-2', createdAt: '2026-02-01T00:00:00.000Z' };
    assert.deepEqual(t.store.tls.setCa(other), ca, 'a second CA does not silently replace the first');
    assert.deepEqual(t.store.tls.setCa(other, { replace: true }), other);
    assert.deepEqual(t.store.tls.ca(), other);

    const h1 = t.store.hosts.insert(sshHost('h1'), null);
    const h2 = t.store.hosts.insert(sshHost('h2'), null);
    const leaf = (n: number) => ({
      certPem: `CERT-${n}`,
      keyPem: `KEY-${n}`,
      fingerprint256: `AA:0${n}`,
      notAfter: '2027-01-01T00:00:00.000Z',
      sans: { dns: ['mcp.example.test'], ip: ['10.0.0.5'] },
      issuedAt: '2026-10-01T00:00:00.000Z',
    });
    t.store.tls.setLeaf(h1.id, 'mcpf-b', leaf(1));
    t.store.tls.setLeaf(h1.id, 'mcpf-a', leaf(2));
    t.store.tls.setLeaf(h2.id, 'mcpf-a', leaf(3));
    t.store.tls.setLeaf(h1.id, 'mcpf-b', leaf(4));
    assert.deepEqual(t.store.tls.leaf(h1.id, 'mcpf-b'), leaf(4));
    assert.equal(t.store.tls.leaf(h1.id, 'nope'), null);
    assert.deepEqual(t.store.tls.leavesOfHost(h1.id), [
      { containerName: 'mcpf-a', leaf: leaf(2) },
      { containerName: 'mcpf-b', leaf: leaf(4) },
    ]);
    assert.throws(() => t.store.tls.setLeaf('no-such-host', 'x', leaf(5)), code('not_found'));
    assert.equal(t.store.tls.removeLeaf(h1.id, 'mcpf-a'), true);
    assert.equal(t.store.tls.removeLeaf(h1.id, 'mcpf-a'), false);
    assert.equal(t.store.hosts.remove('h1'), true);
    assert.deepEqual(t.store.tls.leavesOfHost(h1.id), [], 'leaves go with their host');
    assert.deepEqual(t.store.tls.leaf(h2.id, 'mcpf-a'), leaf(3));
  });

  void it("appends several containers' calls in one transaction, passing over one whose cursor moved meanwhile", () => {
    const call = (instance: string, at: string) => ({
      at,
      server: 'notes',
      instance,
      member: 'alice',
      session: null,
      method: 'tools/call',
      target: 'read',
      outcome: 'ok',
      ms: 1,
      correlationId: null,
    });
    const cursor = (containerId: string, instance: string, lastTs: string) => ({
      containerId,
      instance,
      lastTs,
      sameTsCount: 1,
    });
    const a0 = cursor('ca', 'mcp-fleet-a', '2026-12-01T00:00:00.000000000Z');
    assert.equal(t.store.auditCalls.append(null, a0, [], '2026-12-01T00:00:00.500Z'), true);
    // Another process took b's first lines, and a's next ones, after this collection read its cursors.
    const b1 = cursor('cb', 'mcp-fleet-b', '2026-12-01T00:00:01.000000000Z');
    assert.equal(
      t.store.auditCalls.append(
        null,
        b1,
        [call('mcp-fleet-b', '2026-12-01T00:00:01.000Z')],
        '2026-12-01T00:00:01.500Z',
      ),
      true,
    );
    const taken = t.store.auditCalls.appendMany(
      [
        {
          from: a0,
          to: cursor('ca', 'mcp-fleet-a', '2026-12-01T00:00:02.000000000Z'),
          rows: [call('mcp-fleet-a', '2026-12-01T00:00:02.000Z')],
        },
        {
          from: null,
          to: cursor('cb', 'mcp-fleet-b', '2026-12-01T00:00:02.000000000Z'),
          rows: [call('mcp-fleet-b', '2026-12-01T00:00:01.000Z')],
        },
      ],
      '2026-12-01T00:00:03.000Z',
    );
    assert.deepEqual(taken, [true, false]);
    assert.deepEqual(
      t.store.auditCalls.list({ limit: 10 }).map((c) => [c.instance, c.at]),
      [
        ['mcp-fleet-b', '2026-12-01T00:00:01.000Z'],
        ['mcp-fleet-a', '2026-12-01T00:00:02.000Z'],
      ],
      "b's line is not doubled",
    );
    assert.equal(t.store.auditCalls.cursor('ca')?.lastTs, '2026-12-01T00:00:02.000000000Z');
    assert.equal(
      t.store.auditCalls.cursor('cb')?.lastTs,
      '2026-12-01T00:00:01.000000000Z',
      "b's cursor is the other process's",
    );
  });

  void it('rolls a whole transaction back when its function throws', () => {
    assert.throws(() =>
      t.store.transaction(() => {
        t.store.hosts.insert(sshHost('db-1'), { secret: 'pw', passphrase: null });
        t.store.audit.append({ actor: 'cli', action: 'host.add', target: 'db-1', outcome: 'ok', detail: '' });
        throw new Error('docker check failed');
      }),
    );
    assert.deepEqual(t.store.hosts.list(), []);
    assert.deepEqual(t.store.audit.list(), []);
  });
});
