/**
 * Web mode: the same renderer and the same services on 127.0.0.1 over HTTP + WebSocket, for jump boxes
 * and browser tests. A login token printed at start trades for a session cookie; every /api request
 * without one is refused with 401. Requests run through `dispatch`, exactly like Electron IPC.
 * Started without a passphrase, the store stays locked (every call answers `store_locked`) until the
 * operator unlocks it in the browser: GET /api/state, POST /api/unlock.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Services } from '../app/composition-root';
import { dispatch } from '../ipc/handle';
import {
  LOCKED_MESSAGE,
  StoreGate,
  UnlockRateLimited,
  type OpenWithPassphrase,
} from '../services/store/store-gate';
import { UnlockInput } from '../shared/contract';
import { FleetError, describeZodError, toErrorShape } from '../shared/errors';
import { WebAuth, newLoginToken } from './auth';
import { EventSocket } from './event-socket';
import {
  BodyError,
  allowedHosts,
  applySecurityHeaders,
  readJsonBody,
  sendError,
  sendJson,
} from './http-util';
import { createStaticHandler } from './static-files';

/** Opens the services with a passphrase typed in the browser. */
export type OpenServices = OpenWithPassphrase<Services>;

export interface WebServerOptions {
  /** Services already open (the passphrase came from the environment). */
  services?: Services;
  /**
   * Without `services`: start with the store locked and open it when an operator unlocks it in the
   * browser (POST /api/unlock). `home` tells whether a store exists yet; `open` owns what it opens.
   */
  unlock?: { home: string; open: OpenServices };
  /** Address to listen on; 127.0.0.1 unless the operator asks otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer: out/renderer. */
  rendererDir: string;
  /** The login token; a random 32-byte one unless given. */
  token?: string;
  /** Where unexpected errors are reported (never their text to the client). Default: stderr. */
  log?: (line: string) => void;
}

