// Real parts: the testbed's sshd (the export runs as its non-root login, a member of group docker, as
// an operator pasting it would), its Docker engine, the bridge bundled from src-bridge,
// @modelcontextprotocol/server-memory from node_modules baked into the runtime image that the
// exported command builds from the context it carries, and a CA and leaf for 127.0.0.1 made by the
// openssl CLI: the instance serves HTTPS with that leaf, checked by node:https trusting only that CA.
// A second server reaches a read-only and a read-write host folder, a named volume, a Docker network
// made for the test and an extra host: the container the script makes shows each in `docker inspect`.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readTestbed, type Testbed } from '../../../e2e/fixtures/env';
import { volumeName } from '../../shared/server-mounts';
import { EventBus } from '../events';
import { containerName, instanceConfigDir } from '../instance-spec/names';
import { installedVersion, testImageInputs, type TestImageInputs } from '../../test-support/runtime-image';
import { ServerService } from '../server/server-service';
import { createTestStore, type TestStore } from '../../test-support/store';
import { TLS_KEY_SOURCE_NAME } from './docker-run-script';
import { ExportService } from './export-service';
import { runtimeImageResolver, sourceImageInspector } from './runtime-image-ref';
import { httpsFetch, httpsGet, makeTestCa, type TestCa } from '../../test-support/tls';
import { waitFor } from '../../test-support/wait-for';

const run = promisify(execFile);
const docker = new Docker();
const testbed = readTestbed();
const SERVER = '@modelcontextprotocol/server-memory';
const SECRET = `sk-${randomBytes(12).toString('hex')}`;
// Unique per run: deploy tests may run instances of a server named plainly "memory" on this engine.
const SERVER_NAME = `memory-x${randomBytes(3).toString('hex')}`;
const REACH_NAME = `reach-x${randomBytes(3).toString('hex')}`;
const NETWORK = `mcp-fleet-test-${randomBytes(4).toString('hex')}`;

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

/** Runs `sh -s` on the testbed host over SSH with `script` on stdin, as a paste into a session would. */
function sshSh(bed: Testbed, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [
      ...['-i', bed.ssh.keyPath, '-p', String(bed.ssh.port), '-o', 'BatchMode=yes'],
      ...['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'],
      `${bed.ssh.username}@${bed.ssh.host}`,
      'sh -s',
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(script);
  });
}

/** The tools over HTTPS, trusting only `ca`, once /readyz answers 200. */
async function toolNames(port: number, token: string, ca: string): Promise<string[]> {
  await waitFor(async () => (await httpsGet(`https://127.0.0.1:${port}/readyz`, ca)).status === 200, {
    timeoutMs: 60_000,
    intervalMs: 250,
    what: 'the instance to become ready',
  });
  const client = new Client({ name: 'docker-run-export-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`https://127.0.0.1:${port}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
      fetch: httpsFetch(ca),
    }),
  );
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

/** Whether a plain-HTTP request to the port gets any HTTP answer at all. */
function plainHttpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/readyz', timeout: 5000, agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', () => resolve(false));
  });
}

