/**
 * Serves the built renderer (out/renderer). The files hold no data, so they need no login; paths are
 * confined to the directory, and any unknown path without a file extension gets index.html (SPA).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

async function fileAt(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

export function createStaticHandler(rendererDir: string) {
  const root = resolve(rendererDir);
  const indexFile = join(root, 'index.html');

  /** Resolves a URL path to a file inside root, or null when it would leave root or names a dotfile. */
  function locate(urlPath: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.split('/').some((part) => part.startsWith('.') && part !== ''))
      return null;
    const full = resolve(root, '.' + decoded);
    return full === root || full.startsWith(root + sep) ? full : null;
  }

  return async function serveStatic(
    req: IncomingMessage,
    res: ServerResponse,
    urlPath: string,
  ): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('method not allowed');
      return;
    }
    let file = locate(urlPath === '/' ? '/index.html' : urlPath);
    let size = file === null ? null : await fileAt(file);
    if (size === null && extname(urlPath) === '') {
      file = indexFile;
      size = await fileAt(file);
    }
    if (file === null || size === null) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found');
      return;
    }
    const hashed = file.startsWith(join(root, 'assets') + sep);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      // Built assets carry a content hash in their names; index.html must always be revalidated.
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  };
}
