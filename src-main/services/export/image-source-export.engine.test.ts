// An image-source server end to end. Real parts: the local Docker engine, an "operator's image" built
// here (the local Node base with @modelcontextprotocol/server-memory from node_modules, its own
// ENTRYPOINT, WORKDIR and ENV), the bridge bundled from src-bridge. The docker-run export builds the
// runtime image FROM that image and runs the image's own command behind the bridge.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EventBus } from '../events';
import { containerName } from '../instance-spec/names';
import { repoRoot, testImageInputs, type TestImageInputs } from '../../test-support/runtime-image';
import { copyInstalledPackage } from '../runtime-image/server-package';
import { ServerService } from '../server/server-service';
import { createTestStore, type TestStore } from '../../test-support/store';
import { waitFor } from '../../test-support/wait-for';
import { ExportService } from './export-service';
import { runtimeImageResolver, sourceImageInspector } from './runtime-image-ref';
import { NO_TLS_WARNING } from './tls-notes';

const run = promisify(execFile);
const docker = new Docker();
const engine = await docker.ping().then(
  () => true,
  () => false,
);
const SERVER = '@modelcontextprotocol/server-memory';
const SERVER_NAME = `memory-img${randomBytes(3).toString('hex')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe(
  'docker-run export of an image source (local engine)',
  {
    skip: engine ? false : 'no Docker engine answers on the local socket',
  },
  () => {
    let store: TestStore | undefined;
    let inputs: TestImageInputs | undefined;
    let workDir = '';
    let sourceImage = '';
    let runtimeTag = '';
    const name = containerName(SERVER_NAME, null);
    const token = randomBytes(32).toString('base64url');

    before(async () => {
      inputs = await testImageInputs(docker);
      workDir = await mkdtemp(path.join(os.tmpdir(), 'image-source-export-'));
      // The operator's image: its command, folder and environment are its own.
      const context = path.join(workDir, 'image');
      await mkdir(path.join(context, 'app'), { recursive: true });
      await copyInstalledPackage(path.join(context, 'app'), SERVER, repoRoot);
      const manifest = JSON.parse(
        await readFile(path.join(context, 'app', 'node_modules', SERVER, 'package.json'), 'utf8'),
      ) as { bin: Record<string, string> };
      const entry = path.posix.join('/app/node_modules', SERVER, Object.values(manifest.bin)[0] ?? '');
      await writeFile(
        path.join(context, 'Dockerfile'),
        [
          `FROM ${inputs.baseImage}`,
          'COPY app/ /app/',
          'WORKDIR /app',
          'ENV MEMORY_FILE_PATH=/tmp/memory.json GREETING=from-the-image',
          `ENTRYPOINT ["node", "${entry}"]`,
          '',
        ].join('\n'),
      );
      sourceImage = `mcp-fleet-test/operator-image:${randomBytes(6).toString('hex')}`;
      await run('docker', ['build', '--quiet', '--tag', sourceImage, context], {
        maxBuffer: 16 * 1024 * 1024,
      });

      store = await createTestStore();
      new ServerService(store.store, new EventBus(), 'test').add({
        name: SERVER_NAME,
        source: { kind: 'image', value: sourceImage },
        mode: 'shared',
        port: await freePort(),
      });
      const server = store.store.servers.getByName(SERVER_NAME);
      assert.ok(server);
      store.store.members.insert({
        serverId: server.id,
        name: 'alice',
        token,
        tokenSha256: createHash('sha256').update(token).digest('hex'),
        tools: ['read_graph'],
      });
    });

    after(async () => {
      await docker
        .getContainer(name)
        .remove({ force: true })
        .catch(() => undefined);
      for (const image of [runtimeTag, sourceImage]) {
        if (image)
          await docker
            .getImage(image)
            .remove({ force: true })
            .catch(() => undefined);
      }
      await inputs?.dispose();
      store?.cleanup();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it("builds the runtime image FROM the server's image and runs its own command behind the bridge", async () => {
      assert.ok(store && inputs);
      const exports = new ExportService({
        store: store.store,
        runtimeImage: runtimeImageResolver(inputs.resolver),
        inspectSourceImage: sourceImageInspector(docker),
        // A --no-tls server: the plain-HTTP path end to end (docker-run-export.engine.test.ts has TLS).
        tlsFor: () => Promise.resolve(null),
        localHome: path.join(workDir, 'home'),
      });
      const result = await exports.render({ server: SERVER_NAME, format: 'docker-run' });
      assert.deepEqual(result.notes, [`instance ${name}: ${NO_TLS_WARNING}`]);
      assert.ok(
        !/--tls-(cert|key)|> \S*tls\.(crt|key)/.test(result.content),
        'no TLS flags, no TLS files written',
      );
      runtimeTag = /docker image inspect (mcp-fleet\/runtime:[0-9a-f]{16})/.exec(result.content)?.[1] ?? '';
      assert.ok(runtimeTag);
      assert.match(result.content, new RegExp(`--build-arg BASE_IMAGE=${sourceImage}`));
      await run('sh', ['-c', result.content], { maxBuffer: 16 * 1024 * 1024 });

      const info = await docker.getContainer(name).inspect();
      assert.equal(info.Config.WorkingDir, '/app', "the image's own folder");
      const bindings = info.HostConfig.PortBindings as Record<string, { HostPort: string }[] | undefined>;
      const port = Number(bindings['8080/tcp']?.[0]?.HostPort);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: 'the instance to become ready',
      });
      const client = new Client({ name: 'image-source-test', version: '1.0.0' }, { capabilities: {} });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      try {
        // The member may use read_graph only: the bridge filters the list the image's server offers.
        assert.deepEqual(
          (await client.listTools()).tools.map((t) => t.name),
          ['read_graph'],
        );
        const graph = await client.callTool({ name: 'read_graph', arguments: {} });
        assert.notEqual(graph.isError, true, JSON.stringify(graph));
      } finally {
        await client.close();
      }
    });
  },
);
