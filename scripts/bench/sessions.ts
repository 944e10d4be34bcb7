// Two kinds of client per transport. "sdk": @modelcontextprotocol/sdk's Client, what agents use.
// "raw": the same protocol by hand (keep-alive node:http, line-delimited stdio), so little client
// CPU sits in the figure and what remains is the bridge's own cost. Both run every check the same way.
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import {
  Client as StatelessClient,
  StreamableHTTPClientTransport as StatelessTransport,
} from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/**
 * "sdk" and "raw" speak 2025-era sessions (initialize, Mcp-Session-Id); "v2" is the v2 SDK client
 * (@modelcontextprotocol/client) pinned to 2026-07-28, and "raw-stateless" the same revision by hand:
 * one POST per call with the `_meta` envelope and the standard headers, no session.
 */
export type ClientKind = 'sdk' | 'raw' | 'v2' | 'raw-stateless';

/** One MCP session that can call tools/call echo. */
export interface EchoSession {
  /** Resolves to the first text of the answer; rejects on an error answer or a transport failure. */
  echo(message: string): Promise<string | undefined>;
  /** Ends the session (DELETE over HTTP, as a well-behaved client does) and frees it. */
  close(): Promise<void>;
  /** The server child, for a stdio session. */
  pid?: number;
}

const PROTOCOL_VERSION = '2025-06-18';
const clientInfo = { name: 'mcp-fleet-bench', version: '1.0.0' };

interface JsonRpcAnswer {
  id?: number | string;
  result?: { content?: { text?: unknown }[]; protocolVersion?: string };
  error?: { message?: string };
}

function firstText(answer: JsonRpcAnswer): string | undefined {
  if (answer.error) throw new Error(`error answer: ${answer.error.message ?? 'no message'}`);
  const text = answer.result?.content?.[0]?.text;
  return typeof text === 'string' ? text : undefined;
}

export function sdkSession(client: Client, pid?: number): EchoSession {
  return {
    ...(pid === undefined ? {} : { pid }),
    echo: async (message) => {
      const result = await client.callTool({ name: 'echo', arguments: { message } });
      const content = Array.isArray(result.content) ? (result.content as { text?: unknown }[]) : [];
      const text = content[0]?.text;
      return typeof text === 'string' ? text : undefined;
    },
    close: async () => {
      // Without the DELETE, proxies that keep a child per session hold it until their idle
      // timeout, and later phases would measure the leftovers.
      if (client.transport instanceof StreamableHTTPClientTransport) {
        await client.transport.terminateSession().catch(() => undefined);
      }
      await client.close().catch(() => undefined);
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
// One keep-alive HTTPS agent per trusted certificate, so the sockets (and TLS sessions) are reused as
// the HTTP agent's are.
const httpsAgents = new Map<string, https.Agent>();

function httpsAgent(ca: string): https.Agent {
  let found = httpsAgents.get(ca);
  if (!found) {
    found = new https.Agent({ keepAlive: true, maxSockets: Infinity, ca });
    httpsAgents.set(ca, found);
  }
  return found;
}

interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** For an https:// endpoint: the certificate to trust (the bench's own, self-signed). */
export interface TlsTrust {
  ca: string;
}

function request(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
  tls?: TlsTrust,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    };
    const req =
      url.protocol === 'https:'
        ? https.request(url, { method, headers, agent: httpsAgent(tls?.ca ?? '') }, onResponse)
        : http.request(url, { method, headers, agent }, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}

/** The JSON-RPC answer with this id, from a JSON body or from an SSE stream's data lines. */
function answerFrom(reply: HttpReply, id: number): JsonRpcAnswer {
  if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 120)}`);
  const type = reply.headers['content-type'] ?? '';
  const messages: JsonRpcAnswer[] = type.startsWith('text/event-stream')
    ? reply.body
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => JSON.parse(line.slice(5)) as JsonRpcAnswer)
    : [JSON.parse(reply.body) as JsonRpcAnswer];
  const answer = messages.find((message) => message.id === id);
  if (answer === undefined) throw new Error(`no answer for request ${id} in ${reply.body.slice(0, 120)}`);
  return answer;
}

/**
 * Streamable HTTP by hand: initialize, initialized, then one POST per call on a kept-alive socket.
 * An https:// endpoint is reached over TLS, trusting `tls.ca`.
 */
export async function rawHttpSession(
  endpoint: string,
  auth: Record<string, string>,
  tls?: TlsTrust,
): Promise<EchoSession> {
  const url = new URL(endpoint);
  const send = (method: string, headers: Record<string, string>, body?: string) =>
    request(url, method, headers, body, tls);
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...auth };
  let nextId = 1;
  const init = await send(
    'POST',
    base,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo },
    }),
  );
  const negotiated = answerFrom(init, 0).result?.protocolVersion ?? PROTOCOL_VERSION;
  const sessionId = init.headers['mcp-session-id'];
  const headers: Record<string, string> = {
    ...base,
    'mcp-protocol-version': negotiated,
    ...(typeof sessionId === 'string' ? { 'mcp-session-id': sessionId } : {}),
  };
  const initialized = await send(
    'POST',
    headers,
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  );
  if (initialized.status !== 202 && initialized.status !== 200) {
    throw new Error(`notifications/initialized: HTTP ${initialized.status}`);
  }
  return {
    echo: async (message) => {
      const id = nextId++;
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message } },
      });
      return firstText(answerFrom(await send('POST', headers, body), id));
    },
    close: async () => {
      await send('DELETE', headers).catch(() => undefined);
    },
  };
}

/** stdio by hand: one child, line-delimited JSON-RPC, answers matched by id. */
export async function rawStdioSession(command: string, args: string[]): Promise<EchoSession> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const pending = new Map<
    number,
    { resolve: (answer: JsonRpcAnswer) => void; reject: (err: Error) => void }
  >();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as JsonRpcAnswer;
    if (typeof message.id !== 'number') return;
    pending.get(message.id)?.resolve(message);
    pending.delete(message.id);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`server exited with ${code}`));
    pending.clear();
  });
  let nextId = 0;
  const call = (method: string, params: unknown): Promise<JsonRpcAnswer> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  await call('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  return {
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    echo: async (message) => firstText(await call('tools/call', { name: 'echo', arguments: { message } })),
    close: async () => {
      child.stdin.end();
      child.kill();
    },
  };
}

/** The v2 SDK client, pinned to 2026-07-28: it probes server/discover once, then sends stateless calls. */
export async function statelessSdkSession(
  endpoint: string,
  headers: Record<string, string>,
): Promise<EchoSession> {
  const client = new StatelessClient(clientInfo, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StatelessTransport(new URL(endpoint), { requestInit: { headers } }));
  return {
    echo: async (message) => {
      const result = await client.callTool({ name: 'echo', arguments: { message } });
      const content = Array.isArray(result.content) ? (result.content as { text?: unknown }[]) : [];
      const text = content[0]?.text;
      return typeof text === 'string' ? text : undefined;
    },
    close: () => client.close().catch(() => undefined),
  };
}

/** 2026-07-28 by hand: nothing to open; every call carries its own envelope and headers. */
export function rawStatelessSession(endpoint: string, auth: Record<string, string>): EchoSession {
  const url = new URL(endpoint);
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': 'echo',
    ...auth,
  };
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': clientInfo,
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  let nextId = 1;
  return {
    echo: async (message) => {
      const id = nextId++;
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message }, _meta: meta },
      });
      return firstText(answerFrom(await request(url, 'POST', headers, body), id));
    },
    close: () => Promise.resolve(),
  };
}
