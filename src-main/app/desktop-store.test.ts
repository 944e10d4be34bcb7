/**
 * One store, two ways to open it, against the real parts: the real `mcp-fleet` CLI as a child process,
 * real encrypted stores (scrypt and all), the real services. Only Electron's safeStorage is faked, at its
 * own four calls (fake-safe-storage.fixture.ts), because the Electron binary cannot run here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { FleetError } from '../shared/errors';
import { PassphraseKeyProvider } from '../services/store/key-providers';
import { createServices } from './composition-root';
import { DesktopStore } from './desktop-store';
import { fakeSafeStorage } from './fake-safe-storage.fixture';
import { safeStorageSealer } from './safe-storage-sealer';

const BIN = resolve(import.meta.dirname, '../../bin/mcp-fleet.mjs');
const PASSPHRASE = 'correct horse battery staple';

const roots: string[] = [];
after(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
/**
 * A fresh data directory whose store.json asks for the lowest scrypt cost it accepts (2^14): every
 * unlock here still runs scrypt, in a sixteenth of the time. The default cost is key-providers.test's.
 */
function tempHome(): string {
  const root = mkdtempSync(join(tmpdir(), 'mcp-fleet-desktop-store-'));
  roots.push(root);
  const home = join(root, 'home');
  mkdirSync(home, { mode: 0o700 });
  const salt = randomBytes(16).toString('base64');
  writeFileSync(join(home, 'store.json'), JSON.stringify({ kdf: 'scrypt', N: 2 ** 14, r: 8, p: 1, salt }), {
    mode: 0o600,
  });
  return home;
}

/** The real CLI, on `home`, with the passphrase in MCP_FLEET_PASSPHRASE as an operator would set it. */
function cli(home: string, args: string[], passphrase = PASSPHRASE) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, MCP_FLEET_HOME: home, MCP_FLEET_PASSPHRASE: passphrase },
    input: '',
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A store with one host, made the way the CLI and web mode make one (cli/main.ts's openServices), in
 * process: each run of the real CLI costs seconds, so only the two tests that are about it spawn it.
 */
async function cliCreates(home: string, host: string, passphrase = PASSPHRASE): Promise<void> {
  const services = await createServices({
    home,
    keyProvider: new PassphraseKeyProvider(passphrase),
    transport: 'web',
    actor: 'cli:test',
  });
  try {
    await services.handlers['hosts:add']({ kind: 'local', name: host });
  } finally {
    services.close();
  }
}

const open: DesktopStore[] = [];
const errors: unknown[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  assert.deepEqual(errors.splice(0), [], 'nothing unexpected was logged');
});

/** The app's store code on `home`, with a keychain (fake safeStorage behind the real adapter). */
/** A store made by the CLI, then unlocked once in the app with "remember" ticked: what the keychain holds. */
async function rememberedCliStore(): Promise<{
  home: string;
  storage: ReturnType<typeof fakeSafeStorage>;
  sealed: Buffer;
}> {
  const home = tempHome();
  await cliCreates(home, 'lab');
  const storage = fakeSafeStorage();
  const first = app(home, storage);
  await first.start();
  await first.unlock({ passphrase: PASSPHRASE, remember: true });
  await first.close();
  return { home, storage, sealed: readFileSync(keychainFile(home)) };
}

function app(home: string, storage = fakeSafeStorage()): DesktopStore {
  const store = new DesktopStore({
    home,
    sealer: safeStorageSealer(storage, 'linux'),
    openServices: (keyProvider) => createServices({ home, keyProvider, transport: 'ipc' }),
    logError: (_channel, err) => errors.push(err),
  });
  open.push(store);
  return store;
}

async function hostNames(store: DesktopStore): Promise<string[]> {
  const services = store.current();
  assert.ok(services, 'the store is open');
  return (await services.handlers['hosts:list']({})).map((h) => h.name);
}

async function addHost(store: DesktopStore, name: string): Promise<void> {
  const services = store.current();
  assert.ok(services, 'the store is open');
  await services.handlers['hosts:add']({ kind: 'local', name });
}

/** Every byte of the files that make up the store and its keys, to prove nothing changed. */
function snapshot(home: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of ['fleet.db', 'fleet.db-wal', 'store.json', 'key.keychain', 'key.sealed']) {
    const path = join(home, name);
    out[name] = existsSync(path) ? readFileSync(path).toString('base64') : null;
  }
  return out;
}

const fleetError = (code: string, message: RegExp) => (err: unknown) =>
  err instanceof FleetError && err.code === code && message.test(err.message);

const keychainFile = (home: string) => join(home, 'key.keychain');

