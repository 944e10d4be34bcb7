/**
 * The app's one client of a bridge, for deploy and health alike, always over the host's road (see
 * bridge-http.ts): `/readyz` and `/healthz` while a deploy waits, `initialize` + `tools/list` for its
 * connection test, and the monitor's probes through the auth layer with a member's token: the
 * authenticated `/status`, and an MCP `ping` on a session kept per instance (initialize once, then one
 * POST per sweep). Raw HTTP rather than an SDK client: two small requests per sweep is all a probe may
 * cost, and the same code then serves the test.
 */
import type http from 'node:http';
import { z } from 'zod';
import { httpCall, ProbeError } from './bridge-http';
import type { HttpAnswer } from './bridge-http';
import type { BridgeStatus } from '../health/observation';

export interface BridgeTarget {
  agent: http.Agent;
  /** The published port's address as the host itself dials it (127.0.0.1 for all interfaces). */
  address: string;
  port: number;
  /** SHA-256 (AA:BB:… form) of the certificate the bridge serves, or null for plain HTTP (--no-tls). */
  pin: string | null;
}

/** The token the monitor presents, and whose it is (for messages; never the token itself). */
export interface ProbeCredential {
  token: string;
  member: string;
}

const PROTOCOL_VERSION = '2025-11-25';

const StatusSchema = z.object({
  uptimeSeconds: z.number(),
  child: z.object({
    state: z.string(),
    pid: z.number().nullable(),
    restarts: z.number(),
    lastExit: z
      .object({
        code: z.number().nullable(),
        signal: z.string().nullable(),
        at: z.string(),
        error: z.string().optional(),
      })
      .nullable(),
  }),
  sessions: z.number(),
  requests: z.record(z.string(), z.object({ count: z.number(), errors: z.number() })),
  latencyMs: z.object({ p50: z.number().nullable(), p99: z.number().nullable(), window: z.number() }),
});

interface Session {
  id: string;
  protocolVersion: string;
  /** The session belongs to this bridge and token; a change of either starts a new one. */
  key: string;
}

export class BridgeClient {
  private readonly sessions = new Map<string, Session>();
  private nextId = 1;

  constructor(
    private readonly timeoutMs: number,
    private readonly clientVersion: string,
  ) {}

  /** GET /status. Throws ProbeError. */
  async status(target: BridgeTarget, credential: ProbeCredential): Promise<BridgeStatus> {
    const answer = await this.call(target, 'GET', '/status', {
      authorization: `Bearer ${credential.token}`,
    });
    refuseStatus(answer, credential);
    const parsed = StatusSchema.safeParse(parseJson(answer.body));
    if (!parsed.success)
      throw new ProbeError('protocol', 'the bridge answered /status in a form this app does not read');
    return parsed.data;
  }

  /**
   * An MCP ping on the instance's session, opening one first when there is none (or the bridge forgot
   * it). Resolves to the ping's round trip in ms; `sent` is called for each MCP request made (the bridge
   * counts them in its figures). Throws ProbeError.
   */
  async ping(
    instanceId: string,
    target: BridgeTarget,
    credential: ProbeCredential,
    sent: () => void,
  ): Promise<number> {
    const key = `${target.address}:${target.port}:${target.pin ?? ''}:${credential.token}`;
    let session = this.sessions.get(instanceId);
    if (session && session.key !== key) session = undefined;
    for (let attempt = 0; ; attempt++) {
      if (!session) {
        session = await this.open(target, credential, key, sent);
        this.sessions.set(instanceId, session);
      }
      const started = performance.now();
      sent();
      const answer = await this.rpc(target, credential, session, { method: 'ping' });
      const rtt = performance.now() - started;
      // 404: the bridge restarted or ended the session; open a new one, once.
      if (answer.status === 404 && attempt === 0) {
        this.sessions.delete(instanceId);
        session = undefined;
        continue;
      }
      refuseStatus(answer, credential);
      rpcResult(answer, 'ping');
      return rtt;
    }
  }

  /**
   * The HTTP status of an unauthenticated health path (/readyz, /healthz); null when nothing answers
   * yet. Throws ProbeError('tls') when the bridge presents another certificate than the pinned one.
   */
  async probePath(target: BridgeTarget, path: '/readyz' | '/healthz'): Promise<number | null> {
    try {
      return (await this.call(target, 'GET', path, {})).status;
    } catch (err) {
      if (err instanceof ProbeError && err.kind === 'tls') throw err;
      return null;
    }
  }

