// Backup, restore and passphrase change on real encrypted stores (SQLite3 Multiple Ciphers), including
// processes SIGKILLed in the middle of a passphrase change or a restore.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3-multiple-ciphers';
import { FleetError } from '../../shared/errors';
import { openEncrypted } from './database';
import { PassphraseKeyProvider } from './key-providers';
import { Store } from './store';
import { StoreMaintenance } from './store-maintenance';
import { tempFolders } from '../../test-support/quick-home';

const OLD = 'old passphrase 1';
const NEW = 'new passphrase 2';
const { dir: tempDir, home: newHome } = tempFolders('mcp-fleet-maint-test-');

const open = (home: string, passphrase: string) =>
  Store.open({ home, keyProvider: new PassphraseKeyProvider(passphrase) });

function addHost(store: Store, name: string): void {
  store.hosts.insert(
    { name, kind: 'ssh', user: 'ops', address: '10.0.0.5', port: 22, auth: 'password', hostKeySha256: null },
    { secret: `password-of-${name}`, passphrase: null },
  );
}

const hostNames = (store: Store) => store.hosts.list().map((h) => h.name);

async function seeded(passphrase = OLD): Promise<{ home: string; store: Store; m: StoreMaintenance }> {
  const home = newHome();
  const store = await open(home, passphrase);
  addHost(store, 'db-1');
  return { home, store, m: new StoreMaintenance(store, 'test') };
}

function sha(path: string): string | null {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : null;
}

/** The store's files as bytes: what "changes nothing" is checked against. */
function fingerprint(home: string): Record<string, string | null> {
  return Object.fromEntries(['fleet.db', 'fleet.db-wal', 'store.json'].map((f) => [f, sha(join(home, f))]));
}

/** Opens with a passphrase and reads a table: PRAGMA key alone succeeds for any key. */
async function opensWith(home: string, passphrase: string): Promise<string[] | null> {
  try {
    const store = await open(home, passphrase);
    try {
      return hostNames(store);
    } finally {
      store.close();
    }
  } catch (err) {
    if (err instanceof FleetError && err.code === 'store_locked') return null;
    throw err;
  }
}

const fails = (code: string, message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof FleetError, String(err));
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  return true;
};

