// Real parts: the local Docker engine, the bridge bundled from src-bridge, and
// @modelcontextprotocol/server-memory from node_modules baked into the runtime image. One spec is run
// twice: with `docker run` and toDockerRunArgv, then with dockerode and toDockerCreateOptions; the two
// containers must inspect the same and both answer tools/list through the published port.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildRuntimeImage } from '../runtime-image/build-runtime-image';
import { runtimeImageContext } from '../runtime-image/runtime-image-context';
import { runtimeImageOptions } from './image-plan';
import { buildInstanceSpec } from './instance-spec';
import { memberRecord, serverRecord } from '../../test-support/records';
import { toDockerCreateOptions, toDockerRunArgv } from './render-docker';
import { installedVersion, testImageInputs, type TestImageInputs } from '../../test-support/runtime-image';
import { waitFor } from '../../test-support/wait-for';
import type { ContainerSpec, InstanceSpec } from './types';

const run = promisify(execFile);
const docker = new Docker();
const engine = await docker.ping().then(
  () => true,
  () => false,
);
const SERVER = '@modelcontextprotocol/server-memory';
const SECRET = `marker-${Date.now()}-not-in-inspect`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Writes the files as deploy does: folder 0700, files 0600. */
async function writeFiles(spec: InstanceSpec): Promise<void> {
  await mkdir(spec.configDir, { recursive: true, mode: 0o700 });
  for (const file of [spec.files.env, spec.files.members]) {
    await rm(file.hostPath, { force: true });
    await writeFile(file.hostPath, file.content, { mode: file.mode });
  }
}

const CONFIG_FIELDS = ['Image', 'User', 'Cmd', 'Entrypoint', 'WorkingDir', 'Env', 'Labels', 'ExposedPorts'];
const HOST_FIELDS = [
  'CapDrop',
  'CapAdd',
  'SecurityOpt',
  'ReadonlyRootfs',
  'Tmpfs',
  'Init',
  'PidsLimit',
  'Memory',
  'NanoCpus',
  'RestartPolicy',
  'PortBindings',
  'Binds',
  'Mounts',
  'NetworkMode',
  'AutoRemove',
];

/** The fields that define how the container runs; everything else the engine fills in itself. */
function relevant(info: Docker.ContainerInspectInfo): Record<string, unknown> {
  const config = info.Config as unknown as Record<string, unknown>;
  const host = info.HostConfig as unknown as Record<string, unknown>;
  return {
    Name: info.Name,
    ...Object.fromEntries(CONFIG_FIELDS.map((key) => [key, config[key]])),
    ...Object.fromEntries(HOST_FIELDS.map((key) => [key, host[key]])),
    // The engine lists a running container's mounts in no fixed order.
    RuntimeMounts: info.Mounts.map((m) => ({
      Type: m.Type,
      Source: m.Type === 'bind' ? m.Source : m.Name,
      Destination: m.Destination,
      RW: m.RW,
    })).sort((a, b) => (a.Destination < b.Destination ? -1 : 1)),
  };
}

