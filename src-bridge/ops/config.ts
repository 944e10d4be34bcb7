import { parseCidr, type Cidr } from '../front-door/cidr';
import type { BridgeMode } from './cli-args';
import { childEnvironment } from '../child/env-file';
import { BridgeError } from '../errors';
import type { LogLevel } from './log';
import { defaultMaxConnections, fdSoftLimit } from '../front-door/fd-limit';
import { buildMembers, type Member, type MemberSpec } from '../access/members';
import { checkRoot, type Root } from '../core/shared-roots';
import { loadTlsFiles, type TlsFiles, type TlsMaterial } from '../front-door/tls';

/** Limits and timings; every one has a default suited to a container serving a team. */
export interface BridgeLimits {
  maxBodyBytes: number;
  /** Objects and arrays nested deeper than this in a client's message are refused before anything else. */
  maxJsonDepth: number;
  /** Time allowed for a client to send its request headers. */
  headersTimeoutMs: number;
  /** Time allowed for a client to send a whole request, body included. */
  requestTimeoutMs: number;
  /** The longest the bridge waits for the child to answer one client request. */
  upstreamTimeoutMs: number;
  readyWaitMs: number;
  initTimeoutMs: number;
  internalTimeoutMs: number;
  maxSessions: number;
  sessionIdleMs: number;
  keepAliveMs: number;
  replayEvents: number;
  replayBytes: number;
  authMaxFailures: number;
  authWindowMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  stableMs: number;
  stopGraceMs: number;
  drainMs: number;
  /** How long a 2026-07-28 request waits for its client's inputResponses (an input_required round). */
  inputWaitMs: number;
  /** Server requests arriving this close together are asked in one input_required result. */
  inputBatchMs: number;
  maxInputWaits: number;
  maxInputWaitsPerMember: number;
  /** Per member, unless its members-file entry says otherwise (--member-sessions): sessions and listen streams. */
  memberSessions: number;
  /** Per member (--member-inflight): requests in flight, and request bodies arriving, at once. */
  memberInflight: number;
  /** Per member (--member-rps): requests a second; a token bucket holding twice as many. */
  memberRps: number;
  /** Characters of a member's messages waiting for the child's stdin before its next one is refused. */
  memberQueueChars: number;
  /**
   * Characters of a member's requests at the child and not yet answered, while another member uses it
   * too; past it (one request may exceed it) its next request waits in its lane (stdin-queue.ts).
   */
  memberChildChars: number;
  /** Open connections at once (--max-connections); default 512, or half the descriptor limit if lower. */
  maxConnections: number;
  /** Open connections from one source (--max-connections-per-source); default a quarter of maxConnections. */
  maxConnectionsPerSource: number;
  /** Connections on which no request has authenticated yet; default a quarter of maxConnections. */
  maxUnauthenticated: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: BridgeLimits = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxJsonDepth: 128,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  upstreamTimeoutMs: 15 * 60_000,
  readyWaitMs: 10_000,
  initTimeoutMs: 120_000,
  internalTimeoutMs: 30_000,
  maxSessions: 1000,
  sessionIdleMs: 30 * 60_000,
  keepAliveMs: 25_000,
  replayEvents: 256,
  replayBytes: 256 * 1024,
  authMaxFailures: 10,
  authWindowMs: 60_000,
  backoffInitialMs: 250,
  backoffMaxMs: 30_000,
  stableMs: 60_000,
  stopGraceMs: 2_000,
  drainMs: 3_000,
  inputWaitMs: 5 * 60_000,
  inputBatchMs: 20,
  maxInputWaits: 256,
  maxInputWaitsPerMember: 32,
  memberSessions: 32,
  memberInflight: 16,
  memberRps: 50,
  memberQueueChars: 8 * 1024 * 1024,
  memberChildChars: 1024 * 1024,
  maxConnections: 512,
  maxConnectionsPerSource: 128,
  maxUnauthenticated: 128,
  keepAliveTimeoutMs: 5_000,
};

/** What startBridge takes: the CLI's flags, already read from their files. */
export interface BridgeOptions {
  port: number;
  /** Default 0.0.0.0: inside a container the published port only reaches a non-loopback bind. */
  host?: string;
  tokenSha256?: readonly string[];
  members?: readonly MemberSpec[];
  /**
   * The approved-set file (--approved): only the tools, prompts and resource templates whose definitions
   * it approves are served. Read at start, and again on RunningBridge.reloadApproved().
   */
  approvedFile?: string;
  mode?: BridgeMode;
  allowCidr?: readonly string[];
  /**
   * Also admit the container's default gateway (the Docker host, where docker-proxy and the app's SSH
   * tunnel arrive from); only meaningful beside allowCidr.
   */
  allowGateway?: boolean;
  /** Where allowGateway reads the default route; /proc/net/route unless a test says otherwise. */
  routeTablePath?: string;
  /** Peers whose X-Forwarded-For names the client (reverse proxies in front of the bridge). */
  trustedProxy?: readonly string[];
  allowOrigin?: readonly string[];
  /** Serve HTTPS with this certificate and key (PEM files, read and checked at start). */
  tls?: TlsFiles;
  /** Shared mode: what the bridge answers the server's roots/list with (--root); no member is asked. */
  roots?: readonly Root[];
  /** The child's variables (what --env-file holds); the bridge's own environment is not passed on. */
  env?: Record<string, string>;
  command: string;
  args?: readonly string[];
  logLevel?: LogLevel;
  /** Receives log lines; defaults to stdout. */
  logWrite?: (chunk: string) => void;
  limits?: Partial<BridgeLimits>;
}

