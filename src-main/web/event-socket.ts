/**
 * GET /api/events: a WebSocket that pushes every contract event as `{ event, payload }`. The upgrade is
 * checked like any API request (Host, then login) and additionally by Origin, because browsers let any
 * page open a WebSocket to any address and send our cookie with it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventBus } from '../services/events';
import type { WebAuth } from './auth';

const PING_INTERVAL_MS = 30_000;

export interface EventSocketOptions {
  auth: WebAuth;
  isAllowedHost(host: string | undefined): boolean;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export class EventSocket {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly sessionOf = new Map<WebSocket, string | null>();
  private readonly alive = new WeakSet<WebSocket>();
  private unsubscribe: () => void = () => {};
  private readonly pinger: NodeJS.Timeout;

  constructor(private readonly options: EventSocketOptions) {
    this.pinger = setInterval(() => this.sweep(), PING_INTERVAL_MS);
    this.pinger.unref();
  }

  /** Handles an HTTP upgrade for /api/events; refuses anything not from our own logged-in page. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const host = req.headers.host;
    if (!this.options.isAllowedHost(host)) return refuse(socket, 421, 'Misdirected Request');
    const origin = req.headers.origin;
    // Browsers always send Origin on a WebSocket; a script without one must bring the bearer token.
    if (origin !== undefined && origin.toLowerCase() !== `http://${host ?? ''}`.toLowerCase()) {
      return refuse(socket, 403, 'Forbidden');
    }
    const caller = this.options.auth.identify(req, { allowBearer: origin === undefined });
    if (caller === null) return refuse(socket, 401, 'Unauthorized');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sessionOf.set(ws, caller.kind === 'session' ? caller.sessionId : null);
      this.alive.add(ws);
      ws.on('pong', () => this.alive.add(ws));
      ws.on('close', () => this.sessionOf.delete(ws));
      // The socket is push-only; anything the client sends is ignored.
      ws.on('message', () => {});
    });
  }

  /**
   * Starts relaying the services' events. Until then (a locked store in web mode) sockets connect but
   * stay quiet.
   */
  attach(events: EventBus): void {
    this.unsubscribe();
    this.unsubscribe = events.subscribe((event, payload) => this.broadcast({ event, payload }));
  }

  /** Closes the sockets of a session that logged out. */
  endSession(sessionId: string): void {
    for (const [ws, id] of this.sessionOf) if (id === sessionId) ws.close(4401, 'logged out');
  }

  close(): void {
    clearInterval(this.pinger);
    this.unsubscribe();
    for (const ws of this.sessionOf.keys()) ws.terminate();
    this.wss.close();
  }

  private broadcast(message: unknown): void {
    const text = JSON.stringify(message);
    for (const [ws, sessionId] of this.sessionOf) {
      if (sessionId !== null && !this.options.auth.isLive(sessionId)) {
        ws.close(4401, 'session expired');
        continue;
      }
      if (ws.readyState === ws.OPEN) ws.send(text);
    }
  }

  private sweep(): void {
    for (const ws of this.sessionOf.keys()) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}
