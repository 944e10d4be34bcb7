/**
 * The Electron transport end to end under plain Node: the preload's `buildApi` and the main process's
 * `registerElectronIpc` joined by an in-process stand-in for Electron's IPC (the one part that needs the
 * Electron binary), over the app's real store code (DesktopStore), the real services and a real
 * encrypted store. safeStorage, which also needs the binary, is faked (fake-safe-storage.fixture.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { BrowserWindow, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { createServices } from '../app/composition-root';
import { DesktopStore } from '../app/desktop-store';
import { fakeSafeStorage } from '../app/fake-safe-storage.fixture';
import { safeStorageSealer } from '../app/safe-storage-sealer';
import { buildApi, type IpcRendererLike } from '../preload/build-api';
import { LOCKED_MESSAGE } from '../services/store/store-gate';
import {
  channelNames,
  eventNames,
  listenerName,
  methodName,
  sessionChannelNames,
  type DesktopApi,
  type Result,
} from '../shared/contract';
import { registerElectronIpc } from './electron-ipc';

type Handler = (event: IpcMainInvokeEvent, input: unknown) => Promise<unknown>;

/** ipcMain and ipcRenderer in one process: invoke calls the handler, send emits to the renderer side. */
function ipcPair(senderFrame: () => WebFrameMain) {
  const handlers = new Map<string, Handler>();
  const toRenderer = new EventEmitter();
  const ipcMain = {
    handle: (channel: string, handler: Handler) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
  const ipcRenderer = {
    invoke: async (channel: string, input: unknown) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Electron passes arguments through structured clone: nothing but data crosses.
      return structuredClone(
        await handler({ senderFrame: senderFrame() } as IpcMainInvokeEvent, structuredClone(input)),
      );
    },
    on: (channel: string, listener: (...args: unknown[]) => void) => toRenderer.on(channel, listener),
    removeListener: (channel: string, listener: (...args: unknown[]) => void) =>
      toRenderer.removeListener(channel, listener),
  };
  const window = {
    webContents: {
      send: (channel: string, payload: unknown) => toRenderer.emit(channel, {}, structuredClone(payload)),
    },
  } as unknown as BrowserWindow;
  return { ipcMain, ipcRenderer: ipcRenderer as unknown as IpcRendererLike, window, handlers };
}

const PASSPHRASE = 'correct horse battery staple';

let dir: string;
let home: string;
let store: DesktopStore;
let api: DesktopApi;
let unregister: () => void;
let pair: ReturnType<typeof ipcPair>;
const ourFrame = { name: 'ours' } as unknown as WebFrameMain;
const foreignFrame = { name: 'foreign' } as unknown as WebFrameMain;
let sender: WebFrameMain;

/** The app's store on a fresh folder, behind IPC; started with `passphrase` as MCP_FLEET_PASSPHRASE would. */
async function connect(passphrase?: string): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'mcp-fleet-ipc-'));
  home = join(dir, 'home');
  mkdirSync(home);
  // scrypt's lowest cost store.json accepts, to keep each test quick; the default is key-providers.test's.
  const salt = randomBytes(16).toString('base64');
  writeFileSync(join(home, 'store.json'), JSON.stringify({ kdf: 'scrypt', N: 2 ** 14, r: 8, p: 1, salt }));
  store = new DesktopStore({
    home,
    sealer: safeStorageSealer(fakeSafeStorage({ available: false }), 'linux'),
    openServices: (keyProvider) => createServices({ home, keyProvider, transport: 'ipc' }),
    logError: () => {},
  });
  await store.start(passphrase);
  sender = ourFrame;
  pair = ipcPair(() => sender);
  unregister = registerElectronIpc({
    ipcMain: pair.ipcMain,
    store,
    isTrustedFrame: (frame) => frame === ourFrame,
    windows: () => [pair.window],
    logError: () => {},
  });
  api = buildApi(pair.ipcRenderer);
}

