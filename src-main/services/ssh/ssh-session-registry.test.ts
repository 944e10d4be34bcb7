// Integration: the held session against the testbed's real sshd (scripts/testbed/up.sh).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { Duplex } from 'node:stream';
import { testbedOrSkip } from '../../../e2e/fixtures/env';
import { FleetError } from '../../shared/errors';
import { createTestStore } from '../../test-support/store';
import { HOSTILE_WORDS } from '../../test-support/hostile-words';
import { Ssh2Connector } from './ssh-connector';
import { SshSessionRegistry } from './ssh-session-registry';
import type { SessionEvent } from './ssh-session-registry';
import { addTestbedHost } from '../../test-support/ssh-hosts';

async function setup(t: TestContext) {
  const tb = testbedOrSkip(t);
  if (!tb) return undefined;
  const ts = await createTestStore();
  const connector = new Ssh2Connector();
  const registry = new SshSessionRegistry({
    store: ts.store,
    connector,
    readyTimeoutMs: 10_000,
    backoffBaseMs: 50,
  });
  t.after(async () => {
    await registry.dispose();
    ts.cleanup();
  });
  const host = addTestbedHost(ts.store, tb, 'key');
  return { tb, ts, connector, registry, host };
}

/** Walks up from the remote shell to the sshd process that serves this one connection. */
const SESSION_SSHD_PID = `p=$$; while [ "$p" -gt 1 ]; do [ "$(cat /proc/$p/comm)" = sshd ] && { echo "$p"; exit 0; }; p=$(cut -d' ' -f4 /proc/$p/stat); done; exit 1`;

function nextEvent(registry: SshSessionRegistry, state: SessionEvent['state']): Promise<SessionEvent> {
  return new Promise((resolve) => {
    const off = registry.onChange((event) => {
      if (event.state !== state) return;
      off();
      resolve(event);
    });
  });
}

function dockerPing(stream: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    stream.once('close', () => resolve(text));
    stream.once('error', reject);
    stream.end('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n');
  });
}

test('many operations, in parallel and in turn, share one SSH connection (sshd)', async (t) => {
  const ctx = await setup(t);
  if (!ctx) return;
  const { registry, connector, host } = ctx;
  const parallel = await Promise.all(
    Array.from({ length: 8 }, (_, i) => registry.exec(host.id, ['echo', `n${i}`])),
  );
  assert.deepEqual(
    parallel.map((r) => r.stdout),
    Array.from({ length: 8 }, (_, i) => `n${i}\n`),
  );
  for (let i = 0; i < 5; i += 1) assert.equal((await registry.exec(host.id, ['true'])).code, 0);
  assert.equal(connector.opened, 1);
  assert.equal(registry.isConnected(host.id), true);
});

test('a session killed on the server is replaced by the next operation (sshd)', async (t) => {
  const ctx = await setup(t);
  if (!ctx) return;
  const { registry, connector, host } = ctx;
  const found = await registry.exec(host.id, ['sh', '-c', SESSION_SSHD_PID]);
  const pid = Number(found.stdout.trim());
  assert.ok(Number.isInteger(pid) && pid > 1, `no sshd pid in ${JSON.stringify(found)}`);
  const dropped = nextEvent(registry, 'disconnected');
  process.kill(pid, 'SIGKILL');
  await dropped;
  assert.equal(registry.isConnected(host.id), false);

  const after = await registry.exec(host.id, ['echo', 'back']);
  assert.equal(after.stdout, 'back\n');
  assert.equal(connector.opened, 2);
  assert.notEqual(Number((await registry.exec(host.id, ['sh', '-c', SESSION_SSHD_PID])).stdout.trim()), pid);
});

test('a session ended on this side is reopened on demand (sshd)', async (t) => {
  const ctx = await setup(t);
  if (!ctx) return;
  const { registry, connector, host } = ctx;
  const client = await registry.client(host.id);
  const dropped = nextEvent(registry, 'disconnected');
  client.end();
  await dropped;
  assert.equal((await registry.exec(host.id, ['true'])).code, 0);
  assert.equal(connector.opened, 2);
});

