/** Shared pieces of the bridge's tests: a bridge over a real npm MCP server, clients, raw HTTP. */
import { createHash } from 'node:crypto';
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
  return Object.assign(bridge, { url: `http://127.0.0.1:${bridge.port}/mcp`, logs });
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
