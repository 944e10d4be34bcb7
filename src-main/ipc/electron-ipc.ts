/**
 * The Electron transport of the contract: one ipcMain.handle per channel, each running `dispatch` for
 * frames of our own windows only, and every EventBus event forwarded to every window. The only code
 * that registers IPC handlers. Imports electron for types only, so it is tested under plain Node.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { channelNames, type Result } from '../shared/contract';
import type { EventBus } from '../services/events';
import { dispatch, type ErrorLog, type Handlers } from './handle';

export interface ElectronIpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  handlers: Handlers;
  events: EventBus;
  /** Accepts only the top frame of our own windows showing our own page. */
  isTrustedFrame: (frame: WebFrameMain | null | undefined) => boolean;
  windows: () => Pick<BrowserWindow, 'webContents'>[];
  logError: ErrorLog;
}

const refused: Result<never> = {
  ok: false,
  error: { code: 'unauthorized', message: 'request refused: it did not come from an MCP Fleet window' },
};

/** Registers every channel and the event fan-out; returns the function that undoes both. */
export function registerElectronIpc(options: ElectronIpcOptions): () => void {
  const { ipcMain } = options;
  for (const channel of channelNames) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown) => {
      if (!options.isTrustedFrame(event.senderFrame)) return refused;
      return dispatch(options.handlers, channel, input, options.logError);
    });
  }
  const unsubscribe = options.events.subscribe((event, payload) => {
    for (const win of options.windows()) win.webContents.send(event, payload);
  });
  return () => {
    unsubscribe();
    for (const channel of channelNames) ipcMain.removeHandler(channel);
  };
}