void describe('StoreMaintenance backup', () => {
  void it('writes a 0600 file with the key settings and the encrypted store, refusing to overwrite unless forced', async () => {
    const { home, store, m } = await seeded();
    const dest = join(tempDir(), 'nested', 'fleet.backup');
    const written = await m.backup(dest);
    assert.equal(written.path, dest);
    assert.equal(statSync(dest).mode & 0o777, 0o600);
    const bytes = readFileSync(dest);
    assert.match(bytes.subarray(0, 40).toString('latin1'), /^MCP-FLEET-BACKUP 1\n\{/);
    const salt = (JSON.parse(readFileSync(join(home, 'store.json'), 'utf8')) as { salt: string }).salt;
    assert.ok(bytes.includes(Buffer.from(salt)), 'the backup carries the salt it needs');
    assert.equal(bytes.includes(Buffer.from('password-of-db-1')), false);
    assert.equal(bytes.includes(Buffer.from('SQLite format 3')), false);

    await assert.rejects(m.backup(dest), fails('conflict', /already exists.*--force/));
    assert.deepEqual(readFileSync(dest), bytes);
    addHost(store, 'db-2');
    await m.backup(dest, true);
    assert.notDeepEqual(readFileSync(dest), bytes);
    assert.equal(statSync(dest).mode & 0o777, 0o600);
    await assert.rejects(m.backup(join(home, 'fleet.db'), true), fails('invalid_input', /store's own files/));
    assert.deepEqual(
      readdirSync(join(dest, '..')).filter((f) => f !== 'fleet.backup'),
      [],
      'no temp file is left beside the backup',
    );
    store.close();
  });
});

void describe('StoreMaintenance restore', () => {
  void it('puts the backup back: the change made since is gone, the old store is kept, the same Store goes on', async () => {
    const { home, store, m } = await seeded();
    const backup = join(tempDir(), 'b.backup');
    await m.backup(backup);
    addHost(store, 'made-after-backup');
    const restored = await m.restore(backup);
    assert.deepEqual(hostNames(store), ['db-1'], 'the open Store reads the restored file');
    assert.equal(restored.rekeyed, false);
    assert.match(restored.previous, /fleet\.db\.before-restore-/);
    assert.equal(statSync(restored.previous).mode & 0o777, 0o600);
    addHost(store, 'after-restore');
    assert.deepEqual(
      store.audit.list(2).map((e) => e.action),
      ['store.restore'],
    );
    store.close();
    assert.deepEqual(await opensWith(home, OLD), ['after-restore', 'db-1'].sort());
    // The kept file is the store as it was, under the same passphrase.
    const kept = newHome();
    writeFileSync(join(kept, 'store.json'), readFileSync(join(home, 'store.json')));
    writeFileSync(join(kept, 'fleet.db'), readFileSync(restored.previous));
    assert.deepEqual((await opensWith(kept, OLD))?.sort(), ['db-1', 'made-after-backup']);
  });

  void it('restores a bare store file as Store.backup writes it, which opens with the store key', async () => {
    const { store, m } = await seeded();
    const bare = join(tempDir(), 'bare.db');
    await store.backup(bare);
    addHost(store, 'made-after-backup');
    const restored = await m.restore(bare);
    assert.equal(restored.createdAt, null);
    assert.deepEqual(hostNames(store), ['db-1']);
    store.close();
  });

  void it("restores another store's backup by itself under the same passphrase, else only with that store's passphrase", async () => {
    const other = await seeded('the other store 1');
    addHost(other.store, 'from-other');
    const backup = join(tempDir(), 'other.backup');
    await other.m.backup(backup);
    other.store.close();

    const { home, store, m } = await seeded();
    const before = fingerprint(home);
    await assert.rejects(
      m.restore(backup, { current: OLD }),
      fails('store_locked', /comes from another store .*needs the passphrase that store had then/),
    );
    await assert.rejects(
      m.restore(backup, { current: OLD, backup: 'not it at all' }),
      fails('store_locked', /the backup passphrase given does not open it either/),
    );
    assert.deepEqual(fingerprint(home), before);
    const asked: string[] = [];
    const result = await m.restore(backup, {
      ask: (why) => (asked.push(why), Promise.resolve('the other store 1')),
    });
    assert.equal(result.rekeyed, true);
    assert.equal(asked.length, 1);
    assert.deepEqual(hostNames(store).sort(), ['db-1', 'from-other']);
    store.close();
    assert.deepEqual((await opensWith(home, OLD))?.sort(), ['db-1', 'from-other']);
    assert.equal(await opensWith(home, 'the other store 1'), null);

    // The same passphrase on both stores: the current one is tried with the backup's own settings.
    const twin = await seeded();
    addHost(twin.store, 'from-twin');
    const twinBackup = join(tempDir(), 'twin.backup');
    await twin.m.backup(twinBackup);
    twin.store.close();
    const again = await open(home, OLD);
    await new StoreMaintenance(again, 'test').restore(twinBackup, { current: OLD });
    assert.deepEqual(hostNames(again).sort(), ['db-1', 'from-twin']);
    again.close();
  });
});

void describe('StoreMaintenance passphrase change', () => {
  void it('re-keys the store: the old passphrase no longer opens it, the new one does, store.json stays', async () => {
    const { home, store, m } = await seeded();
    const settings = readFileSync(join(home, 'store.json'));
    writeFileSync(join(home, 'key.keychain'), 'sealed key');
    const result = await m.changePassphrase(OLD, NEW);
    assert.equal(result.keychainForgotten, join(home, 'key.keychain'));
    assert.equal(existsSync(join(home, 'key.keychain')), false);
    addHost(store, 'after-change');
    assert.deepEqual(
      store.audit.list(1).map((e) => e.action),
      ['store.passphrase'],
    );
    store.close();
    assert.deepEqual(readFileSync(join(home, 'store.json')), settings);
    assert.equal(await opensWith(home, OLD), null);
    assert.deepEqual((await opensWith(home, NEW))?.sort(), ['after-change', 'db-1']);
    assert.equal(statSync(join(home, 'fleet.db')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(home).sort(), ['fleet.db', 'store.json']);
  });

  void it('restores a backup made before the change with the passphrase it was made under, keeping the new one', async () => {
    const { home, store, m } = await seeded();
    const backup = join(tempDir(), 'before-change.backup');
    await m.backup(backup);
    await m.changePassphrase(OLD, NEW);
    addHost(store, 'after-change');
    await assert.rejects(
      m.restore(backup),
      fails('store_locked', /made under another passphrase of this store \(before a passphrase change\)/),
    );
    const result = await m.restore(backup, { backup: OLD });
    assert.equal(result.rekeyed, true);
    assert.deepEqual(hostNames(store), ['db-1']);
    store.close();
    assert.deepEqual(await opensWith(home, NEW), ['db-1']);
    assert.equal(await opensWith(home, OLD), null);
  });
});

void describe('StoreMaintenance bad input', () => {
  void it('refuses a wrong passphrase, a foreign, truncated or damaged file and changes nothing', async () => {
    const { home, store, m } = await seeded();
    const dir = tempDir();
    const good = join(dir, 'good.backup');
    await m.backup(good);
    addHost(store, 'db-2');
    const bytes = readFileSync(good);
    const file = (name: string, content: Buffer | string): string => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    const plain = join(dir, 'plain.db');
    new Database(plain).exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    const headerEnd = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
    const flipped = Buffer.from(bytes);
    flipped[headerEnd + 5000] = (flipped[headerEnd + 5000] ?? 0) ^ 0xff;
    const before = fingerprint(home);
    const cases: [string, () => Promise<unknown>, string, RegExp][] = [
      [
        'wrong current passphrase',
        () => m.changePassphrase('wrong one!', NEW),
        'store_locked',
        /current passphrase is wrong/,
      ],
      ['too short', () => m.changePassphrase(OLD, 'short'), 'invalid_input', /at least 8 characters/],
      ['unchanged', () => m.changePassphrase(OLD, OLD), 'invalid_input', /is the current one/],
      ['missing file', () => m.restore(join(dir, 'nope')), 'not_found', /cannot read/],
      [
        'text file',
        () => m.restore(file('notes.txt', 'hello, not a store\n')),
        'store_locked',
        /not an MCP Fleet store/,
      ],
      ['plain SQLite', () => m.restore(plain), 'store_locked', /not an MCP Fleet store/],
      [
        'random bytes',
        () => m.restore(file('random.bin', randomBytes(8192))),
        'store_locked',
        /not an MCP Fleet store/,
      ],
      ['empty file', () => m.restore(file('empty', '')), 'invalid_input', /it is empty/],
      [
        'truncated',
        () => m.restore(file('cut.backup', bytes.subarray(0, bytes.length >> 1))),
        'invalid_input',
        /truncated/,
      ],
      [
        'truncated header',
        () => m.restore(file('head.backup', bytes.subarray(0, 60))),
        'invalid_input',
        /cut short/,
      ],
      [
        'damaged',
        () => m.restore(file('flip.backup', flipped)),
        'invalid_input',
        /does not match the checksum/,
      ],
      [
        'newer format',
        () => m.restore(file('v9.backup', 'MCP-FLEET-BACKUP 9\n{}\n')),
        'invalid_input',
        /format "9"/,
      ],
      ['the store itself', () => m.restore(join(home, 'fleet.db')), 'invalid_input', /the store itself/],
    ];
    for (const [what, run, code, message] of cases) {
      await assert.rejects(run(), fails(code, message), what);
      assert.deepEqual(fingerprint(home), before, `${what} changed the store`);
    }
    assert.deepEqual(hostNames(store), ['db-1', 'db-2']);
    assert.deepEqual(
      readdirSync(home).sort(),
      ['fleet.db', 'fleet.db-shm', 'fleet.db-wal', 'store.json'],
      'no temp file is left in the data folder',
    );
    store.close();
  });

  void it('refuses while another process has the store open, and works once it is closed', async () => {
    const { home, store, m } = await seeded();
    const backup = join(tempDir(), 'b.backup');
    await m.backup(backup);
    const other = await open(home, OLD);
    hostNames(other);
    // A backup is a read: it goes on beside another process, even one in the middle of a write.
    const writer = openEncrypted(join(home, 'fleet.db'), await new PassphraseKeyProvider(OLD).getKey(home));
    writer.exec('BEGIN IMMEDIATE; DELETE FROM credentials; DELETE FROM hosts');
    const beside = join(tempDir(), 'beside.backup');
    await m.backup(beside);
    writer.exec('ROLLBACK');
    writer.close();
    const before = fingerprint(home);
    await assert.rejects(m.changePassphrase(OLD, NEW), fails('conflict', /open in another process/));
    await assert.rejects(m.restore(backup), fails('conflict', /open in another process/));
    assert.deepEqual(fingerprint(home), before);
    addHost(store, 'still-writable');
    assert.deepEqual(hostNames(other).sort(), ['db-1', 'still-writable']);
    other.close();
    await m.restore(beside);
    assert.deepEqual(
      hostNames(store),
      ['db-1'],
      'the backup held the last commit, not the write in progress',
    );
    await m.changePassphrase(OLD, NEW);
    store.close();
    assert.deepEqual(await opensWith(home, NEW), ['db-1']);
  });
});

void describe('StoreMaintenance crash safety', () => {
  const fixture = fileURLToPath(new URL('./passphrase-crash.fixture.ts', import.meta.url));

  function runFixture(home: string, crash: string, backup?: string): Promise<NodeJS.Signals | null> {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: {
        ...process.env,
        MCP_FLEET_TEST_HOME: home,
        MCP_FLEET_TEST_CRASH: crash,
        OLD_PASSPHRASE: OLD,
        NEW_PASSPHRASE: NEW,
        ...(backup === undefined ? {} : { MCP_FLEET_TEST_BACKUP: backup }),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  }

  for (const [crash, opens] of [
    ['mid-copy', OLD],
    ['before-rename', OLD],
    ['after-rename', NEW],
  ] as const) {
    void it(`a passphrase change killed ${crash} leaves a store that opens with the ${opens === OLD ? 'old' : 'new'} passphrase`, async () => {
      const { home, store } = await seeded();
      store.close();
      assert.equal(await runFixture(home, crash), 'SIGKILL');
      const other = opens === OLD ? NEW : OLD;
      assert.deepEqual(await opensWith(home, opens), ['db-1']);
      assert.equal(await opensWith(home, other), null);
      // The next change clears what the killed one left, and goes through.
      const again = await open(home, opens);
      await new StoreMaintenance(again, 'test').changePassphrase(opens, `${other} again`);
      again.close();
      assert.deepEqual(readdirSync(home).sort(), ['fleet.db', 'store.json']);
    });
  }

  void it('a restore killed before its rename leaves the store as it was', async () => {
    const { home, store, m } = await seeded();
    const backup = join(tempDir(), 'b.backup');
    await m.backup(backup);
    addHost(store, 'made-after-backup');
    store.close();
    assert.equal(await runFixture(home, 'before-rename', backup), 'SIGKILL');
    assert.deepEqual((await opensWith(home, OLD))?.sort(), ['db-1', 'made-after-backup']);
  });
});
