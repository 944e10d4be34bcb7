/**
 * The Electron main process: lock Electron down, open the window, and open the encrypted store with a
 * passphrase or the key the OS keychain remembered (desktop-store.ts); the services, the tray and the
 * event forwarding start when it opens. Everything else lives in plain-Node services.
 */
import { app, dialog, ipcMain, safeStorage, session } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../shared/errors';
import { registerElectronIpc } from '../ipc/electron-ipc';
import { defaultHome } from '../services/home';
import { guiPath } from '../services/platform-defaults';
import { createServices, type Services } from './composition-root';
import { desktopNotifier } from './desktop-notifier';
import { DesktopStore } from './desktop-store';
import { checkNativeStore } from './native-load';
import { installRoot } from './runtime-paths';
import { safeStorageSealer } from './safe-storage-sealer';
import { installContentSecurityPolicy, lockDownWebContents, restrictPermissions } from './security';
import { createAppTray } from './tray';
import { detectTraySupport } from './tray-support';
import type { TrayAction } from '../services/health/tray-menu';
import { AppWindows } from './window';

const here = import.meta.dirname;
const preloadPath = join(here, '../preload/index.cjs');
const indexFile = join(here, '../renderer/index.html');
// electron-vite sets this in development only; a packaged app must never load a remote page.
const devUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
// Finder starts apps with PATH=/usr/bin:/bin:/usr/sbin:/sbin, where npm is not; set once, before anything spawns.
process.env['PATH'] = guiPath(process.env, process.platform, existsSync);

app.enableSandbox();
lockDownWebContents();

// While the tray is up, closing the last window leaves the app running there.
let inTray = false;

function logError(channel: string, err: unknown): void {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : 'non-Error thrown';
  console.error(`[mcp-fleet] ${channel} failed: ${text}`);
}

async function start(): Promise<void> {
  installContentSecurityPolicy(session.defaultSession, devUrl);
  restrictPermissions(session.defaultSession, { devUrl, indexFile });
  // Linux asks the session bus for a StatusNotifier host (dbus-send, capped at ~2.5 s).
  const trayAsked = detectTraySupport();
  // A store binary this system cannot load stops the start with a sentence in a dialog (fail() runs after
  // ready, where the dialog shows on Linux too), never a process without a window.
  const native = checkNativeStore();
  if (!native.ok) throw new FleetError('unavailable', native.message);

  // MCP_FLEET_HOME points the app and the CLI at the same other folder; userData is the default of both.
  const home = process.env['MCP_FLEET_HOME'] ? defaultHome() : app.getPath('userData');
  const store = new DesktopStore({
    home,
    sealer: safeStorageSealer(safeStorage),
    openServices: (keyProvider) =>
      createServices({
        home,
        keyProvider,
        transport: 'ipc',
        watchExternalChanges: true,
        desktopNotifier: desktopNotifier(),
      }),
    logError,
  });
  // Before the window: its first question then finds the store open, or locked for good reason.
  await store.start(process.env['MCP_FLEET_PASSPHRASE']);
  const windows = new AppWindows(preloadPath, { devUrl, indexFile });
  const unregister = registerElectronIpc({
    ipcMain,
    store,
    isTrustedFrame: (frame) => windows.isTrustedFrame(frame),
    windows: () => windows.all(),
    logError,
  });

  windows.open();
  let removeTray = (): void => {};
  const tray = await trayAsked;
  // Without a visible tray, inTray stays false: closing the last window quits instead of hiding the app.
  if (!tray.visible) console.warn(`[mcp-fleet] ${tray.reason}`);
  store.onUnlock((services) => {
    if (tray.visible) removeTray = startTray(services, windows);
  });
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
    void store.close();
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
      alertsLastDay: () => services.alerts.lastDayCount(),
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
