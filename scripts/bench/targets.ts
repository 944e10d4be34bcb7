// The four ways the benchmark reaches server-everything: directly over stdio, through our bridge,
// through supergateway and through mcp-proxy. Each starts one bridge/proxy and hands out sessions.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort, spawnDrained, waitForHttp, lastLine, type Spawned } from './proc';
import {
  statelessSdkSession,
  rawHttpSession,
  rawStatelessSession,
  rawStdioSession,
  sdkSession,
  type ClientKind,
  type EchoSession,
} from './sessions';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const nodeModules = path.join(repoRoot, 'node_modules');
export const everythingEntry = path.join(
  nodeModules,
  '@modelcontextprotocol',
  'server-everything',
  'dist',
  'index.js',
);
const supergatewayEntry = path.join(nodeModules, 'supergateway', 'dist', 'index.js');
const mcpProxyEntry = path.join(nodeModules, 'mcp-proxy', 'dist', 'bin', 'mcp-proxy.mjs');
const node = process.execPath;
export const serverCommand = [node, everythingEntry, 'stdio'];
export const startTimeoutMs = 30_000;

export type TargetName =
  | 'direct stdio'
  | 'HTTP floor'
  | 'stdio relay floor'
  | 'mcp-fleet bridge'
  | 'native v2 server'
  | 'supergateway'
  | 'mcp-proxy';

/** The 2025-era clients every row is measured with; rows that serve 2026-07-28 add their own. */
export const SESSION_KINDS: ClientKind[] = ['sdk', 'raw'];
export const STATELESS_KINDS: ClientKind[] = ['v2', 'raw-stateless'];

/** A started bridge/proxy (or, for direct stdio, a factory of children) that hands out sessions. */
export interface Running {
  /** The bridge/proxy process measured for RSS; undefined for direct stdio. */
  pid: number | undefined;
  /** Opens one new MCP session (initialize included) with the given kind of client. */
  connect(kind: ClientKind): Promise<EchoSession>;
  stop(): Promise<void>;
}

export interface TargetSpec {
  name: TargetName;
  /** What runs, for the report. */
  describe: string;
  /** False for a reference row whose memory means nothing (the floor server holds no sessions). */
  measureMemory?: boolean;
  /** The clients this row is measured with; SESSION_KINDS when absent. */
  kinds?: ClientKind[];
  start(): Promise<Running>;
}

function newClient(): Client {
  return new Client({ name: 'mcp-fleet-bench', version: '1.0.0' }, { capabilities: {} });
}

async function openHttp(
  kind: ClientKind,
  url: string,
  headers: Record<string, string>,
): Promise<EchoSession> {
  if (kind === 'raw') return rawHttpSession(url, headers);
  if (kind === 'raw-stateless') return rawStatelessSession(url, headers);
  if (kind === 'v2') return statelessSdkSession(url, headers);
  const client = newClient();
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  return sdkSession(client);
}

