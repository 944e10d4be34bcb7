import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FleetError } from '../../shared/errors';
import { openEncrypted } from './database';
import { PassphraseKeyProvider, StaticKeyProvider } from './key-providers';
import { Store } from './store';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const roots: string[] = [];
after(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempHome(): string {
  const root = mkdtempSync(join(tmpdir(), 'mcp-fleet-store-test-'));
  roots.push(root);
  return join(root, 'home');
}

function sha256(path: string): string | null {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : null;
}

function fingerprint(home: string): Record<string, string | null> {
  return Object.fromEntries(['fleet.db', 'fleet.db-wal'].map((f) => [f, sha256(join(home, f))]));
}

const isLocked = (err: unknown): boolean => err instanceof FleetError && err.code === 'store_locked';

const SECRETS = {
  password: 'hunter2-Password-5f1c',
  privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU-test-9a7e\n-----END',
  keyPassphrase: 'key-passphrase-77d2',
  envSecret: 'sk-live-env-secret-31b0',
  token: 'mcpf_token_c0ffee1234567890',
};

function seed(store: Store): void {
  store.transaction(() => {
    store.hosts.insert(
      {
        name: 'db-1',
        kind: 'ssh',
        user: 'ops',
        address: '10.0.0.5',
        port: 22,
        auth: 'password',
        hostKeySha256: null,
      },
      { secret: SECRETS.password, passphrase: null },
    );
    store.hosts.insert(
      {
        name: 'db-2',
        kind: 'ssh',
        user: 'ops',
        address: '10.0.0.6',
        port: 22,
        auth: 'key',
        hostKeySha256: null,
      },
      { secret: SECRETS.privateKey, passphrase: SECRETS.keyPassphrase },
    );
    const server = store.servers.insert({
      name: 'github',
      sourceKind: 'npx',
      sourceValue: '@modelcontextprotocol/server-github@1.0.0',
      args: [],
      env: [{ key: 'GITHUB_TOKEN', value: SECRETS.envSecret, secret: true }],
      mode: 'shared',
      port: 8080,
    });
    store.members.insert({
      serverId: server.id,
      name: 'alice',
      tokenSha256: 'a'.repeat(64),
      token: SECRETS.token,
      tools: ['*'],
    });
  });
}

void describe('Store encryption at rest', () => {
  void it('writes no plaintext header and no secret into any file of its home', async () => {
    const home = tempHome();
    const passphrase = 'correct horse battery staple';
    const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider(passphrase) });
    seed(store);
    const scan = (): void => {
      for (const file of readdirSync(home)) {
        const bytes = readFileSync(join(home, file));
        for (const [what, secret] of Object.entries({ ...SECRETS, passphrase })) {
          assert.equal(bytes.includes(Buffer.from(secret)), false, `${what} found in ${file}`);
        }
      }
    };
    assert.ok(existsSync(join(home, 'fleet.db-wal')), 'WAL is in use, so its bytes are scanned too');
    scan();
    store.close();
    scan();
    const header = readFileSync(join(home, 'fleet.db')).subarray(0, 16);
    assert.notDeepEqual(header, SQLITE_MAGIC);
    assert.deepEqual(readdirSync(home).sort(), ['fleet.db', 'store.json']);
    assert.equal(statSync(home).mode & 0o777, 0o700);
    assert.equal(statSync(join(home, 'fleet.db')).mode & 0o777, 0o600);
  });

  void it('refuses a wrong passphrase with store_locked and leaves the file byte-for-byte unchanged', async () => {
    const home = tempHome();
    const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider('right one') });
    seed(store);
    store.close();
    const before = fingerprint(home);
    await assert.rejects(Store.open({ home, keyProvider: new PassphraseKeyProvider('wrong one') }), (err) => {
      assert.ok(isLocked(err));
      assert.match((err as Error).message, /wrong passphrase or key \(check MCP_FLEET_PASSPHRASE\)/);
      assert.equal((err as Error).message.includes('wrong one'), false);
      return true;
    });
    assert.deepEqual(fingerprint(home), before);
    assert.deepEqual(readdirSync(home).sort(), ['fleet.db', 'store.json']);
    const again = await Store.open({ home, keyProvider: new PassphraseKeyProvider('right one') });
    assert.equal(again.hosts.list().length, 2);
    again.close();
  });

  void it('refuses a file that is not an encrypted store (plain SQLite, random bytes) without touching it', async () => {
    for (const content of [Buffer.concat([SQLITE_MAGIC, Buffer.alloc(4080)]), randomBytes(8192)]) {
      const home = tempHome();
      const keyProvider = new StaticKeyProvider(randomBytes(32));
      await Store.open({ home, keyProvider }).then((s) => s.close());
      writeFileSync(join(home, 'fleet.db'), content);
      const before = fingerprint(home);
      await assert.rejects(Store.open({ home, keyProvider }), isLocked);
      assert.deepEqual(fingerprint(home), before);
    }
  });

  void it('keeps a commit made just before the process is SIGKILLed', async () => {
    const home = tempHome();
    const key = randomBytes(32);
    await Store.open({ home, keyProvider: new StaticKeyProvider(key) }).then((s) => s.close());
    const fixture = fileURLToPath(new URL('./crash-writer.fixture.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, MCP_FLEET_TEST_HOME: home, MCP_FLEET_TEST_KEY: key.toString('hex') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('committed')) resolve();
      });
      child.on('exit', () => reject(new Error(`child exited before committing: ${out}`)));
    });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(existsSync(join(home, 'fleet.db-wal')), 'the commit is still only in the WAL');
    // A wrong key must not replay, checkpoint or drop that WAL.
    const before = fingerprint(home);
    await assert.rejects(Store.open({ home, keyProvider: new StaticKeyProvider(randomBytes(32)) }), isLocked);
    assert.deepEqual(fingerprint(home), before);
    const store = await Store.open({ home, keyProvider: new StaticKeyProvider(key) });
    const host = store.hosts.getByName('survivor');
    assert.ok(host);
    assert.deepEqual(store.hosts.credential(host.id), { secret: 'crash-test-password', passphrase: null });
    assert.deepEqual(
      store.audit.list().map((e) => e.action),
      ['host.add'],
    );
    store.close();
  });
});

