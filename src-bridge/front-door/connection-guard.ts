import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { sourceKey } from './cidr';
import type { ConnectionFigures } from '../access/fair-share-report';
import type { Logger } from '../ops/log';

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerSource: number;
  maxUnauthenticated: number;
}

interface Connection {
  key: string;
  source: string;
  socket: Socket;
  authenticated: boolean;
}

const LOG_EVERY_MS = 60_000;

/**
 * Keeps the bridge's connections within what its descriptors allow, so that no flood of sockets can
 * leave it unable to serve members or restart its child. Three caps, checked at accept:
 * - all connections (Node's server.maxConnections: over it a socket is closed before any JS sees it);
 * - connections from one source (the TCP peer, IPv6 per /64), except trusted proxies and the admitted
 *   gateway, through which many clients arrive: over it, the new socket is closed;
 * - connections on which no request has authenticated yet: over it, the oldest such socket of the
 *   source holding the most of them is closed to make room. A token-less flood so only ever evicts
 *   itself, while a member's fresh connection (one socket, authenticated by its first request)
 *   gets in; taking the whole share from one source needs the per-source cap's worth of sockets.
 */
export class ConnectionGuard {
  private readonly byKey = new Map<string, Connection>();
  private readonly perSource = new Map<string, number>();
  /** Unauthenticated connections by source, oldest first. */
  private readonly waiting = new Map<string, Set<Connection>>();
  private unauthenticated = 0;
  private readonly refused = { max: 0, perSource: 0, unauthenticatedEvicted: 0 };
  private readonly lastLogged = new Map<string, { at: number; since: number }>();
  /** Sockets (raw or TLS) already marked authenticated: their later requests need no lookup. */
  private readonly marked = new WeakSet<Socket>();

  constructor(
    private readonly limits: ConnectionLimits,
    /** Peers exempt from the per-source cap: --trusted-proxy ranges, the --allow-gateway address. */
    private readonly exempt: (address: string) => boolean,
    private readonly log: Logger,
  ) {}

  /** Installs the caps on a listening server (HTTP or HTTPS: the raw TCP socket either way). */
  attach(server: Server): void {
    server.maxConnections = this.limits.maxConnections;
    server.on('drop', () => this.refuse('max', undefined));
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /** A request on this socket authenticated: from now on it is a member's connection. */
  authenticated(socket: Socket): void {
    if (this.marked.has(socket)) return;
    const connection = this.byKey.get(keyOf(socket));
    if (!connection) return;
    this.marked.add(socket);
    if (connection.authenticated) return;
    connection.authenticated = true;
    this.leaveWaiting(connection);
  }

  figures(): ConnectionFigures {
    return {
      open: this.byKey.size,
      unauthenticated: this.unauthenticated,
      limits: {
        max: this.limits.maxConnections,
        perSource: this.limits.maxConnectionsPerSource,
        unauthenticated: this.limits.maxUnauthenticated,
      },
      refused: { ...this.refused },
    };
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress;
    // Gone before it was seen (the peer reset it at once): nothing to count.
    if (address === undefined) return void socket.destroy();
    const source = sourceKey(address);
    const fromSource = this.perSource.get(source) ?? 0;
    if (fromSource >= this.limits.maxConnectionsPerSource && !this.exempt(address)) {
      this.refuse('perSource', source);
      socket.destroy();
      return;
    }
    if (this.unauthenticated >= this.limits.maxUnauthenticated) this.evictOne();
    const connection: Connection = { key: keyOf(socket), source, socket, authenticated: false };
    this.byKey.set(connection.key, connection);
    // Read again: the eviction above may have closed one from this very source.
    this.perSource.set(source, (this.perSource.get(source) ?? 0) + 1);
    const waiting = this.waiting.get(source) ?? new Set<Connection>();
    waiting.add(connection);
    this.waiting.set(source, waiting);
    this.unauthenticated += 1;
    socket.once('close', () => this.forget(connection));
  }

  /** Closes the oldest unauthenticated connection of the source that holds the most of them. */
  private evictOne(): void {
    let largest: Set<Connection> | undefined;
    for (const set of this.waiting.values()) if (!largest || set.size > largest.size) largest = set;
    const oldest = largest?.values().next().value;
    if (!oldest) return;
    this.refuse('unauthenticatedEvicted', oldest.source);
    this.forget(oldest);
    oldest.socket.destroy();
  }

  private forget(connection: Connection): void {
    if (this.byKey.get(connection.key) !== connection) return;
    this.byKey.delete(connection.key);
    const left = (this.perSource.get(connection.source) ?? 1) - 1;
    if (left > 0) this.perSource.set(connection.source, left);
    else this.perSource.delete(connection.source);
    if (!connection.authenticated) this.leaveWaiting(connection);
  }

  private leaveWaiting(connection: Connection): void {
    const set = this.waiting.get(connection.source);
    if (!set?.delete(connection)) return;
    this.unauthenticated -= 1;
    if (set.size === 0) this.waiting.delete(connection.source);
  }

  /** Counts a refusal; logs the first of a kind, then a line a minute at most with the count since. */
  private refuse(kind: keyof ConnectionFigures['refused'], source: string | undefined): void {
    this.refused[kind] += 1;
    const now = Date.now();
    const last = this.lastLogged.get(kind);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.since += 1;
      return;
    }
    this.log.warn('connection_refused', {
      reason: kind,
      ...(source === undefined ? {} : { source }),
      refused: (last?.since ?? 0) + 1,
    });
    this.lastLogged.set(kind, { at: now, since: 0 });
  }
}

/**
 * One TCP connection's identity, the same for the raw socket and the TLS socket wrapping it (which is
 * what a request's req.socket is under HTTPS).
 */
function keyOf(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;
}

/** The HTTP server's timeouts, set on purpose rather than left to Node's defaults. */
export function serverTimeouts(limits: {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}): {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
} {
  return {
    // Also bounds a connection that sends nothing at all: it gets 408 once this has passed.
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // An idle keep-alive connection is destroyed after this; clients (undici, the SDKs) reopen one
    // cheaply, while every idle socket holds a descriptor a flood could otherwise pile up.
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts above only this often (30 s by default): slow-loris clients
    // would hold sockets far longer than the limits say.
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs, limits.requestTimeoutMs),
  };
}

/**
 * Answers a request the parser refused (408 for a timeout, 431, 400) and then closes the socket for
 * good. Ending it only half-closes it, and the server keeps its side until the peer ends its own,
 * which a hostile one never does: 400 such sockets exhausted descriptors in issue 12.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const status =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? '408 Request Timeout'
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : '400 Bad Request';
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
  // A peer that does not read could keep the answer from ever being flushed.
  setTimeout(() => socket.destroy(), 1000).unref();
}
