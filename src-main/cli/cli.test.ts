// Integration: runs the real `mcp-fleet` CLI as a subprocess against a fresh encrypted store.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';

const BIN = resolve(import.meta.dirname, '../../bin/mcp-fleet.mjs');
const PASS = 'correct horse battery staple';
const homes: string[] = [];

function newHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-cli-'));
  homes.push(dir);
  return dir;
}

function cli(home: string, args: string[], opts: { stdin?: string; passphrase?: string | null } = {}) {
  const env = { ...process.env };
  delete env.MCP_FLEET_PASSPHRASE;
  if (opts.passphrase !== null) env.MCP_FLEET_PASSPHRASE = opts.passphrase ?? PASS;
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], {
    env,
    input: opts.stdin ?? '',
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every byte of every file in the data directory, for searching plaintext. */
function allBytes(home: string): Buffer {
  return Buffer.concat(readdirSync(home).map((f) => readFileSync(join(home, f))));
}

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

describe('mcp-fleet hosts', () => {
  test('a password given on stdin is stored encrypted, and hosts list --json shows the host', () => {
    const home = newHome();
    const password = 'pw-' + 'Zq7'.repeat(8);
    const add = cli(home, ['hosts', 'add', 'db1', '--ssh', 'ops@10.0.0.5:2222', '--password-stdin'], {
      stdin: password + '\n',
    });
    assert.equal(add.code, 0, add.stderr);
    assert.ok(!add.stdout.includes(password));
    const list = cli(home, ['--json', 'hosts', 'list']);
    assert.equal(list.code, 0, list.stderr);
    const hosts = JSON.parse(list.stdout) as { name: string; address: string; port: number; auth: string }[];
    assert.deepEqual(
      hosts.map((h) => [h.name, h.address, h.port, h.auth]),
      [['db1', '10.0.0.5', 2222, 'password']],
    );
    assert.equal(allBytes(home).indexOf(password), -1, 'the password appears in the data directory');
    assert.notEqual(readFileSync(join(home, 'fleet.db')).subarray(0, 15).toString(), 'SQLite format 3');
  });

  test('a wrong passphrase exits non-zero with a clear message and leaves the file unchanged', () => {
    const home = newHome();
    assert.equal(cli(home, ['hosts', 'add', 'lab', '--local']).code, 0);
    const before = sha(join(home, 'fleet.db'));
    const r = cli(home, ['hosts', 'list'], { passphrase: 'not the passphrase' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /passphrase/i);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(sha(join(home, 'fleet.db')), before);
    const missing = cli(home, ['hosts', 'list'], { passphrase: null });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /MCP_FLEET_PASSPHRASE/);
  });

  test('bad input gets a one-line error and writes nothing', () => {
    const home = newHome();
    assert.equal(cli(home, ['hosts', 'add', 'lab', '--local']).code, 0);
    const notKey = join(newHome(), 'not-a-key');
    writeFileSync(notKey, 'hello, I am not a key\n');
    const cases: [string[], RegExp][] = [
      [['hosts', 'add', 'lab', '--local'], /already exists/],
      [['hosts', 'add', 'k1', '--ssh', 'ops@h', '--key', notKey], /not an SSH private key/],
      [['hosts', 'add', 'k2', '--ssh', 'ops@h', '--key', join(home, 'nope')], /cannot read key file/],
      [['hosts', 'add', 'x', '--ssh', 'no-at-sign'], /USER@HOST/],
      [['hosts', 'add', 'bad name!', '--local'], /name/],
      [['hosts', 'add', 'y', '--ssh', 'ops@h', '--password-stdin', '--agent'], /exactly one/],
      [['hosts', 'remove', 'ghost'], /no host named "ghost"/],
      [['hosts', 'frobnicate'], /unknown hosts command/],
      [['hosts', 'list', '--bogus'], /unknown option --bogus/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(home, args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, pattern, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, args.join(' '));
    }
    const hosts = JSON.parse(cli(home, ['--json', 'hosts', 'list']).stdout) as { name: string }[];
    assert.deepEqual(
      hosts.map((h) => h.name),
      ['lab'],
    );
  });

  test('an encrypted key needs its right passphrase, and is then stored encrypted', () => {
    const home = newHome();
    const keyFile = join(newHome(), 'id_ed25519');
    const gen = spawnSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      'keypass',
      '-C',
      'fleet-test',
      '-f',
      keyFile,
    ]);
    assert.equal(gen.status, 0, 'ssh-keygen (openssh-client) must be installed');
    const base = ['hosts', 'add', 'k1', '--ssh', 'ops@[::1]:22', '--key', keyFile];
    const noPass = cli(home, base);
    assert.notEqual(noPass.code, 0);
    assert.match(noPass.stderr, /encrypted: give its passphrase/);
    const wrong = cli(home, [...base, '--passphrase-stdin'], { stdin: 'wrong' });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /passphrase does not decrypt/);
    assert.deepEqual(JSON.parse(cli(home, ['--json', 'hosts', 'list']).stdout), []);
    const ok = cli(home, [...base, '--passphrase-stdin'], { stdin: 'keypass\n' });
    assert.equal(ok.code, 0, ok.stderr);
    const hosts = JSON.parse(cli(home, ['--json', 'hosts', 'list']).stdout) as {
      address: string;
      auth: string;
    }[];
    assert.deepEqual(hosts[0] && [hosts[0].address, hosts[0].auth], ['::1', 'key']);
    const keyBody = readFileSync(keyFile, 'utf8').split('\n')[1] as string;
    assert.equal(allBytes(home).indexOf(keyBody), -1, 'key material appears in the data directory');
    assert.equal(allBytes(home).indexOf('keypass'), -1, 'the key passphrase appears in the data directory');
  });
});

