/**
 * The Electron main process: lock Electron down, open the encrypted store with a key sealed by the OS
 * keychain, wire the services to IPC and open the window. Everything else lives in plain-Node services.
 */
import { app, dialog, ipcMain, session } from 'electron';
import { join } from 'node:path';
import { FleetError } from '../shared/errors';
import { registerElectronIpc } from '../ipc/electron-ipc';
import { defaultHome } from '../services/home';
import { PassphraseKeyProvider, SealedKeyProvider } from '../services/store/key-providers';
import type { KeyProvider } from '../services/store/types';
import { createServices, type Services } from './composition-root';
import { installRoot } from './runtime-paths';
import { safeStorageSealer } from './safe-storage-sealer';
import { denyAllPermissions, installContentSecurityPolicy, lockDownWebContents } from './security';
import { createAppTray } from './tray';
import type { TrayAction } from '../services/health/tray-menu';
import { AppWindows } from './window';

const here = import.meta.dirname;
const preloadPath = join(here, '../preload/index.cjs');
const indexFile = join(here, '../renderer/index.html');
// electron-vite sets this in development only; a packaged app must never load a remote page.
const devUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];

app.enableSandbox();
lockDownWebContents();

// While the tray is up, closing the last window leaves the app running there.
let inTray = false;

function logError(channel: string, err: unknown): void {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : 'non-Error thrown';
  console.error(`[mcp-fleet] ${channel} failed: ${text}`);
}

/**
 * The OS keychain seals the store key; an operator without one (or sharing the store with the CLI)
 * sets MCP_FLEET_PASSPHRASE instead, as the keychain-unavailable error tells them.
 */
function storeKeyProvider(): KeyProvider {
  const passphrase = process.env['MCP_FLEET_PASSPHRASE'];
  return passphrase !== undefined
    ? new PassphraseKeyProvider(passphrase)
    : new SealedKeyProvider(safeStorageSealer);
}

async function start(): Promise<void> {
  installContentSecurityPolicy(session.defaultSession);
  denyAllPermissions(session.defaultSession);

  const services: Services = await createServices({
    // MCP_FLEET_HOME points the app and the CLI at the same other folder; userData is the default of both.
    home: process.env['MCP_FLEET_HOME'] ? defaultHome() : app.getPath('userData'),
    keyProvider: storeKeyProvider(),
    transport: 'ipc',
    watchExternalChanges: true,
  });
  const windows = new AppWindows(preloadPath, { devUrl, indexFile });
  const unregister = registerElectronIpc({
    ipcMain,
    handlers: services.handlers,
    events: services.events,
    isTrustedFrame: (frame) => windows.isTrustedFrame(frame),
    windows: () => windows.all(),
    logError,
  });

  windows.open();
  const removeTray = startTray(services, windows);
  app.on('second-instance', () => {
    const [win] = windows.all();
    if (!win) return void windows.open();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (windows.all().length === 0) windows.open();
  });
  app.once('will-quit', () => {
    removeTray();
    unregister();
    services.close();
  });
}

/** The tray with the health icon; a desktop without a tray keeps the old rule (close = quit). */
function startTray(services: Services, windows: AppWindows): () => void {
  const show = (hash?: string): void => {
    const win = windows.all()[0] ?? windows.open();
    if (hash !== undefined) void win.loadURL(`${windows.appUrl}${hash}`);
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  const onAction = (action: TrayAction): void => {
    switch (action.kind) {
      case 'open-window':
        return show();
      case 'open-instance':
        return show(`#/instances/${encodeURIComponent(action.instanceId)}`);
      case 'toggle-pause':
        services.health.setPaused(!services.health.summary().paused);
        return;
      case 'quit':
        inTray = false;
        return app.quit();
    }
  };
  try {
    const remove = createAppTray({
      iconsDir: join(installRoot(), 'resources', 'tray'),
      events: services.events,
      summary: () => services.health.summary(),
      onAction,
    });
    inTray = true;
    return () => {
      inTray = false;
      remove();
    };
  } catch (err) {
    logError('tray', err);
    return () => {};
  }
}

function fail(err: unknown): void {
  const message =
    err instanceof FleetError ? err.message : 'an unexpected error stopped the start; see the log';
  logError('start', err);
  dialog.showErrorBox('MCP Fleet cannot start', message);
  app.exit(1);
}

if (!app.requestSingleInstanceLock()) {
  // Two processes must not open the same store file at once.
  app.quit();
} else {
  app.on('window-all-closed', () => {
    if (!inTray && process.platform !== 'darwin') app.quit();
  });
  app.whenReady().then(start).catch(fail);
}
