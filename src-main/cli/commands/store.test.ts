// Integration: runs the real `mcp-fleet store ...` commands as subprocesses on fresh encrypted stores.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { tempFolders } from '../../test-support/quick-home';

const BIN = resolve(import.meta.dirname, '../../../bin/mcp-fleet.mjs');
const OLD = 'correct horse battery staple';
const NEW = 'a new and longer passphrase';
const { dir: tempDir, home: newHome } = tempFolders('fleet-store-cli-');

function cli(home: string, args: string[], opts: { stdin?: string; passphrase?: string } = {}) {
  const env = { ...process.env, MCP_FLEET_PASSPHRASE: opts.passphrase ?? OLD };
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], {
    env,
    input: opts.stdin ?? '',
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(home: string, args: string[], opts: { stdin?: string; passphrase?: string } = {}) {
  const r = cli(home, args, opts);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Host names through a command that reads the store: a real statement, not just PRAGMA key. */
function hosts(home: string, passphrase = OLD): string[] {
  const out = ok(home, ['--json', 'hosts', 'list'], { passphrase });
  return (JSON.parse(out) as { name: string }[]).map((h) => h.name).sort();
}

function sha(path: string): string | null {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : null;
}
const fingerprint = (home: string) =>
  ['fleet.db', 'fleet.db-wal', 'store.json'].map((f) => sha(join(home, f)));

describe('mcp-fleet store', () => {
  test('backup, a change, restore: the change is gone and the old store is kept', () => {
    const home = newHome();
    ok(home, ['hosts', 'add', 'lab', '--local']);
    const file = join(tempDir(), 'fleet.backup');
    const out = ok(home, ['store', 'backup', file]);
    assert.match(out, /wrote a backup .* mode 0600/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = cli(home, ['store', 'backup', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; choose another file or pass --force/);
    ok(home, ['store', 'backup', file, '--force']);

    ok(home, ['hosts', 'add', 'later', '--local']);
    assert.deepEqual(hosts(home), ['lab', 'later']);
    const restored = ok(home, ['store', 'restore', file]);
    assert.match(restored, /restored the store in .* from .*fleet\.backup \(made /);
    const kept = /kept as (\S+)/.exec(restored)?.[1];
    assert.ok(kept && existsSync(kept), restored);
    assert.deepEqual(hosts(home), ['lab']);
  });

  test('passphrase: the old one stops working, the new one opens, a pre-change backup restores with its own', () => {
    const home = newHome();
    ok(home, ['hosts', 'add', 'lab', '--local']);
    const file = join(tempDir(), 'before.backup');
    ok(home, ['store', 'backup', file]);
    writeFileSync(join(home, 'key.keychain'), 'sealed by the desktop app');

    const changed = ok(home, ['store', 'passphrase', '--new-passphrase-stdin'], {
      stdin: `${NEW}\n${NEW}\n`,
    });
    assert.match(changed, /changed the passphrase/);
    assert.match(changed, /removed .*key\.keychain.* asks for the new passphrase/);
    assert.equal(existsSync(join(home, 'key.keychain')), false);
    const old = cli(home, ['hosts', 'list']);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /wrong passphrase/);
    assert.deepEqual(hosts(home, NEW), ['lab']);

    ok(home, ['hosts', 'add', 'later', '--local'], { passphrase: NEW });
    const before = fingerprint(home);
    const needs = cli(home, ['store', 'restore', file], { passphrase: NEW });
    assert.equal(needs.code, 1);
    assert.match(
      needs.stderr,
      /made under another passphrase of this store \(before a passphrase change\); it needs that passphrase; give it with --backup-passphrase-stdin/,
    );
    const wrong = cli(home, ['store', 'restore', file, '--backup-passphrase-stdin'], {
      passphrase: NEW,
      stdin: 'not the old one\n',
    });
    assert.match(wrong.stderr, /does not open it either/);
    assert.deepEqual(fingerprint(home), before);
    const out = ok(home, ['store', 'restore', file, '--backup-passphrase-stdin'], {
      passphrase: NEW,
      stdin: `${OLD}\n`,
    });
    assert.match(out, /re-encrypted the backup .* for the passphrase the store has now/);
    assert.deepEqual(hosts(home, NEW), ['lab']);
  });

  test('bad input is refused with one line and changes nothing', () => {
    const home = newHome();
    ok(home, ['hosts', 'add', 'lab', '--local']);
    const dir = tempDir();
    const backup = join(dir, 'good.backup');
    ok(home, ['store', 'backup', backup]);
    const bytes = readFileSync(backup);
    writeFileSync(join(dir, 'cut.backup'), bytes.subarray(0, bytes.length - 100));
    writeFileSync(join(dir, 'notes.txt'), 'not a store\n');
    const other = newHome();
    ok(other, ['hosts', 'add', 'elsewhere', '--local'], { passphrase: 'another store entirely' });
    ok(other, ['store', 'backup', join(dir, 'other.backup')], { passphrase: 'another store entirely' });
    const before = fingerprint(home);
    const cases: [string[], { stdin?: string; passphrase?: string }, RegExp][] = [
      [
        ['store', 'passphrase', '--new-passphrase-stdin'],
        { stdin: `${NEW}\n${NEW}\n`, passphrase: 'wrong!' },
        /wrong passphrase/,
      ],
      [['store', 'passphrase', '--new-passphrase-stdin'], { stdin: `${NEW}\n${NEW}x\n` }, /differ/],
      [['store', 'passphrase', '--new-passphrase-stdin'], { stdin: `${NEW}\n` }, /twice, one per line/],
      [
        ['store', 'passphrase', '--new-passphrase-stdin'],
        { stdin: 'short\nshort\n' },
        /at least 8 characters/,
      ],
      [['store', 'passphrase', NEW], {}, /never go on the command line/],
      [['store', 'passphrase'], {}, /on a terminal, or pipe it in twice/],
      [['store', 'restore', join(dir, 'notes.txt')], {}, /not an MCP Fleet store/],
      [['store', 'restore', join(dir, 'cut.backup')], {}, /truncated/],
      [['store', 'restore', join(dir, 'other.backup')], {}, /comes from another store/],
    ];
    for (const [args, opts, pattern] of cases) {
      const r = cli(home, args, opts);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, pattern, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, args.join(' '));
      assert.deepEqual(fingerprint(home), before, `${args.join(' ')} changed the store`);
    }
    assert.deepEqual(hosts(home), ['lab']);
  });
});
