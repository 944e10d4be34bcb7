/**
 * Electron-wide restrictions: a CSP header on every response, no permissions, no navigation away from
 * the app, no new windows, no <webview>. Installed once, before the first window opens.
 */
import { app, shell, type Session } from 'electron';
import { CONTENT_SECURITY_POLICY } from './csp';

/** Adds the CSP header to every response the session receives (the meta tag covers file:// pages). */
export function installContentSecurityPolicy(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}

/** The app needs no camera, notifications, clipboard-read, etc.: refuse every request and check. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/**
 * Blocks navigation, new windows and webviews in every web contents the app ever creates. The renderer
 * routes by hash, which is in-page and never fires will-navigate, so every real navigation is refused.
 * https links open in the operator's browser instead of a window of ours.
 */
export function lockDownWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
