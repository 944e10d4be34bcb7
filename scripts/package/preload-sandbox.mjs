// The preload as packed, run the way Electron runs a sandboxed preload: wrapped in a function of
// (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) inside a fresh
// context that has the page's web APIs and nothing of Node. Electron's polyfilled `require` also
// serves events, timers and url; this one serves `electron` alone and throws for anything else,
// because the preload is bundled and must need nothing more. The `electron` it gets is a recorder
// of contextBridge and ipcRenderer calls, the mock at the Electron boundary.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { register } from 'tsx/esm/api';

/** The parameters of Electron's wrapper around a sandboxed preload (sandboxed_renderer/init.ts). */
const WRAPPER_PARAMS = [
  'require',
  'process',
  'Buffer',
  'global',
  'setImmediate',
  'clearImmediate',
  'exports',
  'module',
];

/** Globals of the page's isolated world that a preload may use (a subset of a browser window). */
function webGlobals() {
  return {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    structuredClone,
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
    AbortController,
    EventTarget,
    Event,
    atob,
    btoa,
    crypto: globalThis.crypto,
  };
}

/** The subset of `process` Electron gives a sandboxed preload (documented in process.md). */
function sandboxedProcess() {
  return Object.freeze({
    type: 'renderer',
    sandboxed: true,
    contextIsolated: true,
    platform: process.platform,
    arch: process.arch,
    versions: { ...process.versions },
    version: process.version,
    env: {},
    argv: [],
    execPath: '',
    pid: 0,
  });
}

/** A recording ipcRenderer: what the api under test asks of it. */
function recordingIpc(calls) {
  return {
    invoke: (channel, ...args) => {
      calls.push({ kind: 'invoke', channel, args });
      return Promise.resolve({ ok: true, data: null });
    },
    on: (channel, listener) => calls.push({ kind: 'on', channel, listener }),
    removeListener: (channel, listener) => calls.push({ kind: 'removeListener', channel, listener }),
  };
}

/**
 * What each member of an api does: `method → channel` for invokes, `listener → event` for `onX`
 * members (which must pass the payload alone and return an unsubscribe that removes the same handler).
 */
function describeApi(api, calls, problems, where) {
  const shape = {};
  for (const [key, member] of Object.entries(api)) {
    if (typeof member !== 'function') {
      problems.push(`${where}: api.${key} is a ${typeof member}, not a function`);
      continue;
    }
    calls.length = 0;
    const received = [];
    const result = member((payload) => received.push(payload));
    const [first] = calls;
    if (calls.length !== 1 || first === undefined) {
      problems.push(`${where}: api.${key} made ${calls.length} ipcRenderer calls, not one`);
    } else if (first.kind === 'invoke') {
      shape[key] = `invoke ${first.channel}`;
    } else if (first.kind === 'on' && typeof result === 'function') {
      first.listener({ sender: 'the IpcRendererEvent' }, 'payload');
      result();
      const removed = calls.find((c) => c.kind === 'removeListener');
      if (received.length !== 1 || received[0] !== 'payload') {
        problems.push(`${where}: api.${key} does not hand the listener the payload alone`);
      }
      if (removed?.listener !== first.listener || removed.channel !== first.channel) {
        problems.push(`${where}: the unsubscribe of api.${key} does not remove its handler`);
      }
      shape[key] = `on ${first.channel}`;
    } else {
      problems.push(`${where}: api.${key} subscribes without returning an unsubscribe function`);
    }
  }
  return shape;
}

/** Runs the packed preload in the emulated sandbox; returns what it exposed. */
function runPreload(file, problems) {
  const exposed = [];
  const calls = [];
  const electron = Object.freeze({
    contextBridge: { exposeInMainWorld: (name, api) => exposed.push({ name, api }) },
    ipcRenderer: recordingIpc(calls),
  });
  const sandboxRequire = (id) => {
    if (id === 'electron') return electron;
    throw new Error(`the preload requires "${id}"; a sandboxed preload may only require electron here`);
  };
  const context = vm.createContext(webGlobals());
  const global = vm.runInContext('globalThis', context);
  const module = { exports: {} };
  const args = [sandboxRequire, sandboxedProcess(), Buffer, global, setImmediate, clearImmediate];
  try {
    const source = readFileSync(file, 'utf8');
    const fn = vm.compileFunction(source, WRAPPER_PARAMS, { parsingContext: context, filename: file });
    fn(...args, module.exports, module);
  } catch (err) {
    const where = String(err?.stack ?? '')
      .split('\n')
      .find((line) => line.includes(file));
    problems.push(
      `the preload fails in a sandbox: ${err?.message ?? err}${where ? `\n${where.trim()}` : ''}`,
    );
  }
  return { exposed, calls };
}

/** Checks the packed preload against the contract and against buildApi built from the sources. */
export async function checkPreload({ appDir, repo }) {
  const problems = [];
  const { exposed, calls } = runPreload(path.join(appDir, 'out', 'preload', 'index.cjs'), problems);
  if (exposed.length !== 1 || exposed[0].name !== 'api') {
    problems.push(`the preload exposed ${JSON.stringify(exposed.map((e) => e.name))}, not exactly ["api"]`);
    return { problems, stats: { members: 0 } };
  }
  const packed = describeApi(exposed[0].api, calls, problems, 'packed preload');

  const unregister = register();
  try {
    const source = (rel) => import(pathToFileURL(path.join(repo, rel)).href);
    const { buildApi } = await source('src-main/preload/build-api.ts');
    const contract = await source('src-main/shared/contract.ts');
    const sourceCalls = [];
    const expected = describeApi(buildApi(recordingIpc(sourceCalls)), sourceCalls, problems, 'buildApi');
    for (const channel of contract.channelNames) {
      if (packed[contract.methodName(channel)] !== `invoke ${channel}`) {
        problems.push(`the packed preload has no api.${contract.methodName(channel)} for channel ${channel}`);
      }
    }
    for (const event of contract.eventNames) {
      if (packed[contract.listenerName(event)] !== `on ${event}`) {
        problems.push(`the packed preload has no api.${contract.listenerName(event)} for event ${event}`);
      }
    }
    const keys = new Set([...Object.keys(packed), ...Object.keys(expected)]);
    for (const key of keys) {
      if (packed[key] !== expected[key]) {
        problems.push(
          `api.${key}: packed preload does "${packed[key] ?? 'nothing'}", the sources "${expected[key] ?? 'nothing'}"`,
        );
      }
    }
  } finally {
    await unregister();
  }
  return { problems, stats: { members: Object.keys(packed).length } };
}
