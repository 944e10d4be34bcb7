/**
 * The Electron transport end to end under plain Node: the preload's `buildApi` and the main process's
 * `registerElectronIpc` joined by an in-process stand-in for Electron's IPC (the one part that needs the
 * Electron binary), over the real services and a real encrypted store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { BrowserWindow, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { createServices, type Services } from '../app/composition-root';
import { buildApi, type IpcRendererLike } from '../preload/build-api';
import { StaticKeyProvider } from '../services/store/key-providers';
import { channelNames, eventNames, listenerName, methodName, type FleetApi } from '../shared/contract';
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

let dir: string;
let services: Services;
let api: FleetApi;
let unregister: () => void;
let pair: ReturnType<typeof ipcPair>;
const ourFrame = { name: 'ours' } as unknown as WebFrameMain;
const foreignFrame = { name: 'foreign' } as unknown as WebFrameMain;
let sender: WebFrameMain;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-fleet-ipc-'));
  services = await createServices({
    home: join(dir, 'home'),
    keyProvider: new StaticKeyProvider(randomBytes(32)),
    transport: 'ipc',
  });
  sender = ourFrame;
  pair = ipcPair(() => sender);
  unregister = registerElectronIpc({
    ipcMain: pair.ipcMain,
    handlers: services.handlers,
    events: services.events,
    isTrustedFrame: (frame) => frame === ourFrame,
    windows: () => [pair.window],
    logError: () => {},
  });
  api = buildApi(pair.ipcRenderer);
});

afterEach(() => {
  unregister();
  services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Electron IPC transport', () => {
  test('window.api has one method per channel and one listener per event, nothing generic', () => {
    const expected = [...channelNames.map(methodName), ...eventNames.map(listenerName)].sort();
    assert.deepEqual(Object.keys(api).sort(), expected);
    for (const name of ['invoke', 'send', 'on', 'ipcRenderer', 'process', 'env'])
      assert.ok(!(name in api), name);
    assert.ok(Object.isFrozen(api));
    assert.deepEqual([...pair.handlers.keys()].sort(), [...channelNames].sort());
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
