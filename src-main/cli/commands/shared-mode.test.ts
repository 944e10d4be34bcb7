// Integration: the real `mcp-fleet` CLI (a subprocess) sets the bridge's Shared-mode settings in a
// fresh encrypted store: `servers add --root/--member-*/--max-connections*`, `members add --sessions…`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';

const BIN = resolve(import.meta.dirname, '../../../bin/mcp-fleet.mjs');
const homes: string[] = [];

function newHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-cli-shared-'));
  homes.push(dir);
  return dir;
}

function cli(home: string, args: string[]) {
  const env = { ...process.env, MCP_FLEET_PASSPHRASE: 'correct horse battery staple' };
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], { env, input: '', encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fileHash = (home: string) =>
  createHash('sha256')
    .update(readFileSync(join(home, 'fleet.db')))
    .digest('hex');

after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

const ADD = ['servers', 'add', 'files', '--npx', '@modelcontextprotocol/server-filesystem@2026.1.14'];

describe('mcp-fleet servers add: roots and bridge caps', () => {
  test('are saved and shown by servers show, in text and JSON', () => {
    const home = newHome();
    const add = cli(home, [
      ...ADD,
      '--mode',
      'shared',
      '--root',
      'file:///srv/data',
      '--root=file:///srv/a%3Db=Shared docs',
      '--member-sessions',
      '8',
      '--member-rps=2.5',
      '--max-connections',
      '300',
      '--max-connections-per-source',
      '40',
    ]);
    assert.equal(add.code, 0, add.stderr);
    const show = cli(home, ['servers', 'show', 'files']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(
      show.stdout,
      /roots: *\n {2}file:\/\/\/srv\/data\n {2}file:\/\/\/srv\/a%3Db {2}\(Shared docs\)\n/,
    );
    assert.match(
      show.stdout,
      /bridge: +--member-sessions 8 --member-rps 2\.5 --max-connections 300 --max-connections-per-source 40\n/,
    );
    const json = JSON.parse(cli(home, ['--json', 'servers', 'show', 'files']).stdout) as {
      roots: unknown;
      bridgeLimits: unknown;
    };
    assert.deepEqual(json.roots, [
      { uri: 'file:///srv/data' },
      { uri: 'file:///srv/a%3Db', name: 'Shared docs' },
    ]);
    assert.deepEqual(json.bridgeLimits, {
      memberSessions: 8,
      memberRps: 2.5,
      maxConnections: 300,
      maxConnectionsPerSource: 40,
    });

    // Without the flags: no roots and the bridge's own defaults, said so.
    assert.equal(cli(home, ['servers', 'add', 'plain', '--npx', 'pkg@1.0.0', '--mode', 'dedicated']).code, 0);
    const plain = cli(home, ['servers', 'show', 'plain']);
    assert.match(plain.stdout, /roots: +-\n/);
    assert.match(plain.stdout, /bridge: +the bridge's defaults\n/);
  });

  test('bad values are refused with a one-line error naming the flag, and nothing is written', () => {
    const home = newHome();
    assert.equal(cli(home, ['servers', 'add', 'first', '--npx', 'pkg@1.0.0', '--mode', 'shared']).code, 0);
    const before = fileHash(home);
    const cases: [string[], RegExp][] = [
      [['--mode', 'dedicated', '--root', 'file:///srv/data'], /--root is for --mode shared/],
      [
        ['--mode', 'shared', '--root', 'https://example.com/'],
        /--root "https:\/\/example.com\/" must be a file:\/\/ URI/,
      ],
      [['--mode', 'shared', '--root', 'file:///srv/my data'], /without spaces or control characters/],
      [['--mode', 'shared', '--root', 'file:///srv='], /1 to 200 printable characters/],
      [
        ['--mode', 'shared', '--member-sessions', '0'],
        /--member-sessions must be a whole number from 1 to 1000000, got "0"/,
      ],
      [['--mode', 'shared', '--member-inflight', '2.5'], /--member-inflight must be a whole number/],
      [['--mode', 'shared', '--member-rps', '1e3'], /--member-rps must be a number from above 0 to 1000000/],
      [['--mode', 'shared', '--max-connections', '1000001'], /--max-connections must be a whole number/],
      [
        ['--mode', 'shared', '--max-connections', '10', '--max-connections-per-source', '20'],
        /--max-connections-per-source 20 is above --max-connections 10/,
      ],
    ];
    for (const [extra, pattern] of cases) {
      const r = cli(home, [...ADD, ...extra]);
      assert.notEqual(r.code, 0, extra.join(' '));
      assert.match(r.stderr, pattern, extra.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, extra.join(' '));
    }
    assert.equal(fileHash(home), before, 'a refused add changed the store');
    const list = JSON.parse(cli(home, ['--json', 'servers', 'list']).stdout) as { name: string }[];
    assert.deepEqual(
      list.map((s) => s.name),
      ['first'],
    );
  });
});

describe('mcp-fleet members add: a member’s own limits', () => {
  test('are saved and listed; bad ones are refused and add no member', () => {
    const home = newHome();
    assert.equal(cli(home, ['servers', 'add', 'files', '--npx', 'pkg@1.0.0', '--mode', 'shared']).code, 0);
    const add = cli(home, [
      'members',
      'add',
      'files',
      'batch',
      '--sessions',
      '2',
      '--inflight',
      '1',
      '--rps',
      '0.5',
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /limits sessions 2, inflight 1, rps 0\.5/);
    assert.equal(cli(home, ['members', 'add', 'files', 'alice']).code, 0);

    const before = fileHash(home);
    for (const [extra, pattern] of [
      [['--sessions', '0'], /--sessions must be a whole number from 1 to 1000000, got "0"/],
      [['--inflight', 'many'], /--inflight must be a whole number/],
      [['--rps', '-1'], /--rps must be a number from above 0/],
      [['--rps', '0.0000001'], /at least 0\.000001/],
    ] as const) {
      const r = cli(home, ['members', 'add', 'files', 'carol', ...extra]);
      assert.notEqual(r.code, 0, extra.join(' '));
      assert.match(r.stderr, pattern, extra.join(' '));
    }
    assert.equal(fileHash(home), before, 'a refused member add changed the store');

    const members = JSON.parse(cli(home, ['--json', 'members', 'list', 'files']).stdout) as {
      name: string;
      limits: unknown;
    }[];
    assert.deepEqual(
      members.map((m) => [m.name, m.limits]),
      [
        ['alice', {}],
        ['batch', { sessions: 2, inflight: 1, rps: 0.5 }],
      ],
    );
    const table = cli(home, ['members', 'list', 'files']).stdout;
    assert.match(table, /alice .*the server's/);
    assert.match(table, /batch .*sessions 2, inflight 1, rps 0\.5/);
  });
});
