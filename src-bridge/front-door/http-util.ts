import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { errorResponse } from '../wire/jsonrpc';
import type { Accepts } from '../wire/request-sink';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** A transport-level refusal: an HTTP status with a JSON-RPC error that has no id, as the spec allows. */
export function sendRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, errorResponse(null, code, message), headers);
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// A client sends the same Accept and Content-Type on every request: the last value read is kept with
// what it said, so a run of calls parses each header once.
let lastAccept: { header: string; accepts: Readonly<Accepts> } | undefined;
let lastJsonType: string | undefined;

/** What the client's Accept allows; no Accept at all is read as accepting both. */
export function parseAccept(header: string | undefined): Readonly<Accepts> {
  if (header !== undefined && header === lastAccept?.header) return lastAccept.accepts;
  const accepts = Object.freeze(readAccept(header));
  if (header !== undefined) lastAccept = { header, accepts };
  return accepts;
}

function readAccept(header: string | undefined): Accepts {
  if (header === undefined || header.trim() === '') return { json: true, sse: true };
  let json = false;
  let sse = false;
  for (const part of header.toLowerCase().split(',')) {
    const type = part.split(';')[0]?.trim();
    if (type === '*/*') json = sse = true;
    else if (type === 'application/json' || type === 'application/*') json = true;
    else if (type === 'text/event-stream' || type === 'text/*') sse = true;
  }
  return { json, sse };
}

export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  if (header === lastJsonType) return true;
  const json = header.split(';')[0]?.trim().toLowerCase() === 'application/json';
  if (json) lastJsonType = header;
  return json;
}

export type BodyResult = { ok: true; text: string } | { ok: false; status: 413 | 400 };

/** Reads the body up to maxBytes; past the limit it answers no further and the connection is closed. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(headerValue(req, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, status: 413 });
  return new Promise((resolve) => {
    // Chunks are decoded as they come (the decoder keeps a character split between two whole), so
    // a large body is never copied into one buffer first; JSON.parse joins the pieces once.
    let decoder: StringDecoder | undefined;
    let first: Buffer | undefined;
    let text = '';
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        settle({ ok: false, status: 413 });
        return;
      }
      if (first === undefined && decoder === undefined) {
        // Most bodies arrive whole: one chunk, decoded at the end without a decoder.
        first = chunk;
        return;
      }
      if (decoder === undefined) {
        decoder = new StringDecoder('utf8');
        text = decoder.write(first as Buffer);
        first = undefined;
      }
      text += decoder.write(chunk);
    });
    req.on('end', () => {
      if (decoder !== undefined) text += decoder.end();
      else if (first !== undefined) text = first.toString('utf8');
      settle({ ok: true, text });
    });
    req.on('error', () => settle({ ok: false, status: 400 }));
    req.on('aborted', () => settle({ ok: false, status: 400 }));
  });
}