/** Waits for the bridge, then runs fn with an MCP client that holds the token. */
async function withClient<T>(port: number, token: string, fn: (client: Client) => Promise<T>): Promise<T> {
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
    timeoutMs: 60_000,
    intervalMs: 250,
    what: 'the bridge to become ready',
  });
  const client = new Client({ name: 'render-docker-test', version: '1.0.0' }, { capabilities: {} });
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  await client.connect(
    new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const toolNames = async (client: Client): Promise<string[]> =>
  (await client.listTools()).tools.map((t) => t.name);

async function runOneShot(spec: ContainerSpec): Promise<number> {
  const container = await docker.createContainer(toDockerCreateOptions(spec));
  const exited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
  await container.start();
  return (await exited).StatusCode;
}

describe(
  'toDockerRunArgv and toDockerCreateOptions on a real engine (server-memory from npm)',
  {
    skip: engine ? false : 'no Docker engine answers on the local socket',
  },
  () => {
    let inputs: TestImageInputs | undefined;
    let tag = '';
    let workDir = '';
    let spec: InstanceSpec | undefined;
    const member = memberRecord('alice', ['*']);

    before(async () => {
      inputs = await testImageInputs(docker);
      const version = await installedVersion(SERVER);
      const server = serverRecord({
        // Unique per run: deploy tests may run a server named plainly "memory" on this engine.
        name: `memory-${randomBytes(3).toString('hex')}`,
        sourceValue: `${SERVER}@${version}`,
        env: [
          { key: 'PLAIN_SETTING', value: 'visible', secret: false },
          { key: 'API_KEY', value: SECRET, secret: true },
        ],
      });
      const context = await runtimeImageContext(runtimeImageOptions({ server, ...inputs.resolver }));
      try {
        tag = (await buildRuntimeImage(docker, context)).tag;
      } finally {
        await context.dispose();
      }
      workDir = await mkdtemp(path.join(os.tmpdir(), 'render-docker-engine-'));
      spec = buildInstanceSpec({
        server,
        members: [member],
        image: tag,
        port: await freePort(),
        publishAddress: '127.0.0.1',
        configDir: path.join(workDir, 'instance'),
      });
    });

    after(async () => {
      if (spec) {
        await docker
          .getContainer(spec.container.name ?? '')
          .remove({ force: true })
          .catch(() => undefined);
        if (spec.stateVolume)
          await docker
            .getVolume(spec.stateVolume.name)
            .remove()
            .catch(() => undefined);
      }
      if (tag)
        await docker
          .getImage(tag)
          .remove({ force: true })
          .catch(() => undefined);
      await inputs?.dispose();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it('creates the same container both ways, with no secret in docker inspect, answering tools/list', async () => {
      assert.ok(spec, 'no spec');
      const name = spec.container.name ?? '';

      await writeFiles(spec);
      await run('docker', toDockerRunArgv(spec.prepare));
      for (const file of [spec.files.env, spec.files.members]) {
        const st = await stat(file.hostPath);
        assert.equal(st.uid, 10001, `${file.hostPath} belongs to the container user`);
        assert.equal(st.mode & 0o777, 0o600);
      }
      await run('docker', toDockerRunArgv(spec.container));
      const viaCli = await docker.getContainer(name).inspect();
      const toolsCli = await withClient(spec.port, member.token, async (client) => {
        // The state volume is writable by the unprivileged user: server-memory keeps an entity there.
        await client.callTool({
          name: 'create_entities',
          arguments: { entities: [{ name: 'fleet-probe', entityType: 'test', observations: ['kept'] }] },
        });
        return toolNames(client);
      });
      await docker.getContainer(name).remove({ force: true });

      await writeFiles(spec);
      assert.equal(await runOneShot(spec.prepare), 0, 'the prepare container succeeds through dockerode');
      const container = await docker.createContainer(toDockerCreateOptions(spec.container));
      await container.start();
      const viaApi = await container.inspect();
      const [toolsApi, graph] = await withClient(spec.port, member.token, async (client) => [
        await toolNames(client),
        JSON.stringify(await client.callTool({ name: 'read_graph', arguments: {} })),
      ]);
      assert.ok(
        graph.includes('fleet-probe'),
        'the second container reads what the first kept in the volume',
      );

      assert.deepEqual(relevant(viaApi), relevant(viaCli));
      for (const info of [viaCli, viaApi]) {
        assert.ok(!JSON.stringify(info).includes(SECRET), 'docker inspect shows no secret value');
        assert.equal(info.Config.User, '10001:10001');
        assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
        assert.equal(info.HostConfig.ReadonlyRootfs, true);
        assert.equal(info.Config.Labels?.['io.mcp-fleet.config-hash'], spec.configHash);
      }
      assert.ok(toolsCli.includes('create_entities'), toolsCli.join(', '));
      assert.deepEqual(toolsApi, toolsCli);
      const denied = await fetch(`http://127.0.0.1:${spec.port}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: '{}',
      });
      assert.equal(denied.status, 401);
    });
  },
);