  /**
   * The connection test: initialize, then every page of tools/list, then the session is ended.
   * Resolves to the tool names. Throws ProbeError.
   */
  async listTools(target: BridgeTarget, credential: ProbeCredential): Promise<string[]> {
    const session = await this.open(target, credential, '', () => undefined);
    try {
      const names: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const answer = await this.rpc(target, credential, session, {
          method: 'tools/list',
          ...(cursor === undefined ? {} : { params: { cursor } }),
        });
        refuseStatus(answer, credential);
        const result = rpcResult(answer, 'tools/list') as { tools?: unknown; nextCursor?: unknown };
        if (!Array.isArray(result.tools)) {
          throw new ProbeError('protocol', "the bridge's answer to tools/list has no tools");
        }
        for (const tool of result.tools as { name?: unknown }[]) {
          if (typeof tool.name === 'string') names.push(tool.name);
        }
        cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
        if (cursor === undefined) return names;
      }
      throw new ProbeError('protocol', 'tools/list went on for more than 1000 pages');
    } finally {
      await this.call(target, 'DELETE', '/mcp', this.headers(credential, session)).catch(() => undefined);
    }
  }

  /** Forgets an instance's session (removed, or its container replaced). */
  forget(instanceId: string): void {
    this.sessions.delete(instanceId);
  }

  /** Ends the session of an instance at its bridge (best effort) so it does not wait out its idle time. */
  async close(instanceId: string, target: BridgeTarget, credential: ProbeCredential): Promise<void> {
    const session = this.sessions.get(instanceId);
    this.sessions.delete(instanceId);
    if (!session) return;
    await this.call(target, 'DELETE', '/mcp', this.headers(credential, session)).catch(() => undefined);
  }

  private async open(
    target: BridgeTarget,
    credential: ProbeCredential,
    key: string,
    sent: () => void,
  ): Promise<Session> {
    sent();
    const answer = await this.call(
      target,
      'POST',
      '/mcp',
      this.headers(credential, null),
      JSON.stringify({
        jsonrpc: '2.0',
        id: this.nextId++,
        method: 'initialize',
        params: {
          protocolVersion: PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: 'mcp-fleet-health', version: this.clientVersion },
        },
      }),
    );
    refuseStatus(answer, credential);
    const result = rpcResult(answer, 'initialize') as { protocolVersion?: unknown };
    const id = answer.headers['mcp-session-id'];
    if (typeof id !== 'string' || id === '') {
      throw new ProbeError('protocol', 'the bridge opened no MCP session (no Mcp-Session-Id)');
    }
    const version = typeof result.protocolVersion === 'string' ? result.protocolVersion : PROTOCOL_VERSION;
    const session = { id, protocolVersion: version, key };
    await this.call(
      target,
      'POST',
      '/mcp',
      this.headers(credential, session),
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
    return session;
  }

  private rpc(
    target: BridgeTarget,
    credential: ProbeCredential,
    session: Session,
    message: { method: string; params?: Record<string, unknown> },
  ): Promise<HttpAnswer> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, ...message });
    return this.call(target, 'POST', '/mcp', this.headers(credential, session), body);
  }

  private headers(credential: ProbeCredential, session: Session | null): Record<string, string> {
    return {
      authorization: `Bearer ${credential.token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(session ? { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion } : {}),
    };
  }

  private call(
    target: BridgeTarget,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<HttpAnswer> {
    return httpCall({
      agent: target.agent,
      address: target.address,
      port: target.port,
      pin: target.pin,
      method,
      path,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: this.timeoutMs,
    });
  }
}

/** Throws a worded ProbeError for the answers that mean the monitor itself was turned away. */
function refuseStatus(answer: HttpAnswer, credential: ProbeCredential): void {
  switch (answer.status) {
    case 401:
      throw new ProbeError(
        'unauthorized',
        `the bridge refuses the token of member "${credential.member}" (HTTP 401): the container runs with other members than MCP Fleet holds; deploy it again`,
      );
    case 403:
      throw new ProbeError(
        'forbidden',
        `the bridge refuses the app's address (HTTP 403): its allowlist does not admit the host itself; deploy it again (deploy starts allowlisted bridges with --allow-gateway)`,
      );
    case 429:
      throw new ProbeError(
        'rate_limited',
        'the bridge is turning away this source after too many failed logins (HTTP 429)',
      );
    default:
      if (answer.status >= 400 && answer.status !== 404 && answer.status !== 503) {
        throw new ProbeError('http', `the bridge answered HTTP ${answer.status}`);
      }
  }
}

/** The result of a JSON-RPC answer (JSON or one SSE event). Throws ProbeError for an error or nonsense. */
function rpcResult(answer: HttpAnswer, method: string): Record<string, unknown> {
  const type = String(answer.headers['content-type'] ?? '');
  const text = type.startsWith('text/event-stream') ? lastSseData(answer.body) : answer.body;
  const message = parseJson(text) as { result?: unknown; error?: { message?: unknown } } | null;
  if (message && typeof message.error === 'object' && message.error !== null) {
    const why = typeof message.error.message === 'string' ? message.error.message : 'an error';
    throw new ProbeError('unavailable', `the bridge answered ${method} with: ${why.slice(0, 300)}`);
  }
  if (answer.status >= 400) throw new ProbeError('http', `the bridge answered HTTP ${answer.status}`);
  if (!message || typeof message.result !== 'object' || message.result === null) {
    throw new ProbeError('protocol', `the bridge's answer to ${method} is not JSON-RPC`);
  }
  return message.result as Record<string, unknown>;
}

function lastSseData(body: string): string {
  const data = body
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim());
  return data[data.length - 1] ?? '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
