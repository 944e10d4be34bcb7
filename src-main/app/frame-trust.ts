/**
 * Which documents are the app's own: the IPC sender check and the permission handlers both ask this.
 * Plain Node, so every awkward install path can be tested without Electron.
 *
 * A build's page is a file:// URL, which Chromium and Node's pathToFileURL escape differently (Chromium
 * leaves `[` and `]` alone, Node writes %5B and %5D), so URLs are never compared as strings: the frame's
 * URL is turned back into the file it names and that file is compared with the renderer's index.html.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RendererLocation {
  /** The electron-vite dev server URL in development. */
  devUrl?: string | undefined;
  /** out/renderer/index.html in a build. */
  indexFile: string;
}

/**
 * Whether `url` shows the app's own page. Query and hash are ignored (the renderer routes by hash).
 * In development any page of the dev server's exact origin is ours; a build's page must be index.html
 * itself. Anything unparsable is not ours.
 */
export function isAppDocumentUrl(
  url: string,
  renderer: RendererLocation,
  platform: NodeJS.Platform = process.platform,
): boolean {
  const parsed = URL.parse(url);
  if (parsed === null) return false;
  if (renderer.devUrl !== undefined) {
    const dev = URL.parse(renderer.devUrl);
    // Origins, not prefixes: http://localhost:5173.evil.com starts with http://localhost:5173.
    return (
      dev !== null && (dev.protocol === 'http:' || dev.protocol === 'https:') && parsed.origin === dev.origin
    );
  }
  if (parsed.protocol !== 'file:') return false;
  const windows = platform === 'win32';
  let file: string;
  try {
    // Decodes the escapes and drops query and hash; refuses a foreign host (posix), an encoded
    // separator and a malformed escape, none of which our own load ever produces.
    file = fileURLToPath(parsed, { windows });
  } catch {
    return false;
  }
  return comparable(file, platform) === comparable(renderer.indexFile, platform);
}

/**
 * One spelling per file. Windows compares paths case-insensitively (NTFS, and Chromium may write the drive
 * letter in another case). macOS keeps the case, because the window loads exactly the path we give it and
 * a case-sensitive APFS volume would make another case another file, but folds Unicode to NFC since
 * APFS and HFS+ treat the NFC and NFD spellings of "é" as one name. Linux compares bytes.
 */
function comparable(file: string, platform: NodeJS.Platform): string {
  if (platform === 'win32') return path.win32.normalize(file).toLowerCase();
  const normal = path.posix.normalize(file);
  return platform === 'darwin' ? normal.normalize('NFC') : normal;
}

export interface FrameFacts {
  url: string;
  /** No parent frame: subframes are never trusted, whatever they load. */
  isTopFrame: boolean;
  /** The top frame of one of the app's own windows. */
  inOwnWindow: boolean;
}

/** True only for the top frame of one of our windows showing our own page. */
export function isTrustedFrame(
  frame: FrameFacts,
  renderer: RendererLocation,
  platform: NodeJS.Platform = process.platform,
): boolean {
  return frame.isTopFrame && frame.inOwnWindow && isAppDocumentUrl(frame.url, renderer, platform);
}

export interface PermissionAsk {
  /** Electron's `details.requestingUrl`; absent when the ask is not made for a document. */
  requestingUrl?: string | undefined;
  isMainFrame: boolean;
}

/**
 * The one permission the app grants: writing to the clipboard (the copy buttons, which show member tokens
 * once), and only to the top frame of its own page. Chromium asks `clipboard-sanitized-write` for
 * navigator.clipboard.writeText and write. Everything else, clipboard reads included, stays refused.
 */
export function isPermissionGranted(
  permission: string,
  ask: PermissionAsk,
  renderer: RendererLocation,
  platform: NodeJS.Platform = process.platform,
): boolean {
  return (
    permission === 'clipboard-sanitized-write' &&
    ask.isMainFrame &&
    ask.requestingUrl !== undefined &&
    isAppDocumentUrl(ask.requestingUrl, renderer, platform)
  );
}
