/**
 * Whether a tray icon will be visible, asked before creating one: with a tray the app keeps running
 * when its last window closes, and without a visible one that left an invisible process (GNOME without
 * the AppIndicator extension). Plain Node: the bus is asked with `dbus-send`, so this runs in tests.
 *
 * Windows and macOS always show it. On Linux, Electron's tray is a StatusNotifierItem, shown only by a
 * host that owns org.kde.StatusNotifierWatcher on the session bus (KDE, Cinnamon, XFCE and GNOME with the
 * AppIndicator extension all do). Its X11 fallback needs a legacy tray few desktops still have, so
 * without the watcher this says no: the cost of being wrong is only that closing the window quits.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';

/** What the session bus says about the watcher. */
export type WatcherState =
  { kind: 'present' } | { kind: 'absent' } | { kind: 'no-bus' } | { kind: 'unknown'; why: string };

export interface TraySupport {
  visible: boolean;
  /** The one log line that says what the app does about it. */
  reason: string;
}

/** The decision, from the platform and (other than on Windows and macOS) the bus's answer. */
export function traySupport(platform: NodeJS.Platform, watcher?: WatcherState): TraySupport {
  if (platform === 'win32' || platform === 'darwin') return { visible: true, reason: 'tray: shown' };
  const state = watcher ?? { kind: 'unknown', why: 'it was not asked' };
  const quits = 'closing the last window quits the app';
  switch (state.kind) {
    case 'present':
      return { visible: true, reason: `tray: shown (${STATUS_NOTIFIER_WATCHER} is on the session bus)` };
    case 'absent':
      return {
        visible: false,
        reason:
          `tray: none, nothing on this desktop shows status icons (no ${STATUS_NOTIFIER_WATCHER}; ` +
          `on GNOME, the AppIndicator extension adds one); ${quits}`,
      };
    case 'no-bus':
      return { visible: false, reason: `tray: none, there is no D-Bus session bus; ${quits}` };
    case 'unknown':
      return {
        visible: false,
        reason: `tray: none, the session bus could not be asked (${state.why}); ${quits}`,
      };
  }
}

/**
 * The session bus address: DBUS_SESSION_BUS_ADDRESS, else the systemd user bus in XDG_RUNTIME_DIR. No
 * address means no bus: libdbus would otherwise try to autolaunch one, which a probe must never do.
 */
export function sessionBusAddress(
  env: NodeJS.ProcessEnv,
  exists: (file: string) => boolean = existsSync,
): string | undefined {
  const address = env['DBUS_SESSION_BUS_ADDRESS'];
  if (address !== undefined && address !== '') return address;
  const runtime = env['XDG_RUNTIME_DIR'];
  if (runtime === undefined || runtime === '') return undefined;
  const socket = path.posix.join(runtime, 'bus');
  return exists(socket) ? `unix:path=${socket}` : undefined;
}

export interface ProbeOptions {
  env?: NodeJS.ProcessEnv;
  /** The dbus-send program (a test names a missing one). */
  command?: string;
  timeoutMs?: number;
}

/** Asks the session bus whether the watcher has an owner. Never throws: failures are `unknown`. */
export function probeStatusNotifierWatcher(options: ProbeOptions = {}): Promise<WatcherState> {
  const env = options.env ?? process.env;
  const address = sessionBusAddress(env);
  if (address === undefined) return Promise.resolve({ kind: 'no-bus' });
  const timeoutMs = options.timeoutMs ?? 2_000;
  const args = [
    '--session',
    '--print-reply',
    `--reply-timeout=${timeoutMs}`,
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.NameHasOwner',
    `string:${STATUS_NOTIFIER_WATCHER}`,
  ];
  return new Promise((resolve) => {
    execFile(
      options.command ?? 'dbus-send',
      args,
      { env: { ...env, DBUS_SESSION_BUS_ADDRESS: address }, timeout: timeoutMs + 500 },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          const why =
            code === 'ENOENT'
              ? 'dbus-send is not installed'
              : err.killed
                ? `no answer within ${timeoutMs} ms`
                : stderr.trim().split('\n')[0] || err.message;
          return resolve({ kind: 'unknown', why });
        }
        const answer = /\bboolean (true|false)\b/.exec(stdout)?.[1];
        if (answer === undefined)
          return resolve({ kind: 'unknown', why: 'an unexpected reply from the bus' });
        resolve({ kind: answer === 'true' ? 'present' : 'absent' });
      },
    );
  });
}

/** What main.ts asks once at start. */
export async function detectTraySupport(
  platform: NodeJS.Platform = process.platform,
  options: ProbeOptions = {},
): Promise<TraySupport> {
  if (platform === 'win32' || platform === 'darwin') return traySupport(platform);
  return traySupport(platform, await probeStatusNotifierWatcher(options));
}