/** Connects over Streamable HTTP, retrying while the listener is still coming up. */
async function connectHttp(
  kind: ClientKind,
  url: string,
  headers: Record<string, string>,
  spawned: Spawned,
): Promise<EchoSession> {
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    try {
      return await openHttp(kind, url, headers);
    } catch (err) {
      if (spawned.child.exitCode !== null) {
        throw new Error(`exited with code ${spawned.child.exitCode}: ${lastLine(spawned.tail())}`, {
          cause: err,
        });
      }
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

function httpTarget(spawned: Spawned, url: string, headers: Record<string, string>): Running {
  return {
    pid: spawned.child.pid,
    connect: (kind) => connectHttp(kind, url, headers, spawned),
    stop: () => spawned.stop(),
  };
}

export const directStdio: TargetSpec = {
  name: 'direct stdio',
  describe: 'StdioClientTransport (or raw line-delimited JSON-RPC), one server-everything child per session',
  start: async () => ({
    pid: undefined,
    connect: async (kind) => {
      const [command = node, ...args] = serverCommand;
      if (kind === 'raw') return rawStdioSession(command, args);
      const client = newClient();
      const transport = new StdioClientTransport({ command, args, stderr: 'ignore' });
      await client.connect(transport);
      return sdkSession(client, transport.pid ?? undefined);
    },
    stop: async () => undefined,
  }),
};

export const httpFloor: TargetSpec = {
  name: 'HTTP floor',
  describe: 'the same SDK HTTP client against a canned answer, no MCP server: the ceiling for any bridge',
  measureMemory: false,
  start: async () => {
    const port = await freePort();
    const spawned = spawnDrained(node, [
      path.join(repoRoot, 'scripts', 'bench', 'floor-server.mjs'),
      String(port),
    ]);
    await waitForHttp(`http://127.0.0.1:${port}/`, startTimeoutMs, spawned);
    return httpTarget(spawned, `http://127.0.0.1:${port}/mcp`, {});
  },
};

export const relayFloor: TargetSpec = {
  name: 'stdio relay floor',
  describe:
    'relay-floor.mjs: each POST written to one server-everything child and its answer relayed back, nothing else: the least any stdio bridge does',
  measureMemory: false,
  start: async () => {
    const port = await freePort();
    const spawned = spawnDrained(node, [
      path.join(repoRoot, 'scripts', 'bench', 'relay-floor.mjs'),
      String(port),
      ...serverCommand,
    ]);
    await waitForHttp(`http://127.0.0.1:${port}/`, startTimeoutMs, spawned);
    return httpTarget(spawned, `http://127.0.0.1:${port}/mcp`, {});
  },
};

/**
 * A bundled bridge in its own process on a free loopback port, `--mode shared`, in front of `server`
 * (server-everything unless said otherwise); `args` say who may call it (--token-sha256 or --members)
 * and anything else.
 */
export async function spawnBridgeProcess(
  bundlePath: string,
  args: string[],
  server: string[] = serverCommand,
): Promise<{ spawned: Spawned; port: number }> {
  if (!existsSync(bundlePath)) throw new Error(`no bundle at ${bundlePath}`);
  const port = await freePort();
  const spawned = spawnDrained(node, [
    bundlePath,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--mode',
    'shared',
    ...args,
    '--',
    ...server,
  ]);
  return { spawned, port };
}

/** A fresh bearer token and the SHA-256 (hex) the bridge is given instead of it. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: createHash('sha256').update(token).digest('hex') };
}

/** spawnBridgeProcess with one token that every bench client uses, and the per-member caps lifted. */
export async function spawnFleetBridge(
  bundlePath: string,
  extraArgs: string[] = [],
): Promise<{ spawned: Spawned; port: number; token: string }> {
  const { token, hash } = newToken();
  const { spawned, port } = await spawnBridgeProcess(bundlePath, [
    '--token-sha256',
    hash,
    // One token stands for every bench client: the per-member fair-share caps (32 sessions, 16 calls in
    // flight, 50 rps) would measure themselves instead of the bridge. The noisy-neighbour row
    // (noisy.ts) keeps them.
    '--member-sessions',
    '100000',
    '--member-inflight',
    '100000',
    '--member-rps',
    '1000000',
    ...extraArgs,
  ]);
  return { spawned, port, token };
}

export function fleetBridge(bundlePath: string): TargetSpec {
  return {
    name: 'mcp-fleet bridge',
    describe: `node ${path.relative(repoRoot, bundlePath)} --mode shared (one child for all sessions)`,
    kinds: [...SESSION_KINDS, ...STATELESS_KINDS],
    start: async () => {
      const { spawned, port, token } = await spawnFleetBridge(bundlePath);
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, startTimeoutMs, spawned);
      return httpTarget(spawned, `http://127.0.0.1:${port}/mcp`, { authorization: `Bearer ${token}` });
    },
  };
}

export const nativeV2: TargetSpec = {
  name: 'native v2 server',
  describe:
    'native-v2-server.mjs: @modelcontextprotocol/server createMcpHandler + toNodeHandler, echo in process (the 2026-07-28 reference)',
  measureMemory: false,
  kinds: STATELESS_KINDS,
  start: async () => {
    const port = await freePort();
    const spawned = spawnDrained(node, [
      path.join(repoRoot, 'scripts', 'bench', 'native-v2-server.mjs'),
      String(port),
    ]);
    await waitForHttp(`http://127.0.0.1:${port}/mcp`, startTimeoutMs, spawned);
    return httpTarget(spawned, `http://127.0.0.1:${port}/mcp`, {});
  },
};

export const supergateway: TargetSpec = {
  name: 'supergateway',
  describe:
    'supergateway 4 --stateful --outputTransport streamableHttp --logLevel none (a child per session)',
  start: async () => {
    const port = await freePort();
    const spawned = spawnDrained(node, [
      supergatewayEntry,
      '--stdio',
      serverCommand.map((part) => JSON.stringify(part)).join(' '),
      '--outputTransport',
      'streamableHttp',
      '--stateful',
      '--port',
      String(port),
      '--logLevel',
      'none',
      '--healthEndpoint',
      '/healthz',
    ]);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, startTimeoutMs, spawned);
    // supergateway has no inbound authentication at all; it is measured without any.
    return httpTarget(spawned, `http://127.0.0.1:${port}/mcp`, {});
  },
};

export const mcpProxy: TargetSpec = {
  name: 'mcp-proxy',
  describe: 'mcp-proxy 6 --server stream --apiKey (one shared child)',
  start: async () => {
    const port = await freePort();
    const apiKey = randomBytes(32).toString('base64url');
    const spawned = spawnDrained(node, [
      mcpProxyEntry,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--server',
      'stream',
      '--apiKey',
      apiKey,
      '--',
      ...serverCommand,
    ]);
    await waitForHttp(`http://127.0.0.1:${port}/ping`, startTimeoutMs, spawned);
    return httpTarget(spawned, `http://127.0.0.1:${port}/mcp`, { 'x-api-key': apiKey });
  },
};
