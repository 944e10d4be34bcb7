import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TokenVerifier } from '../access/auth';
import { forwardedClient, isTrustedProxy } from './client-address';
import { addressAllowed, isLoopbackAddress, parseCidr, sourceKey } from './cidr';
import type { ResolvedConfig } from '../ops/config';
import { answerClientError, type ConnectionGuard, serverTimeouts } from './connection-guard';
import { describeError } from '../errors';
import { liveness, prometheusText, readiness, statusReport, type HealthSources } from '../ops/health';
import { isLoopbackBind, loopbackHostAllowed, OriginPolicy } from './http-guards';
import { headerValue, sendJson, sendRpcError, sendText } from './http-util';
import { ErrorCodes } from '../wire/jsonrpc';
import type { Logger } from '../ops/log';
import { handleMcp, type McpEndpointDeps } from '../wire/mcp-endpoint';
import type { FailureLimiter } from '../access/rate-limit';
import { authenticate } from '../access/request-auth';

export interface HttpDeps {
  config: ResolvedConfig;
  verifier: TokenVerifier;
  limiter: FailureLimiter;
  health: HealthSources;
  endpoint: McpEndpointDeps;
  /** The connection caps; the server installs them on itself. */
  connections: ConnectionGuard;
  log: Logger;
  isStopping(): boolean;
  /** The container's default gateway, admitted beside --allow-cidr (--allow-gateway found one). */
  gateway?: string | undefined;
}

/** Who a request is from, as every check and log line sees it. */
interface Client {
  /** The limiter's and the logs' key: the address, or the /64 of an IPv6 one. */
  source: string;
  allowed: boolean;
  loopback: boolean;
}

interface Peer extends Client {
  /** A --trusted-proxy: its requests name their client in X-Forwarded-For. */
  trustedProxy: boolean;
  /**
   * The last Host header on this connection that passed the loopback check: a client sends the same
   * one on every keep-alive request, so only a different value is parsed again.
   */
  loopbackHost?: string;
}

const AUTH_PATHS = new Set(['/mcp', '/status', '/metrics']);

/**
 * The HTTP (or, with --tls-cert, HTTPS only) front door. Order matters: source address, then
 * authentication, then everything else.
 */