test('exec hands hostile words to the remote program exactly and runs none of them (sshd)', async (t) => {
  const ctx = await setup(t);
  if (!ctx) return;
  const { registry, host } = ctx;
  const marker = `/tmp/pwned-${process.pid}-${Date.now()}`;
  const words = [
    ...HOSTILE_WORDS,
    `$(touch ${marker})`,
    `'; touch ${marker}; '`,
    `\ntouch ${marker}\n`,
    `"; touch ${marker} #`,
  ];
  const result = await registry.exec(host.id, ['printf', '%s\\0', ...words]);
  assert.equal(result.code, 0);
  assert.deepEqual(result.stdout.split('\0').slice(0, -1), words);
  assert.equal(existsSync(marker), false);
  await assert.rejects(registry.exec(host.id, ['echo', 'a\0b']), FleetError);
});

test('exec reports exit codes, stderr and stdin, caps output and stops a command at its timeout (sshd)', async (t) => {
  const ctx = await setup(t);
  if (!ctx) return;
  const { registry, host } = ctx;
  const failed = await registry.exec(host.id, ['sh', '-c', 'echo oops >&2; exit 3']);
  assert.deepEqual([failed.code, failed.stderr, failed.truncated], [3, 'oops\n', false]);
  const piped = await registry.exec(host.id, ['cat'], { stdin: 'from stdin' });
  assert.equal(piped.stdout, 'from stdin');
  const big = await registry.exec(host.id, ['head', '-c', '200000', '/dev/zero'], { maxOutputBytes: 1000 });
  assert.deepEqual([big.code, big.stdout.length, big.truncated], [0, 1000, true]);
  // A duration no other process uses, so the check below finds only this one.
  const nap = `3${process.pid % 1000}.25`;
  await assert.rejects(registry.exec(host.id, ['sleep', nap], { timeoutMs: 300 }), (err: unknown) => {
    assert.ok(err instanceof FleetError);
    assert.match(err.message, /^"sleep" on "tb-key-\d+" did not finish within 300 ms and was stopped$/);
    return true;
  });
  let left = 1;
  for (let i = 0; i < 50 && left === 1; i += 1) {
    left = (await registry.exec(host.id, ['pgrep', '-f', `^sleep ${nap}$`])).code === 0 ? 1 : 0;
  }
  assert.equal(left, 0, 'the remote command was killed');
  assert.equal((await registry.exec(host.id, ['true'])).code, 0, 'the session survives a timed-out command');
});

test('forwardUnixSocket reaches the Docker socket over the held session (sshd, dockerd)', async (t) => {
  const ctx = await setup(t);
  if (!ctx) return;
  if (!ctx.tb.docker) return t.skip('no Docker engine in the testbed');
  const { registry, connector, host } = ctx;
  const answers = await Promise.all(
    Array.from({ length: 5 }, async () =>
      dockerPing(await registry.forwardUnixSocket(host.id, '/var/run/docker.sock')),
    ),
  );
  for (const answer of answers) assert.match(answer, /^HTTP\/1\.[01] 200 OK[\s\S]*\r\n\r\nOK$/);
  assert.equal(connector.opened, 1);
  await assert.rejects(registry.forwardUnixSocket(host.id, '/nonexistent/docker.sock'), (err: unknown) => {
    assert.ok(err instanceof FleetError && err.code === 'unavailable');
    assert.match(err.message, /did not open \/nonexistent\/docker\.sock/);
    return true;
  });
});

test('close and dispose end sessions; a disposed registry refuses work (sshd)', async (t) => {
  const ctx = await setup(t);
  if (!ctx) return;
  const { registry, connector, host } = ctx;
  await registry.exec(host.id, ['true']);
  registry.close(host.id);
  assert.equal(registry.isConnected(host.id), false);
  await registry.exec(host.id, ['true']);
  assert.equal(connector.opened, 2);
  await registry.dispose();
  assert.equal(registry.isConnected(host.id), false);
  await assert.rejects(registry.exec(host.id, ['true']), /shutting down/);
});

test('a local host has no SSH session', async (t) => {
  const ts = await createTestStore();
  t.after(() => ts.cleanup());
  const registry = new SshSessionRegistry({ store: ts.store });
  const local = ts.store.hosts.insert(
    { name: 'here', kind: 'local', user: null, address: null, port: null, auth: 'none', hostKeySha256: null },
    null,
  );
  await assert.rejects(registry.exec(local.id, ['true']), /host "here" is this machine/);
  await assert.rejects(
    registry.exec('no-such-id', ['true']),
    (err: unknown) => err instanceof FleetError && err.code === 'not_found',
  );
  await registry.dispose();
});
