/**
 * HTTP/1.1 to a bridge, through an agent that decides how the bytes travel: a TCP socket on this
 * machine, or a channel of the host's held SSH session (so no port has to be open to the app, and no
 * new login is made). A bridge serving HTTPS is spoken to over TLS on that stream, and its certificate
 * is pinned: only the one deployed to it (by SHA-256) is accepted, whatever CA signed it. Keep-alive
 * connections are reused across a sweep and between sweeps.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { ClientRequestArgs, IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FailureKind, ProbeFailure } from '../health/observation';
import { duration } from '../health/words';

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

/**
 * A pin that accepts any certificate: only for reading the readiness of a previous version being put
 * back after a failed replacement (no token is sent, and its certificate is not the new one).
 */
export const ANY_CERTIFICATE = '*';

/** A plain TCP connection from this machine (a host that is this machine). */
export const openLocalTcp: OpenTcp = (address, port) =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });

/** Request options this agent reads beyond Node's: the certificate to pin, when the bridge serves TLS. */
interface PinnedArgs extends ClientRequestArgs {
  pin?: string | null;
}

/**
 * An HTTP agent whose connections are opened by `open` (an SSH channel per connection, or a TCP
 * socket), with TLS on top when the request names a certificate to pin.
 */
export class TunnelAgent extends http.Agent {
  constructor(private readonly open: OpenTcp) {
    super({ keepAlive: true, maxFreeSockets: 64 });
  }

  // A pooled connection is only reused for the same pin: a renewed certificate gets new connections.
  override getName(options?: PinnedArgs): string {
    return `${super.getName(options)}:${options?.pin ?? 'plain'}`;
  }

  override createConnection(
    options: PinnedArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const fail = (err: unknown): void =>
      callback?.(err instanceof Error ? err : new Error(String(err)), undefined as never);
    this.open(String(options.host ?? '127.0.0.1'), Number(options.port)).then((stream) => {
      const pin = options.pin ?? null;
      if (pin === null) {
        callback?.(null, socketLike(stream));
        return;
      }
      pinnedTls(stream, pin).then((secure) => callback?.(null, socketLike(secure)), fail);
    }, fail);
    return undefined;
  }
}

/**
 * TLS over `stream`, accepting exactly the certificate whose SHA-256 is `pin` (Node's AA:BB:… form).
 * The chain is not what is trusted here, the pin is: the app deployed that certificate itself.
 */
function pinnedTls(stream: Duplex, pin: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket: stream, rejectUnauthorized: false });
    const onError = (err: Error): void => {
      secure.destroy();
      // Also what a port answers while its container starts (docker-proxy accepts, then closes).
      reject(new ProbeError('transport', `the TLS handshake with the bridge failed (${err.message})`));
    };
    secure.once('error', onError);
    secure.once('secureConnect', () => {
      secure.off('error', onError);
      const offered = secure.getPeerCertificate().fingerprint256;
      if (pin !== ANY_CERTIFICATE && offered !== pin) {
        secure.destroy();
        reject(
          new ProbeError(
            'tls',
            `the bridge presented another certificate than the one deployed to it (pinned SHA256 ${short(pin)}, offered ${short(offered ?? 'none')}): deploy it again`,
          ),
        );
        return;
      }
      resolve(secure);
    });
  });
}

function short(fingerprint: string): string {
  return fingerprint.split(':').slice(0, 8).join(':') + '…';
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
  /** SHA-256 of the certificate the bridge must present (HTTPS), or null for a plain-HTTP bridge. */
  pin: string | null;
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
    const options: http.RequestOptions & { pin: string | null } = {
      agent: call.agent,
      host: call.address,
      port: call.port,
      pin: call.pin,
      method: call.method,
      path: call.path,
      headers: {
        ...call.headers,
        ...(call.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(call.body)) }),
      },
    };
    const req = http.request(options, (res) => {
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
    });
    const timer = setTimeout(() => {
      fail(new ProbeError('timeout', `no answer within ${duration(call.timeoutMs)}`));
      req.destroy();
    }, call.timeoutMs);
    req.once('error', (err) => fail(err instanceof ProbeError ? err : transportFailure(err, call)));
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
