// Integration: `hosts set` (HostService.set) against real sshds: the testbed's, a second one with the
// testbed's own host key on another port (the same machine, moved), and one with a fresh host key.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, createConnection, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { testbedOrSkip, type Testbed } from '../../../e2e/fixtures/env';
import { descendants, freePort } from '../../../scripts/bench/proc';
import { FleetError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import { EventBus } from '../events';
import { Ssh2Connector } from '../ssh/ssh-connector';
import { SshSessionRegistry } from '../ssh/ssh-session-registry';
import type { HostRecord } from '../store/types';
import { addTestbedHost } from '../../test-support/ssh-hosts';
import { startPrivateSshd, type PrivateSshd } from '../../test-support/private-sshd';
import { createTestStore, type TestStore } from '../../test-support/store';
import { GiveUp, waitFor } from '../../test-support/wait-for';
import { HostService } from './host-service';

interface Fixture {
  tb: Testbed;
  ts: TestStore;
  hosts: HostService;
  registry: SshSessionRegistry;
  connector: Ssh2Connector;
}

async function setup(t: TestContext): Promise<Fixture | undefined> {
  const tb = testbedOrSkip(t);
  if (!tb) return undefined;
  const ts = await createTestStore();
  const registry = new SshSessionRegistry({ store: ts.store, readyTimeoutMs: 10_000, connectAttempts: 1 });
  const connector = new Ssh2Connector();
  const hosts = new HostService(ts.store, new EventBus(), 'test', { connector, readyTimeoutMs: 10_000 });
  t.after(async () => {
    await registry.dispose();
    ts.cleanup();
  });
  return { tb, ts, hosts, registry, connector };
}

/** The server port of the login the registry holds, as sshd tells its session ($SSH_CONNECTION). */
async function servedBy(registry: SshSessionRegistry, host: HostRecord): Promise<number> {
  const r = await registry.exec(host.id, ['sh', '-c', 'echo "$SSH_CONNECTION"']);
  assert.equal(r.code, 0, r.stderr);
  return Number(r.stdout.trim().split(' ')[3]);
}

function rejectsWith(code: ErrorCode, pattern: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof FleetError, `expected a FleetError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, pattern);
    return true;
  };
}

/** The host row, its credential and the audit actions: what "saves nothing" compares. */
function snapshot(ts: TestStore, host: HostRecord): unknown {
  return {
    host: ts.store.hosts.getById(host.id),
    credential: ts.store.hosts.credential(host.id),
    sets: ts.store.audit.list().filter((e) => e.action === 'hosts.set').length,
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A second sshd with the testbed's own host key (the testbed's config, another port): the same machine
 * reached on a new port. Stopped, with its connections, after the test.
 */
async function startSameKeySshd(t: TestContext): Promise<number> {
  const testbedDir = path.resolve(import.meta.dirname, '../../../.testbed');
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-fleet-same-key-sshd-'));
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  const base = readFileSync(path.join(testbedDir, 'sshd_config'), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(ListenAddress|Port|PidFile)\b/i.test(line));
  writeFileSync(
    config,
    ['ListenAddress 127.0.0.1', `Port ${port}`, `PidFile ${path.join(dir, 'sshd.pid')}`, ...base].join('\n'),
    { mode: 0o600 },
  );
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-f', config, '-E', path.join(dir, 'log')], {
    stdio: 'ignore',
  });
  t.after(async () => {
    if (child.pid !== undefined && child.exitCode === null) {
      const tree = descendants(child.pid);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      for (const pid of tree) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new GiveUp(`sshd exited with ${child.exitCode}`);
      return new Promise<boolean>((resolve) => {
        const s = createConnection({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
    },
    { timeoutMs: 5_000, intervalMs: 25, what: `the second sshd on 127.0.0.1:${port}` },
  );
  return port;
}

async function privateSshd(t: TestContext, tb: Testbed): Promise<PrivateSshd> {
  const sshd = await startPrivateSshd(tb);
  t.after(() => sshd.dispose());
  return sshd;
}

/** A TCP listener that counts who connects: a host that must not be contacted. */
async function countingListener(t: TestContext): Promise<{ port: number; connections: () => number }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    connections: () => count,
  };
}

test('a host moved to another port with the same host key keeps its pin, and the next use reconnects there (sshd)', async (t) => {
  const f = await setup(t);
  if (!f) return;
  const host = addTestbedHost(f.ts.store, f.tb, 'password', { hostKeySha256: f.tb.ssh.hostKeySha256 });
  assert.equal(await servedBy(f.registry, host), f.tb.ssh.port);
  const port = await startSameKeySshd(t);

  const result = await f.hosts.set({ name: host.name, port }, f.registry);
  assert.deepEqual(result.changed, ['port']);
  assert.equal(result.checked, true);
  assert.equal(result.host.port, port);
  assert.equal(result.host.hostKeySha256, f.tb.ssh.hostKeySha256);
  assert.equal(f.registry.isConnected(host.id), false, 'the session to the old port is closed');
  assert.equal(await servedBy(f.registry, host), port);
  const audit = f.ts.store.audit.list().find((e) => e.action === 'hosts.set');
  assert.match(audit?.detail ?? '', new RegExp(`port ${f.tb.ssh.port} → ${port}`));
});

test('an endpoint with another host key is refused with its fingerprint and nothing is saved; accepting exactly that key works, a wrong one does not (sshd)', async (t) => {
  const f = await setup(t);
  if (!f) return;
  const host = addTestbedHost(f.ts.store, f.tb, 'password', { hostKeySha256: f.tb.ssh.hostKeySha256 });
  assert.equal(await servedBy(f.registry, host), f.tb.ssh.port);
  const other = await privateSshd(t, f.tb);
  const offered = await f.registry.probeAddress({ name: 'other', address: '127.0.0.1', port: other.port });
  assert.notEqual(offered, f.tb.ssh.hostKeySha256);
  const before = snapshot(f.ts, host);

  await assert.rejects(
    f.hosts.set({ name: host.name, port: other.port }, f.registry),
    rejectsWith(
      'host_key_mismatch',
      new RegExp(
        `pinned ${escape(f.tb.ssh.hostKeySha256)}, offered ${escape(offered)}.*--accept-host-key ${escape(offered)}`,
      ),
    ),
  );
  assert.deepEqual(snapshot(f.ts, host), before);
  assert.ok(f.registry.isConnected(host.id), 'the session to the old settings stays while nothing changed');
  const refusal = f.ts.store.audit.list().find((e) => e.action === 'hosts.connect');
  assert.equal(refusal?.outcome, 'failed');
  assert.ok(refusal?.detail.includes(offered));

  // An accepted key that is not the one presented: refused too (no trust on first use after a change).
  await assert.rejects(
    f.hosts.set(
      { name: host.name, port: other.port, acceptHostKeySha256: f.tb.ssh.hostKeySha256 },
      f.registry,
    ),
    rejectsWith(
      'host_key_mismatch',
      new RegExp(`accepted ${escape(f.tb.ssh.hostKeySha256)}, offered ${escape(offered)}`),
    ),
  );
  assert.deepEqual(snapshot(f.ts, host), before);

  const moved = await f.hosts.set(
    { name: host.name, port: other.port, acceptHostKeySha256: offered },
    f.registry,
  );
  assert.deepEqual(moved.changed, ['port', 'hostKey']);
  assert.equal(moved.host.hostKeySha256, offered);
  assert.equal(await servedBy(f.registry, host), other.port);
  const audit = f.ts.store.audit.list().find((e) => e.action === 'hosts.set');
  assert.match(
    audit?.detail ?? '',
    new RegExp(`host key ${escape(f.tb.ssh.hostKeySha256)} → ${escape(offered)} \\(accepted\\)`),
  );

  // The same key accepted at the old port, where the testbed's key answers: refused, nothing saved.
  const after = snapshot(f.ts, host);
  await assert.rejects(
    f.hosts.set({ name: host.name, port: f.tb.ssh.port, acceptHostKeySha256: offered }, f.registry),
    rejectsWith('host_key_mismatch', /is not the accepted one/),
  );
  assert.deepEqual(snapshot(f.ts, host), after);
});

test('a wrong password is refused and saves nothing; --no-check saves it untried; a key login replaces it (sshd)', async (t) => {
  const f = await setup(t);
  if (!f) return;
  const host = addTestbedHost(f.ts.store, f.tb, 'password', { hostKeySha256: f.tb.ssh.hostKeySha256 });
  assert.equal(await servedBy(f.registry, host), f.tb.ssh.port);
  const before = snapshot(f.ts, host);
  const wrong = 'wrong-password-5f1c9e';

  await assert.rejects(
    f.hosts.set({ name: host.name, credential: { kind: 'password', password: wrong } }, f.registry),
    (err) => {
      rejectsWith('unauthorized', /login refused .*nothing was saved/)(err);
      assert.ok(!(err as Error).message.includes(wrong), 'the password is not in the error');
      return true;
    },
  );
  assert.deepEqual(snapshot(f.ts, host), before);
  assert.ok(f.registry.isConnected(host.id));

  const unchecked = await f.hosts.set(
    { name: host.name, credential: { kind: 'password', password: wrong }, noCheck: true },
    f.registry,
  );
  assert.deepEqual([unchecked.changed, unchecked.checked], [['credential'], false]);
  assert.deepEqual(f.ts.store.hosts.credential(host.id), { secret: wrong, passphrase: null });
  assert.equal(f.registry.isConnected(host.id), false);
  await assert.rejects(f.registry.exec(host.id, ['true']), rejectsWith('unauthorized', /login refused/));

  const keyText = readFileSync(f.tb.ssh.encryptedKeyPath, 'utf8');
  const fixed = await f.hosts.set(
    { name: host.name, credential: { kind: 'key', privateKey: keyText, passphrase: f.tb.ssh.keyPassphrase } },
    f.registry,
  );
  assert.deepEqual([fixed.changed, fixed.host.auth], [['credential'], 'key']);
  assert.equal(await servedBy(f.registry, host), f.tb.ssh.port);
  const audit = f.ts.store.audit.list().filter((e) => e.action === 'hosts.set');
  assert.deepEqual(audit.map((e) => e.detail).reverse(), [
    'credential (password) replaced; saved without a login (no check)',
    'credential password → key; tried with a login first',
  ]);
  const everything = JSON.stringify(f.ts.store.audit.list());
  for (const secret of [wrong, f.tb.ssh.password, f.tb.ssh.keyPassphrase, keyText.split('\n')[1] ?? 'x'])
    assert.ok(!everything.includes(secret), 'no secret in the audit log');
});

test('bad input contacts no host and saves nothing', async (t) => {
  const f = await setup(t);
  if (!f) return;
  const host = addTestbedHost(f.ts.store, f.tb, 'password', { hostKeySha256: f.tb.ssh.hostKeySha256 });
  const local = f.ts.store.hosts.insert(
    { name: 'here', kind: 'local', user: null, address: null, port: null, auth: 'none', hostKeySha256: null },
    null,
  );
  const trap = await countingListener(t);
  const before = snapshot(f.ts, host);
  const encrypted = readFileSync(f.tb.ssh.encryptedKeyPath, 'utf8');
  const cases: [string, Parameters<HostService['set']>[0], ErrorCode, RegExp][] = [
    [
      'not a key',
      { name: host.name, port: trap.port, credential: { kind: 'key', privateKey: 'not a key' } },
      'invalid_input',
      /not an SSH private key/,
    ],
    [
      'a public key',
      {
        name: host.name,
        port: trap.port,
        credential: { kind: 'key', privateKey: readFileSync(`${f.tb.ssh.keyPath}.pub`, 'utf8') },
      },
      'invalid_input',
      /public key|not an SSH private key/,
    ],
    [
      'a wrong passphrase',
      {
        name: host.name,
        port: trap.port,
        credential: { kind: 'key', privateKey: encrypted, passphrase: 'not it' },
      },
      'invalid_input',
      /passphrase does not decrypt/,
    ],
    [
      'no passphrase',
      { name: host.name, port: trap.port, credential: { kind: 'key', privateKey: encrypted } },
      'invalid_input',
      /encrypted/,
    ],
    ['nothing to change', { name: host.name }, 'invalid_input', /nothing to change/],
    ['a local host', { name: local.name, port: trap.port }, 'invalid_input', /this machine/],
    ['no such host', { name: 'nope', port: trap.port }, 'not_found', /no host named "nope"/],
  ];
  for (const [what, input, code, pattern] of cases) {
    await assert.rejects(f.hosts.set(input, f.registry), rejectsWith(code, pattern), what);
  }
  assert.equal(trap.connections(), 0, 'no host was contacted');
  assert.deepEqual(snapshot(f.ts, host), before);
});

test('servers, members, instances and tokens on the host are untouched by a move (sshd)', async (t) => {
  const f = await setup(t);
  if (!f) return;
  const host = addTestbedHost(f.ts.store, f.tb, 'key', { hostKeySha256: f.tb.ssh.hostKeySha256 });
  const server = f.ts.store.servers.insert({
    name: 'mem',
    sourceKind: 'npx',
    sourceValue: '@modelcontextprotocol/server-memory@2026.8.31',
    args: [],
    env: [],
    mode: 'dedicated',
    port: 8080,
  });
  const member = f.ts.store.members.insert({
    serverId: server.id,
    name: 'alice',
    tokenSha256: 'f'.repeat(64),
    token: 'alice-token',
    tools: ['*'],
  });
  f.ts.store.instances.upsert({
    serverId: server.id,
    memberId: member.id,
    hostId: host.id,
    containerName: 'mcpf-mem-alice',
    port: 9001,
    configHash: 'h1',
    status: 'running',
  });
  const world = () => ({
    servers: f.ts.store.servers.list(),
    members: f.ts.store.members.listByServer(server.id),
    instances: f.ts.store.instances.list(),
  });
  const before = world();
  const port = await startSameKeySshd(t);
  await f.hosts.set({ name: host.name, port, user: f.tb.ssh.username }, f.registry);
  assert.deepEqual(world(), before);
  assert.equal(f.ts.store.hosts.getById(host.id)?.port, port);
});

test('an unpinned host moved with a check pins the key it presents, as its first contact would (sshd)', async (t) => {
  const f = await setup(t);
  if (!f) return;
  const host = addTestbedHost(f.ts.store, f.tb, 'password', { port: 1 });
  const result = await f.hosts.set({ name: host.name, port: f.tb.ssh.port }, f.registry);
  assert.deepEqual(result.changed, ['port', 'hostKey']);
  assert.equal(result.host.hostKeySha256, f.tb.ssh.hostKeySha256);
});
