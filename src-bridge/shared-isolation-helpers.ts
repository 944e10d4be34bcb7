/** Pieces of shared-isolation.test.ts: raw calls, hostile bodies, and the bridge's in-flight figures. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MCP_HEADERS, STATELESS, raw, waitFor, type TestBridge } from './test-helpers';

export const NOTHING_IN_FLIGHT = { calls: 0, sessions: 0, statelessCallers: 0, serverRequests: 0 };

export function text(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] } | undefined)?.content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

/**
 * Ends an SDK client's session at the bridge as well: close() alone leaves it open there until it idles
 * out, holding its buffers, which would count against the memory check at the end of the suite.
 */
export async function end(connected: {
  client: { close(): Promise<void> };
  transport: { terminateSession(): Promise<void> };
}): Promise<void> {
  await connected.transport.terminateSession();
  await connected.client.close();
}

/** DELETE for a session opened by hand. */
export async function endRaw(bridge: TestBridge, token: string, session: string): Promise<void> {
  const res = await raw(bridge.url, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}`, 'mcp-session-id': session },
  });
  assert.equal(res.status, 200);
}

/** What /status says is registered for requests in flight. */
export async function inFlight(bridge: TestBridge, token: string): Promise<typeof NOTHING_IN_FLIGHT> {
  const res = await raw(bridge.url.replace(/\/mcp$/, '/status'), {
    headers: { authorization: `Bearer ${token}` },
  });
  return (JSON.parse(res.text) as { inFlight: typeof NOTHING_IN_FLIGHT }).inFlight;
}

export interface SpawnedBridge extends TestBridge {
  /** Runs a full garbage collection in the bridge process (fixtures/gc-on-signal.mjs) and waits for it. */
  settle(): Promise<void>;
}

const GC_ON_SIGNAL = new URL('./fixtures/gc-on-signal.mjs', import.meta.url).href;

/**
 * The bridge's command line (main.ts) in a process of its own, so that its memory is its own and not
 * the test's: /status reports that process's RSS. Started with --expose-gc and a test-only preload, so
 * the test can ask for a full collection before it reads memory. Resolves once the bridge has settled
 * server-everything's start-up roots/list, which it answers itself in Shared mode.
 */
export async function spawnBridge(
  members: { name: string; tokenSha256: string; tools: string[] }[],
  flags: string[],
  command: { command: string; args: string[] },
): Promise<SpawnedBridge> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bridge-isolation-'));
  const membersFile = path.join(dir, 'members.json');
  await writeFile(membersFile, JSON.stringify(members));
  const main = new URL('./main.ts', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      GC_ON_SIGNAL,
      '--import',
      'tsx',
      main,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--members',
      membersFile,
      ...flags,
      '--',
      command.command,
      ...command.args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const logs: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    logs.push(...lines.filter((l) => l !== ''));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = () => logs.find((l) => l.includes('"event":"listening"'));
  await waitFor(() => listening() !== undefined, 'the bridge process to listen');
  await waitFor(() => logs.some((l) => l.includes('"server_request_answered"')), 'the start-up roots/list');
  const port = (JSON.parse(listening() ?? '{}') as { port: number }).port;
  let collections = 0;
  return {
    port,
    host: '127.0.0.1',
    url: `http://127.0.0.1:${port}/mcp`,
    logs,
    settle: async () => {
      collections += 1;
      const done = `"test_gc_done","n":${collections}}`;
      child.kill('SIGUSR2');
      await waitFor(() => logs.some((l) => l.endsWith(done)), 'a full garbage collection in the bridge');
    },
    close: async () => {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The bridge process's memory after a full collection, as its /status reports it. */
export async function memoryOf(
  bridge: SpawnedBridge,
  token: string,
): Promise<{ rssBytes: number; heapUsedBytes: number }> {
  await bridge.settle();
  const res = await raw(bridge.url.replace(/\/mcp$/, '/status'), {
    headers: { authorization: `Bearer ${token}` },
  });
  return (JSON.parse(res.text) as { memory: { rssBytes: number; heapUsedBytes: number } }).memory;
}

export function statelessHeaders(): Record<string, string> {
  return { 'mcp-protocol-version': STATELESS, 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
}

/**
 * One round of what member B may try, each answered at once: a 600 kB body nested 4,500 deep in a
 * session and without one, a 600 kB echo it is allowed, and notifications meant for the shared
 * server (bodies over the size limit are refused unread: mcp-endpoint.test.ts). All in one session, which B keeps open: ending it would clean up
 * whatever a refused request had left registered, and hide it.
 */
export async function abuseRound(
  bridge: TestBridge,
  token: string,
  session: string,
  round: number,
): Promise<void> {
  const post = (body: string, headers: Record<string, string>) =>
    raw(bridge.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, ...headers },
      body,
    });
  const deep = deepJson(4500, 'x'.repeat(128));
  const inSession = { 'mcp-session-id': session };
  const call = `{"jsonrpc":"2.0","id":${round},"method":"tools/call","params":{"name":"echo","arguments":{"message":"x","nested":${deep}}}}`;
  assert.equal((await post(call, inSession)).status, 400);
  assert.equal((await post(statelessBody(`s-${round}`, deep), statelessHeaders())).status, 400);
  const message = 'y'.repeat(600 * 1024);
  const echo = JSON.stringify({
    jsonrpc: '2.0',
    id: `echo-${round}`,
    method: 'tools/call',
    params: { name: 'echo', arguments: { message } },
  });
  const echoed = JSON.parse((await post(echo, inSession)).text) as { result?: unknown };
  assert.equal(text(echoed.result), `Echo: ${message}`);
  for (const note of [
    { method: 'notifications/roots/list_changed' },
    { method: 'notifications/cancelled', params: { requestId: round } },
    { method: 'notifications/progress', params: { progressToken: round, progress: 1 } },
  ])
    assert.equal((await post(JSON.stringify({ jsonrpc: '2.0', ...note }), inSession)).status, 202);
}

/**
 * Arrays nested `depth` deep, each holding `pad` first when given, written as text: JSON.stringify
 * could not write them (it gives up a few thousand levels down), which is the point.
 */
export function deepJson(depth: number, pad = ''): string {
  if (pad === '') return '['.repeat(depth) + ']'.repeat(depth);
  const item = JSON.stringify(pad);
  return `[${item},`.repeat(depth - 1) + `[${item}]` + ']'.repeat(depth - 1);
}

/** A 2026-07-28 tools/call of echo whose arguments hold `nested` (JSON text). */
export function statelessBody(id: string, nested: string): string {
  const meta = JSON.stringify({
    'io.modelcontextprotocol/protocolVersion': STATELESS,
    'io.modelcontextprotocol/clientInfo': { name: 'hostile', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  });
  return `{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"echo","arguments":{"message":"x","nested":${nested}},"_meta":${meta}}}`;
}

/** One tools/call in a session by hand, under the given id; resolves to the JSON-RPC answer. */
export async function rawCall(
  url: string,
  token: string,
  session: string,
  id: number | string,
  name: string,
  args: Record<string, unknown>,
): Promise<{ id: unknown; result?: unknown; error?: { code: number; message: string } }> {
  const res = await raw(url, {
    method: 'POST',
    headers: {
      ...MCP_HEADERS,
      accept: 'application/json',
      authorization: `Bearer ${token}`,
      'mcp-session-id': session,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }),
  });
  return JSON.parse(res.text) as { id: unknown; result?: unknown };
}
