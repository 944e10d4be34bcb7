/**
 * Plain HTTP/1.1 to a bridge, through an agent that decides how the bytes travel: a TCP socket on
 * this machine, or a channel of the host's held SSH session (so no port has to be open to the app,
 * and no new login is made). Keep-alive connections are reused across a sweep and between sweeps.
 */
import http from 'node:http';
import type { ClientRequestArgs, IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FailureKind, ProbeFailure } from './observation';
import { duration } from './words';

/** Opens a byte stream to address:port as seen from the host. */
export type OpenTcp = (address: string, port: number) => Promise<Duplex>;

/** Gives a stream the few net.Socket methods Node's HTTP client and agent call on their socket. */
function socketLike(stream: Duplex): Duplex {
  const s = stream as Duplex & Record<string, unknown>;
  const chain = (): Duplex => s;
  for (const name of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) {
    if (typeof s[name] !== 'function') s[name] = chain;
  }
  // The bridge never half-closes: an ended channel is finished and must leave the idle pool.
  s.once('end', () => s.destroy());
  return s;
}

/** An HTTP agent whose connections are opened by `open` (an SSH channel per connection). */
export class TunnelAgent extends http.Agent {
  constructor(private readonly open: OpenTcp) {
    super({ keepAlive: true, maxFreeSockets: 64 });
  }

  override createConnection(
    options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    this.open(String(options.host ?? '127.0.0.1'), Number(options.port)).then(
      (stream) => callback?.(null, socketLike(stream)),
      (err: unknown) => callback?.(err instanceof Error ? err : new Error(String(err)), undefined as never),
    );
    return undefined;
  }
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpCall {
  agent: http.Agent;
  address: string;
  port: number;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

const MAX_BODY = 1024 * 1024;

/** A failed request, worded for a health reason. */
export class ProbeError extends Error implements ProbeFailure {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}

/** The failure of a probe from whatever it threw. */
export function toFailure(err: unknown): ProbeFailure {
  if (err instanceof ProbeError) return { kind: err.kind, message: err.message };
  return { kind: 'transport', message: err instanceof Error ? err.message : String(err) };
}

/** One request; rejects with a ProbeError on a refusal, a timeout or a broken connection. */
export function httpCall(call: HttpCall): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (failure: ProbeError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(failure);
    };
    const req = http.request(
      {
        agent: call.agent,
        host: call.address,
        port: call.port,
        method: call.method,
        path: call.path,
        headers: {
          ...call.headers,
          ...(call.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(call.body)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) {
            req.destroy();
            fail(new ProbeError('protocol', 'the bridge sent more than 1 MiB'));
          } else chunks.push(chunk);
        });
        res.once('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.once('error', (err) => fail(transportFailure(err, call)));
      },
    );
    const timer = setTimeout(() => {
      fail(new ProbeError('timeout', `no answer within ${duration(call.timeoutMs)}`));
      req.destroy();
    }, call.timeoutMs);
    req.once('error', (err) => fail(transportFailure(err, call)));
    req.end(call.body);
  });
}

function transportFailure(err: unknown, call: HttpCall): ProbeError {
  const e = err as { code?: string; message?: string; reason?: unknown };
  const text = e.message ?? String(err);
  // ssh2 reports a refused forward as a channel open failure with the server's words.
  const refused = e.code === 'ECONNREFUSED' || /connection refused|connect failed/i.test(text);
  return refused
    ? new ProbeError('refused', `nothing answers on port ${call.port} of the host`)
    : new ProbeError('transport', `the connection to the bridge broke (${text.replace(/^\(SSH\) /, '')})`);
}
