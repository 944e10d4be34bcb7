// Integration: `hosts check` against the testbed's real sshd and dockerd, and this machine's socket.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { addTestbedHost } from '../../test-support/ssh-hosts';
import { checkHost } from './check-host';
import type { CheckHostDeps } from './check-host';
import { canListenHere, parseListeningPorts, pickFree } from './free-ports';
import { testbedDocker } from '../../test-support/docker-hosts';
import type { TestbedDocker } from '../../test-support/docker-hosts';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}

/** A run of `size` ports that are all free now, so the test can take the first and expect the rest. */
async function freeRun(size: number): Promise<number> {
  for (let start = 20000 + (process.pid % 20000); ; start += size) {
    const checks = await Promise.all(Array.from({ length: size }, (_, i) => canListenHere(start + i)));
    if (checks.every(Boolean)) return start;
  }
}

function deps(ctx: TestbedDocker): CheckHostDeps {
  return { store: ctx.ts.store, ssh: ctx.ssh, docker: ctx.factory };
}

function uname(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

test('listening ports are read from ss output and from /proc/net/tcp', () => {
  const ss =
    'LISTEN 0      4096         0.0.0.0:22        0.0.0.0:*\nLISTEN 0 511 [::]:8080 [::]:*\nLISTEN 0 5 127.0.0.1:631 0.0.0.0:*\n';
  assert.deepEqual(
    [...parseListeningPorts(ss)].sort((a, b) => a - b),
    [22, 631, 8080],
  );
  const proc = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
    '   1: 0100007F:1F90 0100007F:A2B4 01 00000000:00000000 00:00000000 00000000     0        0 2 1',
  ].join('\n');
  assert.deepEqual([...parseListeningPorts(proc)], [22]);
  assert.deepEqual(pickFree(new Set([8100, 8102]), 8100, 8105, 3), [8101, 8103, 8104]);
});

test('hosts check over SSH reports reachability, the pinned key, Docker, arch and free ports (sshd, dockerd)', async (t) => {
  const ctx = await testbedDocker(t, 'password');
  if (!ctx) return;
  const start = await freeRun(8);
  const taken = await listen(start);
  ctx.defer(() => taken.close());
  const engine = await (await ctx.factory.host(ctx.host.id)).version();

  const result = await checkHost(deps(ctx), ctx.host.id, { portRange: [start, start + 7], portCount: 3 });
  assert.deepEqual(result, {
    reachable: true,
    fingerprint: ctx.tb.ssh.hostKeySha256,
    dockerVersion: engine.version,
    dockerPermitted: true,
    arch: uname(),
    // The swarm suites leave the engine as they found it: not in a Swarm.
    swarm: 'inactive',
    dockerTransport: 'forwarded-socket',
    freePorts: [start + 1, start + 2, start + 3],
  });
});

test('hosts check fills what it can when the login or Docker fails (sshd)', async (t) => {
  const ctx = await testbedDocker(t, 'key');
  if (!ctx) return;
  const refused = addTestbedHost(ctx.ts.store, ctx.tb, 'password', {
    credential: { secret: 'wrong', passphrase: null },
  });
  const bad = await checkHost(deps(ctx), refused.id);
  assert.equal(bad.reachable, true);
  assert.equal(bad.fingerprint, ctx.tb.ssh.hostKeySha256, 'the offered key, read without logging in');
  assert.equal(bad.dockerVersion, null);
  assert.match(bad.error ?? '', /^login refused for /);

  const port = await freeRun(1);
  const gone = addTestbedHost(ctx.ts.store, ctx.tb, 'key', { port });
  const unreachable = await checkHost(deps(ctx), gone.id);
  assert.equal(unreachable.reachable, false);
  assert.equal(unreachable.fingerprint, null);
  assert.match(unreachable.error ?? '', /^cannot reach host .*connection refused/);
});

test('hosts check on a login that may not use Docker says so and still lists ports (sshd)', async (t) => {
  const ctx = await testbedDocker(t, 'key', { remoteSocketPath: '/nonexistent/docker.sock' });
  if (!ctx) return;
  const result = await checkHost(deps(ctx), ctx.host.id, { portCount: 2 });
  assert.equal(result.reachable, true);
  assert.equal(result.dockerVersion, null);
  assert.equal(result.dockerPermitted, null);
  assert.equal(result.arch, uname(), 'from uname -m when Docker cannot say');
  assert.equal(result.freePorts?.length, 2);
  assert.match(result.error ?? '', /no Docker engine answers/);
});

test('hosts check on a login outside the docker group reports dockerPermitted false (sshd)', async (t) => {
  // A socket only root may open stands in for an engine socket the login is not allowed to use.
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
  const result = await checkHost(deps(ctx), ctx.host.id, { portCount: 1 });
  assert.equal(result.reachable, true);
  assert.equal(result.dockerPermitted, false);
  assert.match(result.error ?? '', /may not use Docker: add it to the docker group/);
});

test('hosts check on this machine uses the local socket (dockerd)', async (t) => {
  const ctx = await testbedDocker(t);
  if (!ctx) return;
  const local = ctx.ts.store.hosts.insert(
    { name: 'here', kind: 'local', user: null, address: null, port: null, auth: 'none', hostKeySha256: null },
    null,
  );
  const start = await freeRun(4);
  const taken = await listen(start + 1);
  ctx.defer(() => taken.close());
  const result = await checkHost(deps(ctx), local.id, { portRange: [start, start + 3], portCount: 2 });
  assert.equal(result.reachable, true);
  assert.equal(result.fingerprint, null);
  assert.equal(result.dockerPermitted, true);
  assert.match(result.dockerVersion ?? '', /^\d+\.\d+/);
  assert.deepEqual(result.freePorts, [start, start + 2]);
  assert.equal(result.error, undefined);
});
