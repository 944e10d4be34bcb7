// Integration: logins and host keys against the testbed's real sshd (scripts/testbed/up.sh).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { testbedOrSkip } from '../../../e2e/fixtures/env';
import { FleetError } from '../../shared/errors';
import { createTestStore } from '../../test-support/store';
import type { TestStore } from '../../test-support/store';
import { Ssh2Connector } from './ssh-connector';
import { SshSessionRegistry } from './ssh-session-registry';
import type { SshSessionRegistryOptions } from './ssh-session-registry';
import { addTestbedHost } from '../../test-support/ssh-hosts';
import { waitFor } from '../../test-support/wait-for';

async function setup(
  t: TestContext,
  options: Partial<SshSessionRegistryOptions> = {},
): Promise<{ ts: TestStore; registry: SshSessionRegistry; connector: Ssh2Connector }> {
  const ts = await createTestStore();
  const connector = new Ssh2Connector();
  const registry = new SshSessionRegistry({ store: ts.store, connector, readyTimeoutMs: 10_000, ...options });
  t.after(async () => {
    await registry.dispose();
    ts.cleanup();
  });
  return { ts, registry, connector };
}

function isFleetError(code: string, pattern: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof FleetError, `expected a FleetError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  };
}

test('password login (sshd) trusts the host key on first use and pins the fingerprint ssh-keygen prints', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const { ts, registry } = await setup(t);
  const host = addTestbedHost(ts.store, tb, 'password');
  const before = await registry.probe(host.id);
  assert.deepEqual(before, { fingerprint: tb.ssh.hostKeySha256, pinned: null, matches: null });

  const result = await registry.exec(host.id, ['id', '-un']);
  assert.deepEqual([result.code, result.stdout.trim()], [0, tb.ssh.username]);
  assert.equal(ts.store.hosts.getById(host.id)?.hostKeySha256, tb.ssh.hostKeySha256);
  const pin = ts.store.audit.list().find((e) => e.action === 'hosts.pin-key');
  assert.equal(pin?.target, host.name);
  assert.match(pin?.detail ?? '', new RegExp(tb.ssh.hostKeySha256.replace(/[+/]/g, '\\$&')));
  assert.equal((await registry.probe(host.id)).matches, true);
});

test('key login and an encrypted key with its passphrase (sshd)', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const { ts, registry } = await setup(t);
  for (const login of ['key', 'encrypted-key'] as const) {
    const host = addTestbedHost(ts.store, tb, login);
    const result = await registry.exec(host.id, ['sh', '-c', 'echo "$USER"']);
    assert.equal(result.stdout.trim(), tb.ssh.username, login);
  }
});

test('agent login through a real ssh-agent holding the key (sshd)', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const dir = mkdtempSync(join(tmpdir(), 'fleet-agent-'));
  const socket = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  t.after(() => {
    agent.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(() => existsSync(socket), { timeoutMs: 5_000, what: `ssh-agent's socket ${socket}` });
  await new Promise<void>((resolve, reject) => {
    const add = spawn('ssh-add', [tb.ssh.keyPath], {
      env: { ...process.env, SSH_AUTH_SOCK: socket },
      stdio: 'ignore',
    });
    add.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh-add exited ${code}`))));
  });
  const { ts, registry } = await setup(t, { agentSocket: socket });
  const host = ts.store.hosts.insert(
    {
      name: 'via-agent',
      kind: 'ssh',
      user: tb.ssh.username,
      address: tb.ssh.host,
      port: tb.ssh.port,
      auth: 'agent',
      hostKeySha256: null,
    },
    null,
  );
  assert.equal((await registry.exec(host.id, ['true'])).code, 0);
});

test('a wrong password is refused with a sentence naming the login, and is not retried (sshd)', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const { ts, registry, connector } = await setup(t);
  const host = addTestbedHost(ts.store, tb, 'password', {
    credential: { secret: 'not-the-password', passphrase: null },
  });
  const expected = new RegExp(
    `^login refused for ${tb.ssh.username}@127\\.0\\.0\\.1:${tb.ssh.port}: wrong password or key$`,
  );
  await assert.rejects(registry.exec(host.id, ['true']), isFleetError('unauthorized', expected));
  assert.equal(connector.opened, 1);
});

test('a wrong key passphrase is its own error, found before any connection (sshd)', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const { ts, registry, connector } = await setup(t);
  const good = addTestbedHost(ts.store, tb, 'encrypted-key');
  const secret = ts.store.hosts.credential(good.id)?.secret ?? '';
  const wrong = addTestbedHost(ts.store, tb, 'encrypted-key', {
    credential: { secret, passphrase: 'not-it' },
  });
  await assert.rejects(
    registry.exec(wrong.id, ['true']),
    isFleetError(
      'invalid_input',
      /passphrase stored for "tb-encrypted-key-\d+" does not decrypt its SSH key/,
    ),
  );
  const missing = addTestbedHost(ts.store, tb, 'encrypted-key', { credential: { secret, passphrase: null } });
  await assert.rejects(
    registry.exec(missing.id, ['true']),
    isFleetError('invalid_input', /is encrypted and no passphrase/),
  );
  assert.equal(connector.opened, 0);
});

test('a changed host key is refused naming both fingerprints, audited, and nothing runs (sshd)', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const { ts, registry } = await setup(t);
  const host = addTestbedHost(ts.store, tb, 'password');
  await registry.exec(host.id, ['true']);
  await registry.dispose();
  const tampered = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  ts.store.hosts.setHostKey(host.name, tampered);

  const fresh = new SshSessionRegistry({ store: ts.store, readyTimeoutMs: 10_000 });
  t.after(() => fresh.dispose());
  const marker = `/tmp/fleet-must-not-exist-${process.pid}-${Date.now()}`;
  const both = new RegExp(
    `^host key for ${host.name} changed: pinned ${tampered}, offered ${tb.ssh.hostKeySha256.replace(/[+/]/g, '\\$&')};`,
  );
  await assert.rejects(fresh.exec(host.id, ['touch', marker]), isFleetError('host_key_mismatch', both));
  assert.equal(existsSync(marker), false);
  assert.equal(ts.store.hosts.getById(host.id)?.hostKeySha256, tampered, 'the pin is left as it was');
  const refusal = ts.store.audit.list().find((e) => e.action === 'hosts.connect');
  assert.equal(refusal?.outcome, 'failed');
  assert.match(refusal?.detail ?? '', /changed: pinned/);
  assert.equal((await fresh.probe(host.id)).matches, false);
});

test('an operator-supplied fingerprint is enforced like a pin (sshd)', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const { ts, registry } = await setup(t);
  const right = addTestbedHost(ts.store, tb, 'key', { hostKeySha256: tb.ssh.hostKeySha256 });
  assert.equal((await registry.exec(right.id, ['true'])).code, 0);
  assert.equal(ts.store.audit.list().filter((e) => e.action === 'hosts.pin-key').length, 0);
  const wrong = addTestbedHost(ts.store, tb, 'key', {
    hostKeySha256: 'SHA256:wrongwrongwrongwrongwrongwrongwrongwrong0',
  });
  await assert.rejects(
    registry.exec(wrong.id, ['true']),
    isFleetError('host_key_mismatch', /offered SHA256:/),
  );
});

test('an unreachable host fails after the bounded attempts with a sentence naming host, address and cause', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  // A port that was free a moment ago, so nothing listens on it.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const { ts, registry, connector } = await setup(t, { connectAttempts: 3, backoffBaseMs: 10 });
  const host = addTestbedHost(ts.store, tb, 'password', { name: 'db1', port });
  await assert.rejects(
    registry.exec(host.id, ['true']),
    isFleetError(
      'unavailable',
      new RegExp(`^cannot reach host "db1" \\(127\\.0\\.0\\.1:${port}\\): connection refused`),
    ),
  );
  assert.equal(connector.opened, 3);
  await assert.rejects(registry.probe(host.id), isFleetError('unavailable', /cannot reach host "db1"/));
});
