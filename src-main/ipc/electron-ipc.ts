/**
 * The Electron transport of the contract: one ipcMain.handle per channel, each running `dispatch` for
 * frames of our own windows only, and every EventBus event forwarded to every window. While the store is
 * locked, every contract channel answers `store_locked`, and the two session channels tell the window
 * how to open it. The only code that registers IPC handlers. Imports electron for types only, so it is
 * tested under plain Node.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import {
  channelNames,
  sessionChannelNames,
  sessionChannels,
  type Result,
  type SessionChannel,
  type SessionState,
  type SessionUnlockInput,
} from '../shared/contract';
import { FleetError, describeZodError, toErrorShape } from '../shared/errors';
import type { EventBus } from '../services/events';
import { LOCKED_MESSAGE } from '../services/store/store-gate';
import { dispatch, type ErrorLog, type Handlers } from './handle';

/** The store as the desktop app holds it: open or locked, and how to open it. */
export interface IpcStore {
  /** The open services, or null while the store is locked. */
  current(): { handlers: Handlers } | null;
  /** Runs `listener` once the store is open (at once when it already is); returns its removal. */
  onUnlock(listener: (opened: { events: EventBus }) => void): () => void;
  state(): Promise<SessionState>;
  /** Throws FleetError: store_locked (wrong passphrase), invalid_input, conflict, unavailable (rate limit). */
  unlock(input: SessionUnlockInput): Promise<SessionState>;
}

export interface ElectronIpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  store: IpcStore;
  /** Accepts only the top frame of our own windows showing our own page. */
  isTrustedFrame: (frame: WebFrameMain | null | undefined) => boolean;
  windows: () => Pick<BrowserWindow, 'webContents'>[];
  logError: ErrorLog;
}

const refused: Result<never> = {
  ok: false,
  error: { code: 'unauthorized', message: 'request refused: it did not come from an MCP Fleet window' },
};

const locked: Result<never> = { ok: false, error: { code: 'store_locked', message: LOCKED_MESSAGE } };

/** Registers every channel and the event fan-out; returns the function that undoes both. */
export function registerElectronIpc(options: ElectronIpcOptions): () => void {
  const { ipcMain, store } = options;
  for (const channel of channelNames) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown) => {
      if (!options.isTrustedFrame(event.senderFrame)) return refused;
      const services = store.current();
      if (!services) return locked;
      return dispatch(services.handlers, channel, input, options.logError);
    });
  }
  for (const channel of sessionChannelNames) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown) => {
      if (!options.isTrustedFrame(event.senderFrame)) return refused;
      return session(store, channel, input, options.logError);
    });
  }
  let unsubscribe = () => {};
  // Events exist only once the services do; forwarding starts when the store opens.
  const stopWaiting = store.onUnlock(({ events }) => {
    unsubscribe = events.subscribe((name, payload) => {
      for (const win of options.windows()) win.webContents.send(name, payload);
    });
  });
  return () => {
    stopWaiting();
    unsubscribe();
    for (const channel of [...channelNames, ...sessionChannelNames]) ipcMain.removeHandler(channel);
  };
}

async function session(
  store: IpcStore,
  channel: SessionChannel,
  rawInput: unknown,
  logError: ErrorLog,
): Promise<Result<SessionState>> {
  const parsed = sessionChannels[channel].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_input', message: describeZodError(parsed.error) } };
  }
  try {
    switch (channel) {
      case 'session:state':
        return { ok: true, data: await store.state() };
      case 'session:unlock':
        return { ok: true, data: await store.unlock(parsed.data as SessionUnlockInput) };
    }
  } catch (err) {
    if (!(err instanceof FleetError) || err.code === 'internal') logError(channel, err);
    return { ok: false, error: toErrorShape(err) };
  }
}