export interface ResolvedConfig {
  port: number;
  host: string;
  members: Member[];
  mode: BridgeMode;
  cidrs: Cidr[];
  allowGateway: boolean;
  routeTablePath: string;
  trustedProxies: Cidr[];
  origins: string[];
  tls: TlsMaterial | undefined;
  roots: Root[];
  child: { command: string; args: string[]; env: Record<string, string> };
  limits: BridgeLimits;
}

/** Validates options into a config; throws BridgeError with an operator-readable sentence. */
export function resolveConfig(options: BridgeOptions): ResolvedConfig {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new BridgeError('invalid_input', `port ${options.port} is not a port number (0-65535)`);
  }
  if (options.command === '') throw new BridgeError('invalid_input', 'missing the server command');
  const mode = options.mode ?? 'shared';
  const members = buildMembers(options.members ?? [], options.tokenSha256 ?? []);
  if (mode === 'dedicated' && members.length !== 1) {
    throw new BridgeError(
      'invalid_input',
      `--mode dedicated serves exactly one member; ${members.length} are configured`,
    );
  }
  for (const origin of options.allowOrigin ?? []) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+\/?$/i.test(origin)) {
      throw new BridgeError(
        'invalid_input',
        `--allow-origin ${JSON.stringify(origin)} must look like https://app.example.com or be *`,
      );
    }
  }
  if (mode === 'dedicated' && (options.roots ?? []).length > 0) {
    throw new BridgeError(
      'invalid_input',
      "--root is for --mode shared: in dedicated mode the member's own client answers the server's roots/list",
    );
  }
  const roots = (options.roots ?? []).map(checkRoot);
  const limits = connectionLimits({ ...DEFAULT_LIMITS, ...options.limits }, options.limits ?? {});
  return {
    port: options.port,
    host: options.host ?? '0.0.0.0',
    members,
    mode,
    cidrs: (options.allowCidr ?? []).map((text) => parseCidr(text)),
    allowGateway: options.allowGateway ?? false,
    routeTablePath: options.routeTablePath ?? '/proc/net/route',
    trustedProxies: (options.trustedProxy ?? []).map((text) => parseCidr(text, '--trusted-proxy')),
    origins: [...(options.allowOrigin ?? [])],
    roots,
    // Read last: every cheaper mistake is reported first, and nothing listens before this passes.
    tls: options.tls ? loadTlsFiles(options.tls) : undefined,
    child: {
      command: options.command,
      args: [...(options.args ?? [])],
      env: childEnvironment(options.env ?? {}, process.env),
    },
    limits,
  };
}

/**
 * Derives the connection caps the caller left out from the global one, which itself defaults to what
 * the descriptor limit allows; refuses caps and fair-share limits that cannot work (zero, or a source
 * allowed more than everyone).
 */
function connectionLimits(limits: BridgeLimits, given: Partial<BridgeLimits>): BridgeLimits {
  const max = given.maxConnections ?? defaultMaxConnections(fdSoftLimit());
  const quarter = Math.max(1, Math.floor(max / 4));
  const out = {
    ...limits,
    maxConnections: max,
    maxConnectionsPerSource: given.maxConnectionsPerSource ?? quarter,
    maxUnauthenticated: given.maxUnauthenticated ?? quarter,
  };
  const whole = [
    'maxConnections',
    'maxConnectionsPerSource',
    'maxUnauthenticated',
    'memberSessions',
    'memberInflight',
    'memberQueueChars',
    'memberChildChars',
  ] as const;
  for (const key of whole) {
    if (!Number.isInteger(out[key]) || out[key] < 1)
      throw new BridgeError('invalid_input', `${key} must be a whole number of at least 1`);
  }
  if (!(out.memberRps > 0)) throw new BridgeError('invalid_input', 'memberRps must be a number above 0');
  if (out.maxConnectionsPerSource > max)
    throw new BridgeError(
      'invalid_input',
      `--max-connections-per-source ${out.maxConnectionsPerSource} is above --max-connections ${max}`,
    );
  return out;
}
