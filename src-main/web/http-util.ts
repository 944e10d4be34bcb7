/** Small HTTP helpers for the web-mode server: headers every response carries, JSON in and out. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_SECURITY_POLICY } from '../app/csp';

export const MAX_BODY_BYTES = 1024 * 1024;

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function applySecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } });
}

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES; an empty body reads as undefined. An oversized body is
 * drained rather than cut off, so the client still receives the 413 instead of a reset connection.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    req.resume();
    throw new BodyError(413, 'request body is larger than 1 MiB');
  }
  const raw = await new Promise<Buffer | null>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
  if (raw === null) throw new BodyError(413, 'request body is larger than 1 MiB');
  if (raw.length === 0) return undefined;
  // Requiring the JSON type also means a cross-site form can never post here without a CORS preflight.
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new BodyError(415, 'send the body as application/json');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new BodyError(400, 'request body is not valid JSON');
  }
}

/**
 * The Host header values this server answers to. Anything else is refused, so a DNS-rebinding page
 * (evil.example resolving to 127.0.0.1) cannot talk to it even from the operator's own browser.
 */
export function allowedHosts(bindHost: string, port: number): Set<string> {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  if (bindHost.includes(':')) hosts.add(`[${bindHost}]:${port}`);
  else hosts.add(`${bindHost}:${port}`);
  return hosts;
}