export function createHttpServer(deps: HttpDeps): Server | HttpsServer {
  const { limits, tls, trustedProxies } = deps.config;
  const origins = new OriginPolicy(deps.config.origins);
  const loopbackBind = isLoopbackBind(deps.config.host);
  const allowlist =
    deps.gateway !== undefined && deps.config.cidrs.length > 0
      ? [...deps.config.cidrs, parseCidr(deps.gateway)]
      : deps.config.cidrs;
  const options = serverTimeouts(limits);
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      deps.log.error('request_failed', { error: describeError(err) });
      if (!res.headersSent) sendRpcError(res, 500, ErrorCodes.internalError, 'Internal error in the bridge.');
      else res.destroy();
    });
  };
  const server = tls
    ? createHttpsServer(
        {
          ...options,
          cert: tls.cert,
          key: tls.key,
          minVersion: 'TLSv1.2',
          // The handshake comes before the headers timeout starts; bound it the same way.
          handshakeTimeout: limits.headersTimeoutMs,
        },
        onRequest,
      )
    : createServer(options, onRequest);
  server.on('clientError', answerClientError);
  deps.connections.attach(server);
  if (tls) {
    // A failed handshake: plain HTTP sent to the HTTPS port, a client that distrusts the certificate,
    // a scanner. The socket is closed without a byte of HTTP; the line names the peer and OpenSSL's
    // code, never what was sent (a plain-HTTP request carries its token in clear).
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      const source = sourceKey(socket.remoteAddress);
      if (err.code === 'ERR_SSL_HTTP_REQUEST')
        deps.log.warn('tls_plain_http_refused', {
          source,
          hint: 'a client sent plain HTTP to the HTTPS port; use an https:// URL',
        });
      else deps.log.debug('tls_client_error', { source, code: err.code ?? 'unknown' });
      socket.destroy();
    });
  }

  const describe = (address: string | undefined): Client => ({
    source: sourceKey(address),
    allowed: addressAllowed(allowlist, address),
    loopback: isLoopbackAddress(address),
  });

  // What the bridge decides from a direct peer's address holds for the connection's life: work it
  // out once, not on every keep-alive request. A trusted proxy's connection carries many clients, so
  // behind one the decision is made per request, from its X-Forwarded-For.
  const peers = new WeakMap<Socket, Peer>();
  const peerOf = (socket: Socket): Peer => {
    let peer = peers.get(socket);
    if (!peer) {
      const address = socket.remoteAddress;
      peer = { ...describe(address), trustedProxy: isTrustedProxy(trustedProxies, address) };
      peers.set(socket, peer);
    }
    return peer;
  };
  let warnedMalformed = false;
  const clientOf = (req: IncomingMessage, peer: Peer): Client => {
    if (!peer.trustedProxy) return peer;
    const header = headerValue(req, 'x-forwarded-for');
    if (header === undefined || header.trim() === '') return peer;
    const found = forwardedClient(header, trustedProxies);
    if (found.kind === 'client') return describe(found.address);
    // Once: a proxy that writes what this cannot read does so on every request.
    if (!warnedMalformed) {
      warnedMalformed = true;
      deps.log.warn('forwarded_for_malformed', {
        source: peer.source,
        hint: 'X-Forwarded-For from a trusted proxy holds an entry that is not an IP address; the proxy itself counts as the client',
      });
    }
    return peer;
  };

  const authDeps = {
    verifier: deps.verifier,
    limiter: deps.limiter,
    metrics: deps.health.metrics,
    log: deps.log,
  };
  const hostAllowed = (req: IncomingMessage, peer: Peer): boolean => {
    const host = headerValue(req, 'host');
    if (host !== undefined && host === peer.loopbackHost) return true;
    if (!loopbackHostAllowed(host)) return false;
    if (host !== undefined) peer.loopbackHost = host;
    return true;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const peer = peerOf(req.socket);
    const client = clientOf(req, peer);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const isHealth = path === '/healthz' || path === '/readyz';
    // The container's own health check comes from loopback and must work whatever the allowlist says.
    if (!client.allowed && !(isHealth && client.loopback)) {
      deps.log.warn('source_refused', { source: client.source });
      sendText(res, 403, 'forbidden');
      return;
    }
    if (deps.isStopping()) {
      sendText(res, 503, 'shutting down', { connection: 'close' });
      return;
    }
    if (isHealth) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendText(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
      const answer = path === '/healthz' ? liveness(deps.health) : readiness(deps.health);
      return sendText(res, answer.status, answer.body, { 'cache-control': 'no-store' });
    }
    if (!AUTH_PATHS.has(path)) return sendText(res, 404, 'not found');
    // Browsers send preflights without credentials; the answer reveals only which headers are allowed.
    if (req.method === 'OPTIONS' && path === '/mcp') return origins.preflight(req, res);

    const member = authenticate(req, res, client.source, q < 0 ? '' : url.slice(q), authDeps);
    if (!member) return;
    deps.connections.authenticated(req.socket);

    if (loopbackBind && !hostAllowed(req, peer)) {
      return sendRpcError(
        res,
        403,
        ErrorCodes.invalidRequest,
        'Host header is not a loopback name; refused to prevent DNS rebinding.',
      );
    }
    const origin = headerValue(req, 'origin');
    if (origin !== undefined) {
      if (!origins.allows(origin))
        return sendRpcError(res, 403, ErrorCodes.invalidRequest, 'Origin not allowed.');
      for (const [name, value] of Object.entries(origins.corsHeaders(origin))) res.setHeader(name, value);
    }
    // Each member's own rate: another member's flood spends that member's tokens, never this one's.
    const limited = deps.endpoint.fair.takeToken(member);
    if (limited) return deps.endpoint.fair.refuse(res, member, limited);

    if (path === '/mcp') return handleMcp(req, res, member, deps.endpoint);
    if (req.method !== 'GET') return sendText(res, 405, 'method not allowed', { allow: 'GET' });
    if (path === '/status')
      return sendJson(res, 200, statusReport(deps.health), { 'cache-control': 'no-store' });
    res.writeHead(200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(prometheusText(deps.health));
  }

  return server;
}