describe('one store, opened by the CLI, web mode and the app', () => {
  test('a store the CLI created opens in the app with its passphrase, is remembered, then opens from the keychain alone', async () => {
    const home = tempHome();
    const added = cli(home, ['hosts', 'add', 'lab', '--local']);
    assert.equal(added.code, 0, added.stderr);
    const storage = fakeSafeStorage();

    const first = app(home, storage);
    await first.start();
    assert.deepEqual(await first.state(), { locked: true, initialized: true, keychain: true, notice: null });
    assert.equal(first.current(), null);
    await assert.rejects(
      first.unlock({ passphrase: 'not the passphrase', remember: true }),
      fleetError('store_locked', /wrong passphrase/),
    );
    assert.equal(existsSync(keychainFile(home)), false, 'a wrong passphrase remembers nothing');
    assert.deepEqual(await first.unlock({ passphrase: PASSPHRASE, remember: true }), {
      locked: false,
      initialized: true,
      keychain: true,
      notice: null,
    });
    assert.deepEqual(await hostNames(first), ['lab']);
    assert.equal(statSync(keychainFile(home)).mode & 0o777, 0o600);
    await first.close();

    const next = app(home, storage);
    await next.start();
    assert.equal((await next.state()).locked, false, 'opened without a passphrase');
    assert.deepEqual(await hostNames(next), ['lab']);
  });

  test('a store the app created (create mode, remembered) opens in the CLI with the passphrase', async () => {
    const home = tempHome();
    const storage = fakeSafeStorage();
    const created = app(home, storage);
    await created.start();
    assert.deepEqual(await created.state(), {
      locked: true,
      initialized: false,
      keychain: true,
      notice: null,
    });
    await assert.rejects(
      created.unlock({ passphrase: 'short', remember: true }),
      fleetError('invalid_input', /at least 8 characters/),
    );
    assert.equal(existsSync(join(home, 'fleet.db')), false, 'a refused passphrase creates no store');
    await created.unlock({ passphrase: PASSPHRASE, remember: true });
    await addHost(created, 'made-in-app');
    await created.close();
    assert.equal(existsSync(keychainFile(home)), true);

    const listed = cli(home, ['--json', 'hosts', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { name: string }[]).map((h) => h.name),
      ['made-in-app'],
    );
    const wrong = cli(home, ['--json', 'hosts', 'list'], 'not the passphrase');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /store_locked/);
  });

  test('a key remembered by another computer: locked with a notice, nothing deleted; the passphrase opens it and seals it again', async () => {
    const home = tempHome();
    await cliCreates(home, 'lab');
    const here = app(home, fakeSafeStorage());
    await here.start();
    await here.unlock({ passphrase: PASSPHRASE, remember: true });
    await here.close();
    const before = snapshot(home);

    const elsewhere = fakeSafeStorage();
    const other = app(home, elsewhere);
    await other.start();
    const state = await other.state();
    assert.equal(state.locked, true);
    assert.equal(state.keychain, true);
    assert.match(state.notice ?? '', /OS keychain cannot unseal the key remembered in .*key\.keychain/);
    assert.deepEqual(snapshot(home), before, 'a key that does not unseal changes no file');

    await other.unlock({ passphrase: PASSPHRASE, remember: true });
    assert.equal((await other.state()).notice, null);
    assert.notDeepEqual(readFileSync(keychainFile(home)).toString('base64'), before['key.keychain']);
    await other.close();
    const again = app(home, elsewhere);
    await again.start();
    assert.deepEqual(await hostNames(again), ['lab']);
  });

  test('a remembered key that no longer opens the store (another store put in its place): notice, nothing deleted, passphrase re-seals', async () => {
    const home = tempHome();
    await cliCreates(home, 'old', 'the old passphrase');
    const storage = fakeSafeStorage();
    const first = app(home, storage);
    await first.start();
    await first.unlock({ passphrase: 'the old passphrase', remember: true });
    await first.close();
    // Elsewhere, a store under another passphrase replaces this one (a restore from another machine).
    const replacement = tempHome();
    await cliCreates(replacement, 'new', PASSPHRASE);
    for (const name of ['fleet.db', 'store.json']) cpSync(join(replacement, name), join(home, name));
    rmSync(join(home, 'fleet.db-wal'), { force: true });
    const before = snapshot(home);

    const next = app(home, storage);
    await next.start();
    const state = await next.state();
    assert.equal(state.locked, true);
    assert.match(
      state.notice ?? '',
      /key remembered on this computer \(.*key\.keychain\) does not open the store/,
    );
    await assert.rejects(
      next.unlock({ passphrase: 'the old passphrase', remember: true }),
      fleetError('store_locked', /wrong passphrase/),
    );
    assert.deepEqual(snapshot(home), before, 'neither the failed key nor a wrong passphrase changed a file');

    await next.unlock({ passphrase: PASSPHRASE, remember: true });
    assert.deepEqual(await hostNames(next), ['new']);
    await next.close();
    const after = app(home, storage);
    await after.start();
    assert.deepEqual(await hostNames(after), ['new'], 'sealed again: opens from the keychain');
  });

  test('a keyring that rotated its key still opens the store, and the key is sealed again', async () => {
    const { home, storage, sealed } = await rememberedCliStore();

    storage.rotated = true;
    const next = app(home, storage);
    await next.start();
    assert.deepEqual(await hostNames(next), ['lab']);
    assert.notDeepEqual(readFileSync(keychainFile(home)), sealed);
  });

  test('unticking "remember" on unlock forgets the remembered key', async () => {
    const home = tempHome();
    await cliCreates(home, 'lab');
    const first = app(home, fakeSafeStorage());
    await first.start();
    await first.unlock({ passphrase: PASSPHRASE, remember: true });
    await first.close();

    const storage = fakeSafeStorage();
    const next = app(home, storage);
    await next.start();
    assert.notEqual((await next.state()).notice, null);
    await next.unlock({ passphrase: PASSPHRASE, remember: false });
    assert.equal(existsSync(keychainFile(home)), false);
    await next.close();
    const last = app(home, storage);
    await last.start();
    assert.deepEqual(await last.state(), { locked: true, initialized: true, keychain: true, notice: null });
  });

  test('a folder an earlier desktop build keyed (key.sealed, no store.json) is refused, naming the file', async () => {
    const home = tempHome();
    rmSync(join(home, 'store.json'));
    writeFileSync(join(home, 'key.sealed'), randomBytes(60));
    writeFileSync(join(home, 'fleet.db'), randomBytes(4096));
    const before = snapshot(home);
    const store = app(home);
    await store.start();
    const state = await store.state();
    assert.equal(state.locked, true);
    assert.ok(state.notice?.startsWith(`${join(home, 'key.sealed')} holds a store key from an earlier`));
    await assert.rejects(
      store.unlock({ passphrase: PASSPHRASE, remember: true }),
      fleetError('store_locked', /key\.sealed holds a store key from an earlier MCP Fleet desktop build/),
    );
    assert.deepEqual(snapshot(home), before);
  });

  test('no keychain (no keyring, or Linux basic_text): remember is not offered and the passphrase works', async () => {
    for (const storage of [
      fakeSafeStorage({ available: false }),
      fakeSafeStorage({ backend: 'basic_text' }),
    ]) {
      const home = tempHome();
      await cliCreates(home, 'lab');
      const store = app(home, storage);
      await store.start();
      assert.deepEqual(await store.state(), {
        locked: true,
        initialized: true,
        keychain: false,
        notice: null,
      });
      await store.unlock({ passphrase: PASSPHRASE, remember: true });
      assert.deepEqual(await hostNames(store), ['lab']);
      assert.equal(existsSync(keychainFile(home)), false, 'nothing sealed under a hard-coded password');
    }
  });

  test('a key remembered while the keyring worked is kept when it is missing this time', async () => {
    const { home, storage, sealed } = await rememberedCliStore();

    const noKeyring = app(home, fakeSafeStorage({ computerKey: storage.computerKey, available: false }));
    await noKeyring.start();
    const state = await noKeyring.state();
    assert.equal(state.keychain, false);
    assert.match(state.notice ?? '', /keychain is not available now/);
    // Without a keychain the screen offers no choice, so no choice to forget was made.
    await noKeyring.unlock({ passphrase: PASSPHRASE, remember: false });
    assert.deepEqual(readFileSync(keychainFile(home)), sealed);
    await noKeyring.close();
    const back = app(home, storage);
    await back.start();
    assert.deepEqual(await hostNames(back), ['lab']);
  });

  test('MCP_FLEET_PASSPHRASE opens the app at once without touching the keychain; a wrong one leaves it locked, saying so', async () => {
    const home = tempHome();
    await cliCreates(home, 'lab');
    const store = app(home);
    await store.start(PASSPHRASE);
    assert.deepEqual(await hostNames(store), ['lab']);
    assert.equal(existsSync(keychainFile(home)), false);
    await store.close();

    const wrong = app(home);
    await wrong.start('not the passphrase');
    const state = await wrong.state();
    assert.equal(state.locked, true);
    assert.match(state.notice ?? '', /^MCP_FLEET_PASSPHRASE did not open the store: .*wrong passphrase/);
    await wrong.unlock({ passphrase: PASSPHRASE, remember: false });
    assert.deepEqual(await hostNames(wrong), ['lab']);
  });
});
