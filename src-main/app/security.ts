/**
 * Electron-wide restrictions: a CSP header on every response, no permissions but clipboard writes from
 * the app's own page, no navigation away from the app, no new windows, no <webview>. Installed once,
 * before the first window opens. The decisions live in csp.ts and frame-trust.ts, tested under Node.
 */
import { app, shell, type Session } from 'electron';
import { withContentSecurityPolicy } from './csp';
import { isPermissionGranted, type RendererLocation } from './frame-trust';

/**
 * Adds the CSP header to every response the session receives (the meta tag covers file:// pages). With
 * `devUrl`, the dev server's pages keep the development policy it sends, so `electron-vite dev` runs.
 */
export function installContentSecurityPolicy(session: Session, devUrl?: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...withContentSecurityPolicy(details.url, details.responseHeaders ?? {}, devUrl),
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}

/**
 * Refuses every permission request and check, but for clipboard writes from the top frame of the app's
 * own page: the copy buttons (member tokens are shown once) would fail without it.
 */
export function restrictPermissions(session: Session, renderer: RendererLocation): void {
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details, renderer));
  });
  session.setPermissionCheckHandler((_webContents, permission, _origin, details) =>
    isPermissionGranted(permission, details, renderer),
  );
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