afterEach(async () => {
  unregister();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Electron IPC transport', () => {
  beforeEach(() => connect(PASSPHRASE));

  test('window.api has one method per channel and one listener per event, nothing generic', () => {
    const expected = [
      ...channelNames.map(methodName),
      ...sessionChannelNames.map(methodName),
      ...eventNames.map(listenerName),
    ].sort();
    assert.deepEqual(Object.keys(api).sort(), expected);
    assert.ok('sessionState' in api && 'sessionUnlock' in api);
    for (const name of ['invoke', 'send', 'on', 'ipcRenderer', 'process', 'env'])
      assert.ok(!(name in api), name);
    assert.ok(Object.isFrozen(api));
    assert.deepEqual([...pair.handlers.keys()].sort(), [...channelNames, ...sessionChannelNames].sort());
  });

  test('calls reach the services and come back as Results', async () => {
    const info = await api.appInfo({});
    assert.deepEqual(info.ok && info.data.transport, 'ipc');
    const added = await api.hostsAdd({ kind: 'local', name: 'lab' });
    assert.equal(added.ok, true);
    const list = await api.hostsList({});
    assert.deepEqual(list.ok && list.data.map((h) => h.name), ['lab']);
  });

  test('invalid input is refused with invalid_input and nothing changes', async () => {
    const bad = await api.serversAdd({ name: '-bad', source: { kind: 'npx', value: 'x' }, mode: 'shared' });
    assert.equal(!bad.ok && bad.error.code, 'invalid_input');
    const list = await api.serversList({});
    assert.deepEqual(list.ok && list.data, []);
  });

  test('a frame that is not our window is refused and nothing changes', async () => {
    sender = foreignFrame;
    const refused = await api.hostsAdd({ kind: 'local', name: 'evil' });
    assert.equal(!refused.ok && refused.error.code, 'unauthorized');
    sender = ourFrame;
    const list = await api.hostsList({});
    assert.deepEqual(list.ok && list.data, []);
  });

  test('store events reach onStoreChanged listeners until they unsubscribe', async () => {
    const seen: unknown[] = [];
    const unsubscribe = api.onStoreChanged((payload) => seen.push(payload));
    await api.hostsAdd({ kind: 'local', name: 'lab' });
    assert.deepEqual(seen, [{ domain: 'hosts' }]);
    unsubscribe();
    await api.hostsRemove({ name: 'lab' });
    assert.equal(seen.length, 1);
  });

  test('unregistering removes every handler', async () => {
    unregister();
    assert.equal(pair.handlers.size, 0);
    await assert.rejects(() => api.hostsList({}), /No handler registered/);
    unregister = () => {};
  });
});

describe('Electron IPC while the store is locked', () => {
  beforeEach(() => connect());

  test('every contract channel from our window answers store_locked; session:state says how to open it', async () => {
    for (const channel of channelNames) {
      assert.deepEqual(
        await pair.ipcRenderer.invoke(channel, {}),
        { ok: false, error: { code: 'store_locked', message: LOCKED_MESSAGE } },
        channel,
      );
    }
    assert.deepEqual(await api.sessionState({}), {
      ok: true,
      data: { locked: true, initialized: false, keychain: false, notice: null },
    });
  });

  test('the session channels refuse a frame that is not our window, and nothing opens', async () => {
    sender = foreignFrame;
    for (const answer of [
      await api.sessionState({}),
      await api.sessionUnlock({ passphrase: PASSPHRASE, remember: false }),
    ]) {
      assert.equal(!answer.ok && answer.error.code, 'unauthorized');
    }
    assert.equal(existsSync(join(home, 'fleet.db')), false);
    sender = ourFrame;
    const state = await api.sessionState({});
    assert.equal(state.ok && state.data.locked, true);
  });

  test('bad unlock input is refused with invalid_input, a short new passphrase too, and nothing opens', async () => {
    // Past the typed api, as a page could send it: `remember` is missing.
    const missing = (await pair.ipcRenderer.invoke('session:unlock', {
      passphrase: PASSPHRASE,
    })) as Result<unknown>;
    assert.equal(!missing.ok && missing.error.code, 'invalid_input');
    const short = await api.sessionUnlock({ passphrase: 'short', remember: false });
    assert.equal(!short.ok && short.error.code, 'invalid_input');
    assert.equal(existsSync(join(home, 'fleet.db')), false);
  });

  test('after session:unlock the channels work and store events reach the window', async () => {
    const seen: unknown[] = [];
    api.onStoreChanged((payload) => seen.push(payload));
    const unlocked = await api.sessionUnlock({ passphrase: PASSPHRASE, remember: false });
    assert.deepEqual(unlocked, {
      ok: true,
      data: { locked: false, initialized: true, keychain: false, notice: null },
    });
    const added = await api.hostsAdd({ kind: 'local', name: 'lab' });
    assert.equal(added.ok, true);
    assert.deepEqual(seen, [{ domain: 'hosts' }]);
    const list = await api.hostsList({});
    assert.deepEqual(list.ok && list.data.map((h) => h.name), ['lab']);
    const again = await api.sessionUnlock({ passphrase: PASSPHRASE, remember: false });
    assert.equal(!again.ok && again.error.code, 'conflict');
  });
});
