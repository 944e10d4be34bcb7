/**
 * Picks the transport: the Electron preload's `window.api` when present, the web client otherwise.
 * Past this point the renderer sees only a FleetApi, a way to open a locked store, and, in web mode, a
 * session to log in with.
 */
import type { DesktopApi, FleetApi } from '../../src-main/shared/contract';
import { desktopStoreSession, webStoreSession, type StoreSession } from './desktop-session';
import { createWebClient, type WebSession } from './web-client';

declare global {
  interface Window {
    api?: DesktopApi;
  }
}

export interface Transport {
  api: FleetApi;
  /** Web mode only; null inside Electron, where the window itself is the credential. */
  session: WebSession | null;
  /** Opens the store when it is locked, in either transport. */
  store: StoreSession;
}

export function pickTransport(): Transport {
  if (window.api) return { api: window.api, session: null, store: desktopStoreSession(window.api) };
  const web = createWebClient();
  return { ...web, store: webStoreSession(web.session) };
}

/**
 * Takes a login token from a `#token=...` fragment (how `mcp-fleet serve` prints its URL) and removes it
 * from the address bar and history so it is not left on screen or bookmarked.
 */
export function takeTokenFromFragment(): string | null {
  const match = /^#token=(.+)$/.exec(window.location.hash);
  if (!match?.[1]) return null;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}
