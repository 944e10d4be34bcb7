import type { BridgeMode } from './cli-args';
import type { LimitsReport } from '../access/fair-share-report';
import type { Metrics } from './metrics';
import type { SessionRegistry } from '../core/sessions';
import type { TlsStatus } from '../front-door/tls';
import type { Upstream } from '../child/upstream';
import { BRIDGE_VERSION } from './version';

/** The 2026-07-28 side, which has no sessions to count. */
export interface StatelessFigures {
  /** Stateless requests whose call the MCP server is working on. */
  inFlight: number;
  /** Stateless calls waiting for their client's inputResponses (input_required rounds). */
  waitingForInput: number;
  listenStreams: number;
}

/** What is registered for requests in flight; each returns to 0 once they are answered or refused. */
export interface InFlightFigures {
  /** Client requests at the server (the pending table). */
  calls: number;
  /** Sessions with a request at the server (what server requests are attributed by). */
  sessions: number;
  /** 2026-07-28 requests the bridge keeps state for (at the server, or waiting for input). */
  statelessCallers: number;
  /** Server requests (sampling, elicitation, roots) sent to a session and not answered yet. */
  serverRequests: number;
}

export interface HealthSources {
  upstream: Upstream;
  sessions: SessionRegistry;
  metrics: Metrics;
  mode: BridgeMode;
  startedAt: number;
  stateless?: () => StatelessFigures;
  inFlight?: () => InFlightFigures;
  /** Whether the bridge serves HTTPS, and with which certificate. */
  tls?: TlsStatus;
  /** Per-member fair share (limits, use, 429s) and connection counts (fair-share-report.ts). */
  limits?: LimitsReport;
}

const NO_STATELESS: StatelessFigures = { inFlight: 0, waitingForInput: 0, listenStreams: 0 };
const NO_IN_FLIGHT: InFlightFigures = { calls: 0, sessions: 0, statelessCallers: 0, serverRequests: 0 };
const NO_TLS: TlsStatus = { enabled: false, notAfter: null, fingerprint256: null };

/**
 * Liveness: the bridge answers, and its server is not stuck in a crash loop. A bridge whose child keeps
 * dying is not healthy however well the HTTP side works, so three failed starts in a row turn it red.
 */
export function liveness(s: HealthSources): { status: number; body: string } {
  const crashLooping = s.upstream.state !== 'ready' && s.upstream.consecutiveFailures >= 3;
  const stopped = s.upstream.state === 'stopped';
  return crashLooping || stopped ? { status: 503, body: 'unhealthy' } : { status: 200, body: 'ok' };
}

export function readiness(s: HealthSources): { status: number; body: string } {
  return s.upstream.ready ? { status: 200, body: 'ready' } : { status: 503, body: 'not ready' };
}