void describe('Store backup and restore', () => {
  void it('writes an encrypted copy that opens with the same key and not with another', async () => {
    const home = tempHome();
    const key = randomBytes(32);
    const store = await Store.open({ home, keyProvider: new StaticKeyProvider(key) });
    seed(store);
    const dest = join(tempHome(), 'backups', 'fleet-backup.db');
    await store.backup(dest);
    await assert.rejects(store.backup(dest), (err) => err instanceof FleetError && err.code === 'conflict');
    const bytes = readFileSync(dest);
    assert.notDeepEqual(bytes.subarray(0, 16), SQLITE_MAGIC);
    for (const secret of Object.values(SECRETS)) assert.equal(bytes.includes(Buffer.from(secret)), false);
    assert.equal(statSync(dest).mode & 0o777, 0o600);
    assert.throws(() => openEncrypted(dest, randomBytes(32), { readonly: true }), isLocked);

    store.servers.remove('github');
    store.close();
    const { previous } = await Store.restore({ home, keyProvider: new StaticKeyProvider(key), from: dest });
    assert.ok(previous && existsSync(previous));
    const restored = await Store.open({ home, keyProvider: new StaticKeyProvider(key) });
    assert.deepEqual(
      restored.servers.list().map((s) => s.name),
      ['github'],
    );
    const host = restored.hosts.getByName('db-2');
    assert.ok(host);
    assert.deepEqual(restored.hosts.credential(host.id), {
      secret: SECRETS.privateKey,
      passphrase: SECRETS.keyPassphrase,
    });
    restored.close();
    await assert.rejects(
      Store.restore({ home, keyProvider: new StaticKeyProvider(randomBytes(32)), from: dest }),
      isLocked,
    );
  });
});
