// Integration: how requests reach the engine — forwarded socket over the testbed's sshd, the
// dial-stdio fallback against a second real sshd that refuses socket forwarding, this machine's socket.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FleetError } from '../../shared/errors';
import { addTestbedHost } from '../../test-support/ssh-hosts';
import { testbedDocker } from '../../test-support/docker-hosts';
import { waitFor } from '../../test-support/wait-for';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('an SSH host gets the forwarded socket, and keeps working after its session is dropped (sshd, dockerd)', async (t) => {
  const ctx = await testbedDocker(t);
  if (!ctx) return;
  const client = await ctx.factory.client(ctx.host.id);
  assert.equal(client.transport, 'forwarded-socket');
  assert.deepEqual(client.where, { hostName: ctx.host.name, login: ctx.tb.ssh.username });
  const docker = await ctx.factory.host(ctx.host.id);
  await docker.ping();
  (await ctx.ssh.client(ctx.host.id)).end();
  await new Promise<void>((resolve) => {
    const off = ctx.ssh.onChange((e) => {
      if (e.state !== 'disconnected') return;
      off();
      resolve();
    });
  });
  // Idle channels of the dropped session must not be reused: the next call opens a fresh session.
  await docker.ping();
  assert.equal(ctx.connector.opened, 2);
});

test('this machine uses the local socket, with the same engine (dockerd)', async (t) => {
  const ctx = await testbedDocker(t);
  if (!ctx) return;
  const local = ctx.ts.store.hosts.insert(
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
  const here = await ctx.factory.host(local.id);
  assert.equal(here.transport, process.env.DOCKER_HOST ? 'docker-host-env' : 'local-socket');
  assert.equal(here.where.hostName, 'this machine');
  const remote = await ctx.factory.host(ctx.host.id);
  assert.deepEqual(await here.version(), await remote.version());
  assert.equal((await here.info()).ID, (await remote.info()).ID);
});

test('a login that may not open the socket gets the docker-group sentence (sshd)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-denied-'));
  chmodSync(dir, 0o755);
  const path = join(dir, 'docker.sock');
  const server = createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(path, resolve));
  chmodSync(path, 0o600);
  t.after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ctx = await testbedDocker(t, 'key', { remoteSocketPath: path });
  if (!ctx) return;
  await assert.rejects(ctx.factory.client(ctx.host.id), (err: unknown) => {
    assert.ok(err instanceof FleetError);
    assert.equal(err.code, 'unauthorized');
    assert.equal(
      err.message,
      `the login ${ctx.tb.ssh.username} on ${ctx.host.name} may not use Docker: add it to the docker group (then log in again)`,
    );
    return true;
  });
});

test('a host without the engine socket says Docker is missing (sshd)', async (t) => {
  const ctx = await testbedDocker(t, 'key', { remoteSocketPath: '/nonexistent/docker.sock' });
  if (!ctx) return;
  await assert.rejects(ctx.factory.client(ctx.host.id), (err: unknown) => {
    assert.ok(err instanceof FleetError && err.code === 'unavailable');
    assert.match(
      err.message,
      /^no Docker engine answers on tb-key-\d+ \(\/nonexistent\/docker\.sock is missing\)/,
    );
    return true;
  });
});

test('an sshd that refuses socket forwarding gets dockerode dial-stdio, said in a log line (second sshd, dockerd)', async (t) => {
  const ctx = await testbedDocker(t, 'password');
  if (!ctx) return;
  const dir = mkdtempSync(join(tmpdir(), 'fleet-sshd-'));
  const port = await freePort();
  const config = readFileSync(join(ctx.tb.ssh.keyPath, '..', 'sshd_config'), 'utf8')
    .replace(/^Port .*$/m, `Port ${port}`)
    .replace(/^PidFile .*$/m, `PidFile ${join(dir, 'sshd.pid')}`)
    .replace(/^AllowStreamLocalForwarding .*$/m, 'AllowStreamLocalForwarding no');
  writeFileSync(join(dir, 'sshd_config'), config);
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], {
    stdio: 'ignore',
  });
  ctx.defer(() => {
    sshd.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(() => accepts(port), { timeoutMs: 5_000, what: `the second sshd to listen on ${port}` });

  const host = addTestbedHost(ctx.ts.store, ctx.tb, 'password', { name: 'no-forwarding', port });
  const docker = await ctx.factory.host(host.id);
  assert.equal(docker.transport, 'ssh-dial-stdio');
  assert.equal(ctx.logged.length, 1);
  assert.match(ctx.logged[0] ?? '', /no-forwarding refuses Unix socket forwarding.*dial-stdio/);
  const direct = await ctx.factory.host(ctx.host.id);
  assert.equal((await docker.version()).version, (await direct.version()).version);
  assert.equal((await docker.listByLabel({ 'io.mcp-fleet.test': 'none-has-this' })).length, 0);
});
