// Integration: the real `mcp-fleet hosts set` as a subprocess against the testbed's sshd and a private
// sshd with a fresh host key (another machine, or the same one with a new key).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { testbedOrSkip, type Testbed } from '../../../e2e/fixtures/env';
import { startPrivateSshd } from '../../test-support/private-sshd';
import { tempFolders } from '../../test-support/quick-home';

const BIN = resolve(import.meta.dirname, '../../../bin/mcp-fleet.mjs');
const PASSPHRASE = 'hosts set test passphrase';
const { home: newHome } = tempFolders('fleet-hosts-set-');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process, so a listener here can see (or not see) its connections. */
function cli(home: string, args: string[], stdin = ''): Promise<Run> {
  const child = spawn(process.execPath, [BIN, '--home', home, ...args], {
    env: { ...process.env, MCP_FLEET_PASSPHRASE: PASSPHRASE },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

async function ok(home: string, args: string[], stdin = ''): Promise<string> {
  const r = await cli(home, args, stdin);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function listed(home: string): Promise<unknown> {
  return JSON.parse(await ok(home, ['--json', 'hosts', 'list']));
}

/** A fresh store with the testbed added as "tb" by password, its host key given at add time. */
async function homeWithTestbed(tb: Testbed): Promise<string> {
  const home = newHome();
  const target = `${tb.ssh.username}@${tb.ssh.host}:${tb.ssh.port}`;
  await ok(
    home,
    ['hosts', 'add', 'tb', '--ssh', target, '--password-stdin', '--host-key', tb.ssh.hostKeySha256],
    `${tb.ssh.password}\n`,
  );
  return home;
}

async function countingListener(t: TestContext): Promise<{ port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.after(() => new Promise<void>((done) => server.close(() => done())));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    connections: () => count,
  };
}

test('hosts set to an endpoint with another key: refused with its fingerprint, then --accept-host-key with it (sshd)', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const home = await homeWithTestbed(tb);
  const other = await startPrivateSshd(tb);
  t.after(() => other.dispose());
  const before = await listed(home);

  const refused = await cli(home, ['hosts', 'set', 'tb', '--port', String(other.port)]);
  assert.equal(refused.code, 1, refused.stderr);
  const offered = /offered (SHA256:[A-Za-z0-9+/]{43})/.exec(refused.stderr)?.[1];
  assert.ok(offered, refused.stderr);
  assert.notEqual(offered, tb.ssh.hostKeySha256);
  assert.ok(refused.stderr.includes(`--accept-host-key ${offered}`), refused.stderr);
  assert.deepEqual(await listed(home), before);

  const wrong = await cli(home, [
    'hosts',
    'set',
    'tb',
    '--port',
    String(other.port),
    '--accept-host-key',
    tb.ssh.hostKeySha256,
  ]);
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.match(wrong.stderr, /is not the accepted one/);
  assert.deepEqual(await listed(home), before);

  const out = await ok(home, [
    'hosts',
    'set',
    'tb',
    '--port',
    String(other.port),
    '--accept-host-key',
    offered,
  ]);
  assert.match(out, /changed host tb: port, hostKey \(the new settings logged in\)/);
  const [host] = (await listed(home)) as { port: number; hostKeySha256: string }[];
  assert.deepEqual([host?.port, host?.hostKeySha256], [other.port, offered]);
});

test('hosts set --password-stdin with a wrong password is refused and saves nothing; --no-check saves it (sshd)', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const home = await homeWithTestbed(tb);
  const before = await listed(home);
  const wrong = 'wrong-password-93b2d1';
  const refused = await cli(home, ['hosts', 'set', 'tb', '--password-stdin'], `${wrong}\n`);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /login refused for .*nothing was saved.*--no-check/);
  assert.ok(!refused.stderr.includes(wrong) && !refused.stdout.includes(wrong));
  assert.deepEqual(await listed(home), before);

  const saved = await ok(home, ['hosts', 'set', 'tb', '--password-stdin', '--no-check'], `${wrong}\n`);
  assert.match(saved, /changed host tb: credential \(not tried \(--no-check\)\)/);
  const back = await ok(home, ['hosts', 'set', 'tb', '--key', tb.ssh.keyPath]);
  assert.match(back, /changed host tb: credential \(the new settings logged in\)/);
});

test('hosts set with bad input exits 2, contacts no host and changes nothing (sshd)', async (t) => {
  const tb = testbedOrSkip(t);
  if (!tb) return;
  const home = await homeWithTestbed(tb);
  const trap = await countingListener(t);
  const before = await listed(home);
  const port = String(trap.port);
  const cases: [string[], string, RegExp][] = [
    [['--port', port, '--address', 'bad address'], '', /address: must be a host name or an IP address/],
    [['--port', '70000'], '', /port/],
    [['--port', 'twenty'], '', /--port expects a number/],
    [['--port', port, '--user', 'root;id'], '', /user: must be a valid login name/],
    [['--port', port, '--accept-host-key', 'SHA256:short'], '', /must look like SHA256:/],
    [['--port', port, '--key', '/nonexistent/key'], '', /cannot read key file/],
    [
      ['--port', port, '--key', tb.ssh.encryptedKeyPath, '--key-passphrase-stdin'],
      'not it\n',
      /passphrase does not decrypt/,
    ],
    [['--port', port, '--key', tb.ssh.encryptedKeyPath], '', /encrypted/],
    [['--port', port, '--password-stdin', '--agent'], 'x\n', /at most one of/],
    [['--port', port, '--key-passphrase-stdin'], 'x\n', /goes with --key/],
    [['--port', port, '--password-stdin'], '', /no password on standard input/],
    [[], '', /nothing to change/],
    [['--port', port, '--ssh', 'a@b'], '', /unknown option --ssh/],
  ];
  const keyLine = readFileSync(tb.ssh.encryptedKeyPath, 'utf8').split('\n')[1] ?? '';
  assert.ok(keyLine.length > 20);
  for (const [args, stdin, pattern] of cases) {
    const r = await cli(home, ['hosts', 'set', 'tb', ...args], stdin);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.ok(!r.stderr.includes(keyLine), 'no key text in a message');
  }
  assert.equal(trap.connections(), 0, 'no host was contacted');
  assert.deepEqual(await listed(home), before);
});