describe('mcp-fleet servers', () => {
  test('secret env is masked in show and absent from the data directory', () => {
    const home = newHome();
    const secret = 'ghp_' + 'S3cr3tValue'.repeat(3);
    const add = cli(home, [
      'servers',
      'add',
      'memory',
      '--npx',
      '@modelcontextprotocol/server-memory@2026.8.31',
      '--arg',
      '--verbose',
      '--env',
      'LOG_LEVEL=debug',
      '--secret-env',
      `GITHUB_TOKEN=${secret}`,
      '--mode',
      'shared',
    ]);
    assert.equal(add.code, 0, add.stderr);
    const show = cli(home, ['servers', 'show', 'memory']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /GITHUB_TOKEN=•••• {2}\(secret\)/);
    assert.match(show.stdout, /LOG_LEVEL=debug/);
    assert.match(show.stdout, /"--verbose"/);
    assert.ok(!show.stdout.includes(secret));
    const json = cli(home, ['--json', 'servers', 'show', 'memory']);
    assert.ok(!json.stdout.includes(secret));
    assert.equal(allBytes(home).indexOf(secret), -1, 'the secret appears in the data directory');
    const list = JSON.parse(cli(home, ['--json', 'servers', 'list']).stdout) as {
      name: string;
      mode: string;
    }[];
    assert.deepEqual(
      list.map((s) => [s.name, s.mode]),
      [['memory', 'shared']],
    );
    assert.equal(cli(home, ['servers', 'remove', 'memory']).code, 0);
    assert.deepEqual(JSON.parse(cli(home, ['--json', 'servers', 'list']).stdout), []);
  });

  test('bad server input is refused with a one-line error and nothing written', () => {
    const home = newHome();
    const cases: [string[], RegExp][] = [
      [['servers', 'add', 's1', '--npx', 'Bad Name', '--mode', 'shared'], /npm package name|spaces/],
      [['servers', 'add', 's1', '--image', 'UPPER/Case', '--mode', 'shared'], /image reference/],
      [['servers', 'add', 's1', '--npx', 'pkg', '--mode', 'sometimes'], /--mode/],
      [['servers', 'add', 's1', '--npx', 'pkg', '--uvx', 'pkg', '--mode', 'shared'], /exactly one source/],
      [['servers', 'add', 's1', '--npx', 'pkg', '--env', 'NOVALUE', '--mode', 'shared'], /KEY=VALUE/],
      [['servers', 'add', 's1', '--npx', 'pkg', '--env', '1BAD=x', '--mode', 'shared'], /env/],
      [
        ['servers', 'add', 's1', '--npx', 'pkg', '--env', 'A=1', '--secret-env', 'A=2', '--mode', 'shared'],
        /given twice/,
      ],
      [['servers', 'show', 'ghost'], /no server named "ghost"/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(home, args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, pattern, args.join(' '));
    }
    assert.deepEqual(JSON.parse(cli(home, ['--json', 'servers', 'list']).stdout), []);
  });
});