export interface WebServer {
  url: string;
  /** The URL to open: carries the token in the fragment, which browsers never send to a server. */
  loginUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const CALL_PREFIX = '/api/call/';

/** The request's path, or null for a target URL that does not parse (which must not crash the server). */
function pathOf(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The address to print: loopback for wildcard and IPv4 loopback binds, the bound name otherwise. */
function displayHost(bindHost: string): string {
  if (['0.0.0.0', '::', '127.0.0.1'].includes(bindHost)) return '127.0.0.1';
  return bindHost.includes(':') ? `[${bindHost}]` : bindHost;
}

/** Starts the server; throws FleetError('unavailable') when the UI is not built or the port is taken. */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const bindHost = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newLoginToken();
  if (token.length < 16)
    throw new FleetError('invalid_input', 'the web login token must be at least 16 characters');
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const gate = new StoreGate<Services>({
    ...(opts.services ? { opened: opts.services } : {}),
    ...(opts.unlock ? { open: opts.unlock.open, home: opts.unlock.home } : {}),
  });
  try {
    await access(join(opts.rendererDir, 'index.html'));
  } catch {
    throw new FleetError(
      'unavailable',
      `the UI is not built (${join(opts.rendererDir, 'index.html')} is missing); run npx electron-vite build`,
    );
  }

  const serveStatic = createStaticHandler(opts.rendererDir);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new FleetError(
          'unavailable',
          `cannot listen on ${bindHost}:${opts.port ?? 0}: ${err.code ?? err.message}`,
        ),
      ),
    );
    server.listen(opts.port ?? 0, bindHost, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hosts = allowedHosts(bindHost, port);
  const isAllowedHost = (host: string | undefined) => host !== undefined && hosts.has(host.toLowerCase());
  const auth = new WebAuth(token, port);
  const eventSocket = new EventSocket({ auth, isAllowedHost });
  gate.onUnlock((services) => eventSocket.attach(services.events));
  const logError = (channel: string, err: unknown) =>
    log(
      `[web] ${channel} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : 'non-Error thrown'}`,
    );

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    // SameSite=Strict already keeps our cookie off cross-site requests; refusing foreign origins outright
    // also covers the bearer route and older browsers.
    const origin = req.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `http://${req.headers.host ?? ''}`.toLowerCase()) {
      return sendError(res, 403, 'unauthorized', 'cross-origin requests are refused');
    }
    if (path === '/api/login') {
      if (req.method !== 'POST') return sendError(res, 405, 'invalid_input', 'use POST');
      const body = await readJsonBody(req);
      const given = (body as { token?: unknown } | undefined)?.token;
      const cookie = typeof given === 'string' ? auth.login(given) : null;
      if (cookie === null)
        return sendError(res, 401, 'unauthorized', 'that login token is not the one this server printed');
      return sendJson(res, 200, { ok: true, data: {} }, { 'Set-Cookie': cookie });
    }
    const caller = auth.identify(req);
    if (caller === null)
      return sendError(res, 401, 'unauthorized', 'log in with the token printed by mcp-fleet serve');
    if (path === '/api/logout') {
      if (req.method !== 'POST') return sendError(res, 405, 'invalid_input', 'use POST');
      if (caller.kind === 'session') eventSocket.endSession(caller.sessionId);
      return sendJson(res, 200, { ok: true, data: {} }, { 'Set-Cookie': auth.logout(req) });
    }
    if (path === '/api/state') {
      if (req.method !== 'GET') return sendError(res, 405, 'invalid_input', 'use GET');
      return sendJson(res, 200, { ok: true, data: gate.state() });
    }
    if (path === '/api/unlock') {
      if (req.method !== 'POST') return sendError(res, 405, 'invalid_input', 'use POST');
      return unlock(res, await readJsonBody(req));
    }
    if (path.startsWith(CALL_PREFIX)) {
      if (req.method !== 'POST') return sendError(res, 405, 'invalid_input', 'use POST');
      const channel = safeDecode(path.slice(CALL_PREFIX.length));
      const input = await readJsonBody(req);
      const services = gate.current();
      if (!services) return sendError(res, 200, 'store_locked', LOCKED_MESSAGE);
      return sendJson(res, 200, await dispatch(services.handlers, channel, input, logError));
    }
    return sendError(res, 404, 'not_found', `no API at ${path}`);
  }

  async function unlock(res: ServerResponse, body: unknown): Promise<void> {
    const input = UnlockInput.safeParse(body ?? {});
    if (!input.success) return sendError(res, 200, 'invalid_input', describeZodError(input.error));
    try {
      return sendJson(res, 200, { ok: true, data: await gate.unlock(input.data.passphrase) });
    } catch (err) {
      if (err instanceof UnlockRateLimited) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
        return sendError(res, 429, err.code, err.message);
      }
      if (!(err instanceof FleetError) || err.code === 'internal') logError('unlock', err);
      return sendJson(res, 200, { ok: false, error: toErrorShape(err) });
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    applySecurityHeaders(res);
    if (!isAllowedHost(req.headers.host)) {
      return sendError(res, 421, 'unauthorized', 'this server answers only to 127.0.0.1 and localhost');
    }
    const path = pathOf(req);
    if (path === null) return sendError(res, 400, 'invalid_input', 'malformed request target');
    const work =
      path === '/api' || path.startsWith('/api/') ? handleApi(req, res, path) : serveStatic(req, res, path);
    work.catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof BodyError) {
        return sendError(res, err.status, 'invalid_input', err.message);
      }
      logError(`${req.method ?? '?'} ${path}`, err);
      sendError(res, 500, 'internal', 'internal error; see the log for details');
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    if (pathOf(req) !== '/api/events')
      return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    eventSocket.handleUpgrade(req, socket, head);
  });

  const url = `http://${displayHost(bindHost)}:${port}/`;
  return {
    url,
    loginUrl: `${url}#token=${encodeURIComponent(token)}`,
    token,
    port,
    close: async () => {
      await gate.close();
      eventSocket.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
