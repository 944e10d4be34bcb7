/** Shared pieces of the bridge's tests: a bridge over a real npm MCP server, clients, raw HTTP. */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startBridge, type BridgeOptions, type RunningBridge } from './bridge';

const require = createRequire(import.meta.url);

/** The entry script of an installed MCP server package, run with this Node. */
export function serverCommand(pkg: 'server-everything' | 'server-memory' | 'server-sequential-thinking'): {
  command: string;
  args: string[];
} {
  const script = require.resolve(`@modelcontextprotocol/${pkg}/dist/index.js`);
  // server-everything picks its transport from its first argument.
  return { command: process.execPath, args: pkg === 'server-everything' ? [script, 'stdio'] : [script] };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface TestBridge extends RunningBridge {
  url: string;
  logs: string[];
}

/** Starts a bridge on 127.0.0.1 with a random port, capturing its log lines. */
export async function startTestBridge(
  options: Partial<BridgeOptions> & Pick<BridgeOptions, 'command'>,
): Promise<TestBridge> {
  const logs: string[] = [];
  const bridge = await startBridge({
    port: 0,
    host: '127.0.0.1',
    logWrite: (chunk) => logs.push(...chunk.split('\n').filter((l) => l !== '')),
    ...options,
  });
  const running = Object.assign(bridge, { url: `http://127.0.0.1:${bridge.port}/mcp`, logs });
  if (isEverything(options.args)) await settledStartup(running);
  return running;
}

function isEverything(args: readonly string[] | undefined): boolean {
  return (args ?? []).some((a) => a.includes('server-everything'));
}

/**
 * server-everything asks for roots/list 350 ms after it is initialized, on a timer of its own. In
 * Dedicated mode the bridge cannot tell that request from one caused by a call, so a test whose call is
 * in flight at that moment would see the call fail with -32021 (as CI once did); in Shared mode the
 * bridge answers it itself (server_request_answered). Waiting here until the bridge has refused or
 * answered that start-up request keeps every suite's calls clear of it.
 */
async function settledStartup(bridge: TestBridge): Promise<void> {
  await waitFor(
    () =>
      bridge.logs.some(
        (l) =>
          (l.includes('"server_request_refused"') || l.includes('"server_request_answered"')) &&
          l.includes('roots/list'),
      ),
    "server-everything's start-up roots/list request to be refused or answered",
  );
}

export interface ClientCaps {
  sampling?: boolean;
  elicitation?: boolean;
  roots?: boolean;
}

/** A real SDK client over Streamable HTTP, connected and initialized. */
export async function connectClient(
  url: string,
  token: string,
  caps: ClientCaps = {},
  name = 'test-client',
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const capabilities: Record<string, object> = {};
  if (caps.sampling) capabilities.sampling = {};
  if (caps.elicitation) capabilities.elicitation = {};
  if (caps.roots) capabilities.roots = {};
  const client = new Client({ name, version: '1.0.0' }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, transport };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** One HTTP request with fetch, body read to the end. */
export async function raw(
  url: string,
  init: RequestInit & { headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export interface NodeReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Whether the request went out on a kept-alive socket that carried an earlier one. */
  reusedSocket: boolean;
}

/**
 * One HTTP request with node:http, for what fetch cannot do: leave from a chosen local address (any
 * 127.x.y.z reaches a loopback bind on Linux, so one test can play several sources) or share a
 * keep-alive agent.
 */
export function requestFrom(
  url: string,
  options: {
    localAddress?: string;
    agent?: http.Agent;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<NodeReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: options.agent ?? false,
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            reusedSocket: req.reusedSocket,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** Opens a session with plain HTTP and returns its id. */
export async function openRawSession(url: string, token: string): Promise<string> {
  const res = await raw(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify(INITIALIZE),
  });
  const id = res.headers.get('mcp-session-id');
  if (res.status !== 200 || !id) throw new Error(`initialize failed: ${res.status} ${res.text}`);
  await raw(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, 'mcp-session-id': id },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  return id;
}

/** Polls until check() is true; for states that change in the background (a restart, say). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The conformance fixture server (src-bridge/fixtures), run with this Node. */
export function fixtureCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [require.resolve('./fixtures/conformance-server.mjs')] };
}

export const STATELESS = '2026-07-28';

export interface StatelessReply {
  status: number;
  headers: Headers;
  /** The JSON-RPC answer (from a JSON body, or the last answer on an event stream). */
  body: {
    id?: unknown;
    result?: Record<string, unknown>;
    error?: { code: number; message: string; data?: unknown };
  };
  /** Every message of an event stream, answer included; just the answer for a JSON body. */
  messages: Record<string, unknown>[];
}

/**
 * One 2026-07-28 request by hand: the `_meta` envelope and the MCP-Protocol-Version, Mcp-Method and
 * Mcp-Name headers as a conforming client sends them, each of which a test may override or drop.
 */
export async function statelessRequest(
  url: string,
  token: string,
  method: string,
  params: Record<string, unknown> = {},
  options: {
    id?: number | string;
    meta?: Record<string, unknown>;
    headers?: Record<string, string | null>;
  } = {},
): Promise<StatelessReply> {
  const meta = {
    'io.modelcontextprotocol/protocolVersion': STATELESS,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-stateless', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
    ...options.meta,
  };
  for (const [key, value] of Object.entries(meta)) if (value === null) delete meta[key as keyof typeof meta];
  const name = method === 'resources/read' ? params.uri : params.name;
  const headers: Record<string, string | null> = {
    ...MCP_HEADERS,
    authorization: `Bearer ${token}`,
    'mcp-protocol-version': STATELESS,
    'mcp-method': method,
    ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
    ...options.headers,
  };
  const sent: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (value !== null) sent[key] = value;
  const res = await fetch(url, {
    method: 'POST',
    headers: sent,
    body: JSON.stringify({ jsonrpc: '2.0', id: options.id ?? 1, method, params: { ...params, _meta: meta } }),
  });
  const text = await res.text();
  const messages = (res.headers.get('content-type') ?? '').startsWith('text/event-stream')
    ? text
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>)
    : text === ''
      ? []
      : [JSON.parse(text) as Record<string, unknown>];
  const answer = [...messages].reverse().find((m) => 'result' in m || 'error' in m) ?? {};
  return { status: res.status, headers: res.headers, body: answer, messages };
}

/** What reached the fixture server so far (its fixture_seen tool), asked over a 2026-07-28 request. */
export async function fixtureSeen(
  url: string,
  token: string,
): Promise<{
  methods: Record<string, number>;
  toolCalls: string[];
  asks: { id: string; method: string; outcome: string }[];
}> {
  const reply = await statelessRequest(url, token, 'tools/call', { name: 'fixture_seen', arguments: {} });
  const content = reply.body.result?.content as { text: string }[] | undefined;
  return JSON.parse(content?.[0]?.text ?? '{}') as Awaited<ReturnType<typeof fixtureSeen>>;
}

/**
 * A loopback HTTP proxy that adds `Authorization: Bearer <token>` to every request and changes nothing
 * else (Host and Origin pass through), for clients that cannot send the header themselves, such as the
 * conformance suite. The bridge itself has no switch that turns authentication off.
 */
export async function startAuthProxy(
  target: () => number,
  token: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const proxy = http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: target(),
        path: req.url,
        method: req.method,
        headers: { ...req.headers, authorization: `Bearer ${token}` },
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