export function statusReport(s: HealthSources): Record<string, unknown> {
  const now = Date.now();
  const up = s.upstream;
  const latency = s.metrics.percentiles();
  const memory = process.memoryUsage();
  return {
    version: BRIDGE_VERSION,
    mode: s.mode,
    uptimeSeconds: Math.round((now - s.startedAt) / 1000),
    child: {
      state: up.state,
      pid: up.pid ?? null,
      uptimeSeconds: up.ready && up.startedAt !== undefined ? Math.round((now - up.startedAt) / 1000) : 0,
      restarts: up.restarts,
      protocolVersion: up.initResult?.protocolVersion ?? null,
      lastExit: up.lastExit ?? null,
    },
    sessions: s.sessions.size,
    stateless: s.stateless?.() ?? NO_STATELESS,
    inFlight: s.inFlight?.() ?? NO_IN_FLIGHT,
    memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
    requests: s.metrics.methodCounts(),
    latencyMs: { p50: latency.p50, p99: latency.p99, window: latency.window },
    auth: { failures: s.metrics.authFailures, rateLimited: s.metrics.rateLimited },
    serverRequestsRefused: s.metrics.serverRequestsRefused,
    tls: s.tls ?? NO_TLS,
    ...s.limits?.status(),
  };
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The same figures in the Prometheus text exposition format (version 0.0.4). */
export function prometheusText(s: HealthSources): string {
  const now = Date.now();
  const up = s.upstream;
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('mcp_bridge_uptime_seconds', 'gauge', 'Seconds since the bridge started.', [
    ['', Math.round((now - s.startedAt) / 1000)],
  ]);
  metric('mcp_bridge_child_up', 'gauge', '1 while the MCP server process is initialized.', [
    ['', up.ready ? 1 : 0],
  ]);
  metric('mcp_bridge_child_pid', 'gauge', 'Process id of the MCP server (0 when none).', [['', up.pid ?? 0]]);
  metric('mcp_bridge_child_restarts_total', 'counter', 'Restarts of the MCP server process.', [
    ['', up.restarts],
  ]);
  const exitAt = up.lastExit ? Date.parse(up.lastExit.at) / 1000 : 0;
  metric(
    'mcp_bridge_child_last_exit_timestamp_seconds',
    'gauge',
    'When the MCP server last exited (0 if never).',
    [['', exitAt]],
  );
  metric('mcp_bridge_sessions', 'gauge', 'Open MCP sessions.', [['', s.sessions.size]]);
  const stateless = s.stateless?.() ?? NO_STATELESS;
  metric('mcp_bridge_stateless_in_flight', 'gauge', 'Stateless (2026-07-28) requests at the server.', [
    ['', stateless.inFlight],
  ]);
  metric(
    'mcp_bridge_input_waits',
    'gauge',
    "Stateless requests waiting for their client's input (input_required).",
    [['', stateless.waitingForInput]],
  );
  metric('mcp_bridge_listen_streams', 'gauge', 'Open subscriptions/listen streams.', [
    ['', stateless.listenStreams],
  ]);
  const inFlight = s.inFlight?.() ?? NO_IN_FLIGHT;
  metric('mcp_bridge_pending_calls', 'gauge', 'Client requests the MCP server is working on.', [
    ['', inFlight.calls],
  ]);
  metric(
    'mcp_bridge_server_requests_waiting',
    'gauge',
    "Server requests (sampling, elicitation, roots) waiting for a session's answer.",
    [['', inFlight.serverRequests]],
  );
  metric('mcp_bridge_resident_memory_bytes', 'gauge', "The bridge process's resident set size.", [
    ['', process.memoryUsage.rss()],
  ]);
  const requests: [string, number][] = [];
  for (const [method, outcomes] of s.metrics.byMethod) {
    for (const [outcome, n] of outcomes)
      requests.push([`{method="${escapeLabel(method)}",outcome="${escapeLabel(outcome)}"}`, n]);
  }
  metric('mcp_bridge_requests_total', 'counter', 'Client requests by method and outcome.', requests);
  const latency = s.metrics.percentiles();
  metric(
    'mcp_bridge_request_duration_seconds',
    'summary',
    'Request latency through the bridge over recent requests.',
    [
      ['{quantile="0.5"}', (latency.p50 ?? 0) / 1000],
      ['{quantile="0.99"}', (latency.p99 ?? 0) / 1000],
    ],
  );
  metric('mcp_bridge_auth_failures_total', 'counter', 'Requests refused for a missing or wrong token.', [
    ['', s.metrics.authFailures],
  ]);
  metric(
    'mcp_bridge_rate_limited_total',
    'counter',
    'Requests refused because their source failed auth too often.',
    [['', s.metrics.rateLimited]],
  );
  metric(
    'mcp_bridge_server_requests_refused_total',
    'counter',
    'Server-to-client requests the bridge could not route.',
    [['', s.metrics.serverRequestsRefused]],
  );
  const tls = s.tls ?? NO_TLS;
  metric('mcp_bridge_tls_enabled', 'gauge', '1 when the bridge serves HTTPS itself (--tls-cert).', [
    ['', tls.enabled ? 1 : 0],
  ]);
  // Absent without TLS: no certificate, no expiry (a 0 would read as long expired).
  if (tls.notAfter !== null) {
    metric(
      'mcp_bridge_tls_not_after_timestamp_seconds',
      'gauge',
      "When the bridge's TLS certificate expires (notAfter).",
      [['', Date.parse(tls.notAfter) / 1000]],
    );
  }
  lines.push(...(s.limits?.prometheus() ?? []));
  return lines.join('\n') + '\n';
}
