import type { AddressInfo } from 'node:net';
import { TokenVerifier } from './access/auth';
import { DefinitionPins, loadApprovedFile } from './access/definition-pins';
import { resolveConfig, type BridgeOptions, type ResolvedConfig } from './ops/config';
import { parseCidr } from './front-door/cidr';
import { isTrustedProxy } from './front-door/client-address';
import { ConnectionGuard } from './front-door/connection-guard';
import { FairShare } from './access/fair-share';
import { FD_RESERVE, fdSoftLimit } from './front-door/fd-limit';
import { limitsReport } from './access/fair-share-report';
import { readDefaultGateway } from './front-door/gateway';
import { createHttpServer } from './front-door/http-server';
import { createLogger, type Logger } from './ops/log';
import { Metrics } from './ops/metrics';
import { Multiplexer } from './core/multiplexer';
import { FailureLimiter } from './access/rate-limit';
import { SessionRegistry } from './core/sessions';
import { StatelessRegistry } from './core/stateless-registry';
import { tlsStatus } from './front-door/tls';
import { Upstream } from './child/upstream';
import { DEFAULT_CHILD_SHARE } from './child/stdin-queue';
import { BRIDGE_VERSION } from './ops/version';
import { describeError } from './errors';

export type { BridgeOptions } from './ops/config';

export interface RunningBridge {
  readonly port: number;
  readonly host: string;
  /** Stops accepting, lets calls in flight finish briefly, ends sessions and stops the child. Idempotent. */
  close(): Promise<void>;
  /**
   * Present with an approved-set file: reads it again and serves from it, without restarting the
   * server. A file that cannot be read or is not an approved set is refused with a log line
   * (`approved_set_refused`) and the set served before stays; returns whether the new one was taken.
   */
  reloadApproved?: () => boolean;
}

