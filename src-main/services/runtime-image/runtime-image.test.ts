// Real parts: the local Docker engine, the bridge bundled from src-bridge, and
// @modelcontextprotocol/server-memory from node_modules baked into the image. The base image is made
// locally from this machine's Node 22 (no registry here).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildBridgeBundle } from '../../../scripts/build-bundles.mjs';
import { ensureLocalNodeBaseImage, NODE_BASE_IMAGE_UID } from '../../../e2e/fixtures/base-image';
import { buildRuntimeImage } from './build-runtime-image';
import { repoRuntimePaths, runtimeImageContext, type RuntimeImageContext } from './runtime-image-context';
import { GiveUp, waitFor } from '../../test-support/wait-for';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVER = '@modelcontextprotocol/server-memory';
const serverVersion = (
  JSON.parse(await readFile(path.join(repoRoot, 'node_modules', SERVER, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
const MEMORY_TOOLS = ['create_entities', 'read_graph', 'search_nodes'];
const READY_LIMIT_MS = 60_000;

const docker = new Docker();
const engine = await docker.ping().then(
  () => true,
  () => false,
);

const HARDENED = [
  '--read-only',
  '--tmpfs',
  '/tmp',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
  '--user',
  String(NODE_BASE_IMAGE_UID),
  '--init',
  '--pids-limit',
  '256',
  '--memory',
  '256m',
];

async function dockerCli(args: string[], input?: string): Promise<string> {
  if (input === undefined) return (await run('docker', args, { maxBuffer: 8 * 1024 * 1024 })).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile('docker', args, { maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(new Error(`docker ${args[0] ?? ''} failed: ${err.message}`, { cause: err }));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

async function containerState(id: string): Promise<{ running: boolean; health?: string }> {
  const info = await docker.getContainer(id).inspect();
  return { running: info.State.Running, ...(info.State.Health ? { health: info.State.Health.Status } : {}) };
}

/** Waits until check() holds; fails with the container's log when it stops or the limit passes. */
async function waitForContainer(id: string, what: string, check: () => Promise<boolean>): Promise<void> {
  try {
    await waitFor(
      async () => {
        if (await check().catch(() => false)) return true;
        if (!(await containerState(id)).running) throw new GiveUp('the container stopped');
        return false;
      },
      { timeoutMs: READY_LIMIT_MS, intervalMs: 250, what: `the container to become ${what}` },
    );
  } catch (err) {
    const logs = await dockerCli(['logs', '--tail', '20', id]).catch(() => '');
    assert.fail(`container never became ${what} (${(err as Error).message}); log:\n${logs}`);
  }
}

function initializeBody(): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
  });
}

async function postInitialize(url: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: initializeBody(),
  });
}

describe(
  'runtime image (real Docker engine, server-memory from npm)',
  {
    skip: engine ? false : 'no Docker engine answers on the local socket',
  },
  () => {
    let workDir = '';
    let context: RuntimeImageContext | undefined;
    const containers: string[] = [];

    const image = (): RuntimeImageContext => {
      assert.ok(context, 'the image was not built');
      return context;
    };

    before(async () => {
      workDir = await mkdtemp(path.join(os.tmpdir(), 'runtime-image-test-'));
      const baseImage = await ensureLocalNodeBaseImage();
      const bridgeBundle = await buildBridgeBundle({
        outfile: path.join(workDir, 'bridge.mjs'),
        quiet: true,
      });
      context = await runtimeImageContext({
        ...repoRuntimePaths(repoRoot),
        bridgeBundle,
        baseImage,
        // No registry here: leave out the stage that copies uv from ghcr.io.
        withUv: false,
        server: { kind: 'copy-installed', name: SERVER, root: repoRoot },
      });
      await buildRuntimeImage(docker, context, { force: true });
    });

    after(async () => {
      for (const id of containers)
        await docker
          .getContainer(id)
          .remove({ force: true })
          .catch(() => undefined);
      if (context) {
        await docker
          .getImage(context.tag)
          .remove({ force: true })
          .catch(() => undefined);
        await context.dispose();
      }
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it('answers tools/list through its published port with the right token and 401 without', async () => {
      const token = randomBytes(32).toString('base64url');
      const tokenHash = createHash('sha256').update(token).digest('hex');
      const id = (
        await dockerCli([
          'run',
          '--detach',
          '--label',
          'org.mcp-fleet.test=runtime-image',
          '--publish',
          '127.0.0.1::8080',
          ...HARDENED,
          // Check health every second, so the test sees the HEALTHCHECK pass without waiting 30 s.
          '--health-interval',
          '1s',
          '--health-start-period',
          '0s',
          image().tag,
          '--token-sha256',
          tokenHash,
          '--',
          'npx',
          '-y',
          `${SERVER}@${serverVersion}`,
        ])
      ).trim();
      containers.push(id);
      const published = (await dockerCli(['port', id, '8080/tcp'])).trim().split('\n')[0] ?? '';
      assert.match(published, /^127\.0\.0\.1:\d+$/);
      const base = `http://${published}`;

      await waitForContainer(id, 'ready', async () => (await fetch(`${base}/healthz`)).ok);
      await waitForContainer(
        id,
        'healthy (its HEALTHCHECK)',
        async () => (await containerState(id)).health === 'healthy',
      );

      const client = new Client({ name: 'runtime-image-test', version: '1.0.0' }, { capabilities: {} });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      try {
        const names = (await client.listTools()).tools.map((tool) => tool.name);
        for (const name of MEMORY_TOOLS)
          assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
      } finally {
        await client.close();
      }

      const missing = await postInitialize(`${base}/mcp`, {});
      assert.equal(missing.status, 401);
      assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
      const wrong = await postInitialize(`${base}/mcp`, { authorization: `Bearer ${token}x` });
      assert.equal(wrong.status, 401);

      // Every process in the container (docker-init, the bridge, npx's server) runs as the unprivileged user.
      const top = (await docker.getContainer(id).top({ ps_args: '-o pid,uid,args' })) as {
        Titles: string[];
        Processes: string[][];
      };
      const uidColumn = top.Titles.indexOf('UID');
      assert.ok(top.Processes.length >= 2, `expected the bridge and its server, saw ${top.Processes.length}`);
      for (const row of top.Processes)
        assert.equal(row[uidColumn], String(NODE_BASE_IMAGE_UID), row.join(' '));
    });

    it('runs the baked server with npx, and by its own path, with no network at all', async () => {
      const commands = [['npx', '-y', `${SERVER}@${serverVersion}`], image().serverCommand ?? []];
      for (const [command, ...args] of commands) {
        assert.ok(command, 'the context names no command for the baked server');
        // One initialize on stdin; the server answers on stdout and exits when stdin closes.
        const stdout = await dockerCli(
          [
            'run',
            '--rm',
            '-i',
            '--network',
            'none',
            ...HARDENED,
            '--entrypoint',
            command,
            image().tag,
            ...args,
          ],
          `${initializeBody()}\n`,
        );
        const answer = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { id?: number; result?: { serverInfo?: { name?: string } } })
          .find((message) => message.id === 1);
        assert.equal(
          answer?.result?.serverInfo?.name,
          'memory-server',
          `${command}: ${stdout.slice(0, 300)}`,
        );
      }
    });

    it('names the image by its content, so an unchanged definition reuses it', async () => {
      const again = await runtimeImageContext({
        ...repoRuntimePaths(repoRoot),
        bridgeBundle: path.join(workDir, 'bridge.mjs'),
        baseImage: image().buildArgs.BASE_IMAGE ?? '',
        withUv: false,
        server: { kind: 'copy-installed', name: SERVER, root: repoRoot },
      });
      const other = await runtimeImageContext({
        ...repoRuntimePaths(repoRoot),
        bridgeBundle: path.join(workDir, 'bridge.mjs'),
        baseImage: image().buildArgs.BASE_IMAGE ?? '',
        withUv: false,
        server: {
          kind: 'copy-installed',
          name: '@modelcontextprotocol/server-sequential-thinking',
          root: repoRoot,
        },
      });
      try {
        assert.match(again.tag, /^mcp-fleet\/runtime:[0-9a-f]{16}$/);
        assert.equal(again.tag, image().tag);
        assert.notEqual(other.tag, image().tag);
        assert.deepEqual(await buildRuntimeImage(docker, again), { tag: image().tag, built: false });
      } finally {
        await again.dispose();
        await other.dispose();
      }
    });
  },
);
