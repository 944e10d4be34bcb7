/**
 * The Electron preload: exposes exactly the contract as `window.api` and nothing else (no generic
 * invoke/on/send, no process, no env). Runs sandboxed, so it is bundled into one CommonJS file.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildApi } from './build-api';

contextBridge.exposeInMainWorld('api', buildApi(ipcRenderer));