describe(
  'docker-run export run for real on the testbed host over SSH',
  {
    skip: testbed?.docker ? false : 'no testbed with a Docker engine (bash scripts/testbed/up.sh)',
  },
  () => {
    const bed = testbed as Testbed;
    let store: TestStore | undefined;
    let inputs: TestImageInputs | undefined;
    let exports: ExportService | undefined;
    let port = 0;
    const token = randomBytes(32).toString('base64url');
    const name = containerName(SERVER_NAME, null);
    const dir = instanceConfigDir(`/home/${bed?.ssh.username ?? 'x'}`, name);
    let imageTag = '';
    let tls: TestCa | undefined;
    const reachName = containerName(REACH_NAME, null);
    const reachDir = instanceConfigDir(`/home/${bed?.ssh.username ?? 'x'}`, reachName);
    const reachVolume = volumeName(REACH_NAME, { source: 'data', shared: false }, null);
    const reachToken = randomBytes(32).toString('base64url');
    let reachPort = 0;
    let hostFolders = '';

    before(async () => {
      tls = await makeTestCa();
      store = await createTestStore();
      inputs = await testImageInputs(docker);
      port = await freePort();
      const servers = new ServerService(store.store, new EventBus(), 'test');
      servers.add({
        name: SERVER_NAME,
        source: { kind: 'npx', value: `${SERVER}@${await installedVersion(SERVER)}` },
        env: [
          { key: 'GREETING', value: "it's $(plain) `text`", secret: false },
          { key: 'API_KEY', value: SECRET, secret: true },
        ],
        mode: 'shared',
        port,
      });
      const server = store.store.servers.getByName(SERVER_NAME);
      assert.ok(server);
      store.store.members.insert({
        serverId: server.id,
        name: 'alice',
        token,
        tokenSha256: createHash('sha256').update(token).digest('hex'),
        tools: ['*'],
      });
      store.store.hosts.insert(
        {
          name: 'testbed',
          kind: 'ssh',
          user: bed.ssh.username,
          address: bed.ssh.host,
          port: bed.ssh.port,
          auth: 'agent',
          hostKeySha256: null,
        },
        null,
      );
      reachPort = await freePort();
      hostFolders = await mkdtemp(path.join(os.tmpdir(), 'export-reach-'));
      await mkdir(path.join(hostFolders, 'ro'));
      await mkdir(path.join(hostFolders, 'rw'));
      await writeFile(path.join(hostFolders, 'ro', 'notes.txt'), 'from the host\n');
      await run('chmod', ['-R', 'a+rX', hostFolders]);
      servers.add({
        name: REACH_NAME,
        source: { kind: 'npx', value: `${SERVER}@${await installedVersion(SERVER)}` },
        mode: 'shared',
        port: reachPort,
        reach: {
          mounts: [
            { kind: 'bind', source: path.join(hostFolders, 'ro'), target: '/srv/ro', readOnly: true },
            { kind: 'bind', source: path.join(hostFolders, 'rw'), target: '/srv/rw', readOnly: false },
            { kind: 'volume', source: 'data', target: '/var/lib/reach-data', readOnly: false, shared: false },
          ],
          networks: [NETWORK],
          extraHosts: [{ name: 'db.reach.internal', ip: '10.11.12.13' }],
          allowDockerSocket: false,
        },
      });
      const reachServer = store.store.servers.getByName(REACH_NAME);
      assert.ok(reachServer);
      store.store.members.insert({
        serverId: reachServer.id,
        name: 'alice',
        token: reachToken,
        tokenSha256: createHash('sha256').update(reachToken).digest('hex'),
        tools: ['*'],
      });
      exports = new ExportService({
        store: store.store,
        runtimeImage: runtimeImageResolver(inputs.resolver),
        inspectSourceImage: sourceImageInspector(docker),
        tlsFor: () => Promise.resolve(tls?.leaf ?? null),
      });
    });

    after(async () => {
      for (const container of [name, reachName]) {
        await docker
          .getContainer(container)
          .remove({ force: true })
          .catch(() => undefined);
      }
      for (const volume of [`${name}-state`, `${reachName}-state`, reachVolume]) {
        await docker
          .getVolume(volume)
          .remove()
          .catch(() => undefined);
      }
      await docker
        .getNetwork(NETWORK)
        .remove()
        .catch(() => undefined);
      if (hostFolders) await rm(hostFolders, { recursive: true, force: true });
      if (imageTag)
        await docker
          .getImage(imageTag)
          .remove({ force: true })
          .catch(() => undefined);
      for (const instance of [name, reachName]) {
        await run('rm', ['-rf', `/home/${bed.ssh.username}/.mcp-fleet/instances/${instance}`]).catch(
          () => undefined,
        );
      }
      await inputs?.dispose();
      await tls?.dispose();
      store?.cleanup();
    });

    it('builds the image, starts an instance answering tools/list over HTTPS only, and changes nothing when run again', async () => {
      assert.ok(exports && tls);
      const { caPem, leaf } = tls;
      const keyLine = leaf.keyPem.split('\n')[1] ?? '';
      assert.ok(keyLine.length > 20);
      const byReference = await exports.render({
        server: SERVER_NAME,
        format: 'docker-run',
        host: 'testbed',
      });
      assert.equal(byReference.containsSecrets, false);
      assert.ok(!byReference.content.includes(SECRET), 'no secret in the command by default');
      assert.ok(!byReference.content.includes(keyLine), 'no TLS key in the command by default');
      assert.ok(byReference.content.includes(leaf.certPem), 'the certificate is written by the command');
      const notAfter = new Date(new X509Certificate(leaf.certPem).validTo).toISOString().slice(0, 19);
      assert.match(
        byReference.notes?.[0] ?? '',
        new RegExp(`^instance ${name}: HTTPS .* valid until ${notAfter}Z\\.$`),
      );
      imageTag =
        /docker image inspect (mcp-fleet\/runtime:[0-9a-f]{16})/.exec(byReference.content)?.[1] ?? '';
      assert.ok(imageTag, 'the command checks for the runtime image');
      await assert.rejects(docker.getImage(imageTag).inspect(), 'the image is absent before the run');

      // Without the operator's secrets file the command stops, naming the file and the key, and starts nothing.
      const missing = await sshSh(bed, byReference.content);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, new RegExp(`${dir}/secrets\\.env .*API_KEY`));
      await assert.rejects(docker.getContainer(name).inspect());

      const write = await sshSh(
        bed,
        `umask 077\ncat > '${dir}/secrets.env' <<'EOF'\nAPI_KEY="${SECRET}"\nEOF\n`,
      );
      assert.equal(write.code, 0, write.stderr);
      // Nor without the TLS key, which goes by reference too.
      const noKey = await sshSh(bed, byReference.content);
      assert.notEqual(noKey.code, 0);
      assert.match(
        noKey.stderr,
        new RegExp(`${dir}/${TLS_KEY_SOURCE_NAME} \\(mode 0600\\), or export with --inline-secrets`),
      );
      await assert.rejects(docker.getContainer(name).inspect());
      const writeKey = await sshSh(
        bed,
        `umask 077\ncat > '${dir}/${TLS_KEY_SOURCE_NAME}' <<'EOF'\n${leaf.keyPem}EOF\n`,
      );
      assert.equal(writeKey.code, 0, writeKey.stderr);

      const first = await sshSh(bed, byReference.content);
      assert.equal(first.code, 0, first.stderr.slice(-2000));
      await docker.getImage(imageTag).inspect();

      const tools = await toolNames(port, token, caPem);
      for (const tool of ['create_entities', 'read_graph', 'search_nodes'])
        assert.ok(tools.includes(tool), tools.join(', '));
      const served = await httpsGet(`https://127.0.0.1:${port}/readyz`, caPem);
      assert.equal(
        served.fingerprint256,
        new X509Certificate(leaf.certPem).fingerprint256,
        'the leaf exported',
      );
      assert.equal(await plainHttpAnswers(port), false, 'plain HTTP gets no answer');
      const info = await docker.getContainer(name).inspect();
      assert.ok(!JSON.stringify(info).includes(SECRET), 'docker inspect shows no secret');
      assert.ok(!JSON.stringify(info).includes(keyLine), 'docker inspect shows no TLS key');
      assert.equal(info.Config.User, '10001:10001');
      assert.equal(info.HostConfig.ReadonlyRootfs, true);
      const envFile = await run('cat', [`${dir}/env`]);
      assert.match(
        envFile.stdout,
        new RegExp(`^API_KEY="${SECRET}"$`, 'm'),
        'the secret reached the env file',
      );
      // The prepare container handed the TLS files to the container user, mode 0600.
      const owners = await run('stat', ['-c', '%n %a %u', `${dir}/tls.crt`, `${dir}/tls.key`]);
      assert.deepEqual(owners.stdout.trim().split('\n'), [
        `${dir}/tls.crt 600 10001`,
        `${dir}/tls.key 600 10001`,
      ]);

      // Inline secrets give the same definition: same config hash, so the running container stays.
      const inline = await exports.render({
        server: SERVER_NAME,
        format: 'docker-run',
        host: 'testbed',
        inlineSecrets: true,
      });
      assert.equal(inline.containsSecrets, true);
      assert.ok(inline.content.includes(SECRET));
      assert.ok(inline.content.includes(leaf.keyPem), 'inline: the TLS key is in the command');
      const again = await sshSh(bed, inline.content);
      assert.equal(again.code, 0, again.stderr.slice(-2000));
      const after = await docker.getContainer(name).inspect();
      assert.equal(after.Id, info.Id, 'the same container');
      assert.equal(after.State.StartedAt, info.State.StartedAt, 'not restarted');
      assert.deepEqual(await toolNames(port, token, caPem), tools);

      const wrong = await httpsFetch(caPem)(`https://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer nope',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: '{}',
      });
      assert.equal(wrong.status, 401);
      await wrong.body?.cancel();
    });
    it('a server with a reach: the mounts read-only as asked, the named volume, the network and the hosts line', async () => {
      assert.ok(exports && tls);
      const script = await exports.render({
        server: REACH_NAME,
        format: 'docker-run',
        host: 'testbed',
        inlineSecrets: true,
      });
      imageTag ||= /docker image inspect (mcp-fleet\/runtime:[0-9a-f]{16})/.exec(script.content)?.[1] ?? '';

      // The network does not exist yet: the script says so and changes nothing.
      const early = await sshSh(bed, script.content);
      assert.notEqual(early.code, 0);
      assert.match(early.stderr, new RegExp(`the Docker network ${NETWORK} does not exist on this host`));
      await assert.rejects(docker.getContainer(reachName).inspect());
      await assert.rejects(run('test', ['-e', reachDir]), 'no instance folder was written');

      await docker.createNetwork({ Name: NETWORK });
      const first = await sshSh(bed, script.content);
      assert.equal(first.code, 0, first.stderr.slice(-2000));
      await waitFor(
        async () =>
          (await httpsGet(`https://127.0.0.1:${reachPort}/readyz`, tls?.caPem ?? '')).status === 200,
        { timeoutMs: 60_000, intervalMs: 250, what: 'the instance with a reach to become ready' },
      );
      const info = await docker.getContainer(reachName).inspect();
      const mounts = info.Mounts.filter((m) => !m.Destination.startsWith('/run/mcp-fleet')).map(
        (m) =>
          `${m.Type} ${m.Type === 'volume' ? (m.Name ?? '') : m.Source} ${m.Destination} ${m.RW ? 'rw' : 'ro'}`,
      );
      assert.deepEqual(
        mounts.sort(),
        [
          `bind ${path.join(hostFolders, 'ro')} /srv/ro ro`,
          `bind ${path.join(hostFolders, 'rw')} /srv/rw rw`,
          `volume ${reachName}-state /var/lib/mcp-server rw`,
          `volume ${reachVolume} /var/lib/reach-data rw`,
        ].sort(),
      );
      assert.deepEqual(Object.keys(info.NetworkSettings.Networks).sort(), ['bridge', NETWORK].sort());
      assert.deepEqual(info.HostConfig.ExtraHosts, ['db.reach.internal:10.11.12.13']);
      // Inside: the hosts line, the host's file, and the read-only mount refusing a write.
      const inside = await run('docker', [
        'exec',
        reachName,
        'node',
        '-e',
        `const fs = require('node:fs');
         let write = 'written';
         try { fs.writeFileSync('/srv/ro/new.txt', 'x'); } catch (err) { write = err.code; }
         process.stdout.write(JSON.stringify({ hosts: fs.readFileSync('/etc/hosts', 'utf8'), notes: fs.readFileSync('/srv/ro/notes.txt', 'utf8'), write }));`,
      ]);
      const seen = JSON.parse(inside.stdout) as { hosts: string; notes: string; write: string };
      assert.match(seen.hosts, /^10\.11\.12\.13\s+db\.reach\.internal$/m);
      assert.equal(seen.notes, 'from the host\n');
      assert.equal(seen.write, 'EROFS');

      // Run again: the same definition, so the connected container is only started, not made anew.
      const again = await sshSh(bed, script.content);
      assert.equal(again.code, 0, again.stderr.slice(-2000));
      const after = await docker.getContainer(reachName).inspect();
      assert.equal(after.Id, info.Id);
      assert.equal(after.State.StartedAt, info.State.StartedAt);
    });
  },
);
