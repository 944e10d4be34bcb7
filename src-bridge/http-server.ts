import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { hasQueryCredential, parseAuthorization, type TokenVerifier } from './auth';
import { addressAllowed, isLoopbackAddress, sourceKey } from './cidr';
import type { ResolvedConfig } from './config';
import { describeError } from './errors';
import { liveness, prometheusText, readiness, statusReport, type HealthSources } from './health';
import { isLoopbackBind, loopbackHostAllowed, OriginPolicy } from './http-guards';
import { headerValue, sendJson, sendRpcError, sendText } from './http-util';
import { ErrorCodes } from './jsonrpc';
import type { Logger } from './log';
import { handleMcp, type McpEndpointDeps } from './mcp-endpoint';
import type { Member } from './members';
import type { FailureLimiter } from './rate-limit';

export interface HttpDeps {
  config: ResolvedConfig;
  verifier: TokenVerifier;
  limiter: FailureLimiter;
  health: HealthSources;
  endpoint: McpEndpointDeps;
  log: Logger;
  isStopping(): boolean;
}

interface Peer {
  source: string;
  allowed: boolean;
  loopback: boolean;
}

const AUTH_PATHS = new Set(['/mcp', '/status', '/metrics']);
const REALM = 'Bearer realm="mcp-fleet-bridge"';

/** The HTTP front door. Order matters: source address, then authentication, then everything else. */
export function createHttpServer(deps: HttpDeps): Server {
  const { limits } = deps.config;
  const origins = new OriginPolicy(deps.config.origins);
  const loopbackBind = isLoopbackBind(deps.config.host);
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: 30_000,
      // Node checks the two timeouts above only this often (30 s by default): slow-loris clients
      // would hold sockets far longer than the limits say.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs, limits.requestTimeoutMs),
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        deps.log.error('request_failed', { error: describeError(err) });
        if (!res.headersSent)
          sendRpcError(res, 500, ErrorCodes.internalError, 'Internal error in the bridge.');
        else res.destroy();
      });
    },
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });

  const refuseAuth = (
    res: ServerResponse,
    source: string,
    reason: string,
    status: 400 | 401,
    error: string,
    description: string,
  ): void => {
    deps.limiter.recordFailure(source);
    deps.health.metrics.authFailures += 1;
    deps.log.warn('auth_failed', { source, reason });
    const challenge = reason === 'missing' ? REALM : `${REALM}, error="${error}"`;
    sendJson(res, status, { error, error_description: description }, { 'www-authenticate': challenge });
  };

  // What the bridge decides from a peer's address holds for the connection's life: work it out once,
  // not on every keep-alive request.
  const peers = new WeakMap<Socket, Peer>();
  const peerOf = (socket: Socket): Peer => {
    let peer = peers.get(socket);
    if (!peer) {
      const address = socket.remoteAddress;
      peer = {
        source: sourceKey(address),
        allowed: addressAllowed(deps.config.cidrs, address),
        loopback: isLoopbackAddress(address),
      };
      peers.set(socket, peer);
    }
    return peer;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const peer = peerOf(req.socket);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const isHealth = path === '/healthz' || path === '/readyz';
    // The container's own health check comes from loopback and must work whatever the allowlist says.
    if (!peer.allowed && !(isHealth && peer.loopback)) {
      deps.log.warn('source_refused', { source: peer.source });
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

    const source = peer.source;
    const retryAfter = deps.limiter.retryAfter(source);
    if (retryAfter > 0) {
      deps.health.metrics.rateLimited += 1;
      return sendJson(
        res,
        429,
        {
          error: 'too_many_failures',
          error_description: 'Too many failed authentication attempts from this address.',
        },
        { 'retry-after': String(retryAfter) },
      );
    }
    if (q >= 0 && hasQueryCredential(url.slice(q))) {
      return refuseAuth(
        res,
        source,
        'query_token',
        400,
        'invalid_request',
        'Tokens in the URL are refused; send the header Authorization: Bearer <token>.',
      );
    }
    const auth = parseAuthorization(headerValue(req, 'authorization'));
    const member: Member | undefined = auth.kind === 'bearer' ? deps.verifier.verify(auth.token) : undefined;
    if (!member) {
      if (auth.kind === 'missing')
        return refuseAuth(
          res,
          source,
          'missing',
          401,
          'invalid_request',
          'Send Authorization: Bearer <token>.',
        );
      if (auth.kind === 'malformed')
        return refuseAuth(
          res,
          source,
          'malformed',
          401,
          'invalid_request',
          'The Authorization header is not "Bearer <token>".',
        );
      return refuseAuth(
        res,
        source,
        'unknown_token',
        401,
        'invalid_token',
        'The token is not valid for this server.',
      );
    }

    if (loopbackBind && !loopbackHostAllowed(headerValue(req, 'host'))) {
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