/** Starts the bridge: spawns the stdio server and listens; throws BridgeError for bad options. */
export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const config = resolveConfig(options);
  const approvedFile = options.approvedFile;
  const approved = approvedFile === undefined ? undefined : loadApprovedFile(approvedFile);
  const { limits } = config;
  const log = createLogger({
    level: options.logLevel ?? 'info',
    ...(options.logWrite ? { write: options.logWrite } : {}),
  });
  const metrics = new Metrics();
  const gateway = admittedGateway(config, log);
  const sessions = new SessionRegistry(
    { maxSessions: limits.maxSessions, idleMs: limits.sessionIdleMs, keepAliveMs: limits.keepAliveMs },
    log,
  );
  const upstream = new Upstream(
    {
      child: { ...config.child, share: { ...DEFAULT_CHILD_SHARE, chars: limits.memberChildChars } },
      initTimeoutMs: limits.initTimeoutMs,
      backoffInitialMs: limits.backoffInitialMs,
      backoffMaxMs: limits.backoffMaxMs,
      stableMs: limits.stableMs,
      stopGraceMs: limits.stopGraceMs,
      clientVersion: BRIDGE_VERSION,
      mode: config.mode,
    },
    log,
  );
  const pins =
    approved === undefined
      ? undefined
      : new DefinitionPins(
          approved,
          upstream,
          { readyWaitMs: limits.readyWaitMs, timeoutMs: limits.internalTimeoutMs },
          log,
        );
  const stateless = new StatelessRegistry(limits.maxSessions);
  const sessionLimits = { replayEvents: limits.replayEvents, replayBytes: limits.replayBytes };
  const multiplexer = new Multiplexer(
    upstream,
    sessions,
    metrics,
    log,
    {
      mode: config.mode,
      roots: config.roots,
      pins,
      upstreamTimeoutMs: limits.upstreamTimeoutMs,
      readyWaitMs: limits.readyWaitMs,
      internalTimeoutMs: limits.internalTimeoutMs,
      session: sessionLimits,
      input: {
        waitMs: limits.inputWaitMs,
        batchMs: limits.inputBatchMs,
        maxWaits: limits.maxInputWaits,
        maxWaitsPerMember: limits.maxInputWaitsPerMember,
      },
    },
    stateless,
  );
  upstream.setListener(multiplexer);
  const startedAt = Date.now();
  let stopping = false;
  const fair = new FairShare(config.members, limits, sessions, upstream, log);
  // Many clients arrive through a trusted proxy or the admitted gateway: the per-source cap would
  // count them as one, so only the global and unauthenticated caps apply to those peers.
  const manyClients = [...config.trustedProxies, ...(gateway === undefined ? [] : [parseCidr(gateway)])];
  const connections = new ConnectionGuard(limits, (address) => isTrustedProxy(manyClients, address), log);
  const server = createHttpServer({
    config,
    verifier: new TokenVerifier(config.members),
    limiter: new FailureLimiter({ maxFailures: limits.authMaxFailures, windowMs: limits.authWindowMs }),
    health: {
      upstream,
      sessions,
      metrics,
      mode: config.mode,
      startedAt,
      stateless: () => multiplexer.front.statelessFigures(),
      inFlight: () => multiplexer.inFlightFigures(),
      tls: tlsStatus(config.tls),
      limits: limitsReport(
        () => fair.usage(),
        () => connections.figures(),
      ),
    },
    endpoint: {
      mux: multiplexer,
      sessions,
      maxBodyBytes: limits.maxBodyBytes,
      maxJsonDepth: limits.maxJsonDepth,
      sessionLimits,
      fair,
    },
    connections,
    log,
    isStopping: () => stopping,
    gateway,
  });

  upstream.start();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await upstream.stop();
    log.flush();
    throw err;
  }
  sessions.startHousekeeping((session) => multiplexer.closeSession(session, 'idle'));
  stateless.startHousekeeping(limits.keepAliveMs);
  const port = (server.address() as AddressInfo).port;
  log.info('listening', {
    host: config.host,
    port,
    mode: config.mode,
    members: config.members.map((m) => m.name),
    allowCidr: config.cidrs.map((c) => c.text),
    allowGateway: gateway ?? null,
    trustedProxy: config.trustedProxies.map((c) => c.text),
    roots: config.roots.map((r) => r.uri),
    tls: config.tls !== undefined,
    maxConnections: limits.maxConnections,
    version: BRIDGE_VERSION,
  });
  if (pins !== undefined) log.info('approved_set_loaded', { file: approvedFile, ...pins.summary() });
  const fdLimit = fdSoftLimit();
  if (fdLimit !== undefined && limits.maxConnections > fdLimit - FD_RESERVE) {
    log.warn('max_connections_above_fd_limit', {
      maxConnections: limits.maxConnections,
      fdLimit,
      hint: 'a connection flood could leave no descriptor to restart the MCP server; lower --max-connections or raise the limit (ulimit -n)',
    });
  }
  if (config.tls === undefined) {
    log.warn('plain_http', {
      hint: 'serving plain HTTP: tokens cross the network in clear unless a TLS terminator sits in front; pass --tls-cert and --tls-key to serve HTTPS',
    });
  } else {
    const now = Date.now();
    if (Date.parse(config.tls.notAfter) <= now || Date.parse(config.tls.notBefore) > now) {
      log.warn('tls_certificate_not_valid_now', {
        notBefore: config.tls.notBefore,
        notAfter: config.tls.notAfter,
        hint: 'clients that verify the certificate will refuse it',
      });
    }
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping = true;
      log.info('shutdown_started', { pending: multiplexer.pending.size, sessions: sessions.size });
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + limits.drainMs;
      while (multiplexer.pending.size > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      multiplexer.beginShutdown();
      sessions.stopHousekeeping();
      stateless.stopHousekeeping();
      for (const session of [...sessions.values()]) multiplexer.closeSession(session, 'shutdown');
      // A listen stream ended by the server gets the result that says so (SubscriptionsListenResult).
      for (const listener of [...stateless.listeners]) multiplexer.front.closeListener(listener, true);
      await upstream.stop();
      server.closeAllConnections();
      await serverClosed;
      log.info('shutdown_complete', {});
      log.flush();
    })();
    return closing;
  };
  if (pins === undefined || approvedFile === undefined) return { port, host: config.host, close };
  const reloadApproved = (): boolean => {
    try {
      pins.replace(loadApprovedFile(approvedFile));
    } catch (err) {
      log.warn('approved_set_refused', {
        file: approvedFile,
        error: describeError(err),
        hint: 'the approved set served before stays',
      });
      return false;
    }
    log.info('approved_set_loaded', { file: approvedFile, ...pins.summary() });
    // What each member may see may have changed: clients list again on these notices.
    multiplexer.noticeListsChanged();
    // Decided again under the new set, and logged, as at start (when the server is up).
    if (upstream.ready) {
      pins.survey(upstream.initResult?.capabilities ?? {}).catch((err: unknown) => {
        log.error('internal_error', { error: describeError(err) });
      });
    }
    return true;
  };
  return { port, host: config.host, close, reloadApproved };
}

/**
 * --allow-gateway: the default route's gateway, which is the Docker host seen from the container.
 * Connections relayed by docker-proxy (and the app's SSH tunnel, which dials the published port on
 * the host) arrive from it. Undefined, with a warning, when there is none to admit.
 */
function admittedGateway(config: ResolvedConfig, log: Logger): string | undefined {
  if (!config.allowGateway) return undefined;
  if (config.cidrs.length === 0) {
    log.info('allow_gateway_unused', { hint: 'without --allow-cidr every source is admitted already' });
    return undefined;
  }
  const found = readDefaultGateway(config.routeTablePath);
  if (found.address === undefined) {
    log.warn('allow_gateway_none', {
      ...(found.error === undefined ? {} : { error: found.error }),
      hint: 'no IPv4 default route: --allow-gateway admits nothing beyond --allow-cidr',
    });
  }
  return found.address;
}
