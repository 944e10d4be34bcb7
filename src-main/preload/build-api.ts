/**
 * Builds `window.api` from the contract: one method per channel (an ipcRenderer.invoke of that channel),
 * the two session channels that open a locked store (`sessionState`, `sessionUnlock`), and one `onX` per
 * event returning its unsubscribe function. Nothing generic is exposed.
 * Kept apart from index.ts, which only hands the result to contextBridge, so it runs under plain Node.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import {
  channelNames,
  eventNames,
  listenerName,
  methodName,
  sessionChannelNames,
  type DesktopApi,
} from '../shared/contract';

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function buildApi(ipc: IpcRendererLike): DesktopApi {
  const api: Record<string, unknown> = {};
  for (const channel of [...channelNames, ...sessionChannelNames]) {
    api[methodName(channel)] = (input: unknown) => ipc.invoke(channel, input ?? {});
  }
  for (const event of eventNames) {
    api[listenerName(event)] = (listener: (payload: unknown) => void) => {
      // The page gets the payload only, never the IpcRendererEvent (it carries `sender`).
      const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipc.on(event, wrapped);
      return () => {
        ipc.removeListener(event, wrapped);
      };
    };
  }
  return Object.freeze(api) as DesktopApi;
}
