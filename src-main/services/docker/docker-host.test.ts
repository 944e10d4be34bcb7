// Integration: a Docker engine (the testbed's dockerd) reached over the testbed's sshd by a forwarded socket.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { ensureLocalNodeBaseImage } from '../../../e2e/fixtures/base-image';
import { FleetError } from '../../shared/errors';
import type { BuildProgress } from './image-build';
import type { LogLine } from './log-stream';
import { packTar } from './tar-pack';
import { runLabel, testbedDocker } from '../../test-support/docker-hosts';

const TEST_LABEL = 'io.mcp-fleet.test';

function fleetError(code: string, pattern: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof FleetError, `expected a FleetError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  };
}

test('Docker over the held SSH session: version and many calls on one connection (sshd, dockerd)', async (t) => {
  const ctx = await testbedDocker(t);
  if (!ctx) return;
  const docker = await ctx.factory.host(ctx.host.id);
  assert.equal(docker.transport, 'forwarded-socket');
  const version = await docker.version();
  assert.match(version.version, /^\d+\.\d+/);
  assert.match(version.apiVersion, /^1\.\d+$/);
  await Promise.all(Array.from({ length: 20 }, () => docker.ping()));
  assert.ok((await docker.info()).ServerVersion === version.version);
  assert.equal(ctx.connector.opened, 1);
  assert.deepEqual(ctx.logged, []);
});

test('a container: create, start, logs (follow), inspect, list by label, stats, stop, remove (sshd, dockerd)', async (t) => {
  const ctx = await testbedDocker(t, 'password');
  if (!ctx) return;
  const image = await ensureLocalNodeBaseImage();
  const docker = await ctx.factory.host(ctx.host.id);
  const label = runLabel('container');
  ctx.defer(async () => {
    for (const c of await docker.listByLabel({ [TEST_LABEL]: label })) await docker.remove(c.Id);
  });
  const name = `fleet-test-${label}`;
  const script = [
    "console.log('out-1');",
    "console.error('err-1');",
    "let n = 0; setInterval(() => { n += 1; console.log('tick-' + n); }, 100);",
  ].join(' ');
  const id = await docker.create({
    name,
    Image: image,
    Cmd: ['node', '-e', script],
    Labels: { [TEST_LABEL]: label },
    HostConfig: { Init: true },
  });
  await docker.start(id);
  await docker.start(id);

  const seen: LogLine[] = [];
  for await (const line of docker.logs(name, { follow: true })) {
    seen.push(line);
    if (line.text === 'tick-3') break;
  }
  // stdout and stderr reach the engine through separate pipes: their relative order is not kept.
  assert.ok(seen.some((l) => l.stream === 'stdout' && l.text === 'out-1'));
  assert.ok(seen.some((l) => l.stream === 'stderr' && l.text === 'err-1'));
  assert.deepEqual(
    seen.filter((l) => l.text.startsWith('tick-')).map((l) => l.text),
    ['tick-1', 'tick-2', 'tick-3'],
  );
  const tail = [];
  for await (const line of docker.logs(id, { tail: 1 })) tail.push(line);
  assert.equal(tail.length, 1);

  const info = await docker.inspect(name);
  assert.equal(info?.Id, id);
  assert.equal(info?.State.Running, true);
  assert.equal(info?.Config.Labels[TEST_LABEL], label);
  assert.deepEqual(
    (await docker.listByLabel({ [TEST_LABEL]: label })).map((c) => c.Id),
    [id],
  );
  assert.deepEqual(await docker.listByLabel({ [TEST_LABEL]: `${label}-other` }), []);
  const stats = await docker.stats(id);
  assert.ok((stats.memoryBytes ?? 0) > 0, `memory use: ${JSON.stringify(stats)}`);

  await docker.stop(id, 2);
  assert.equal((await docker.inspect(id))?.State.Running, false);
  await docker.stop(id, 2);
  assert.equal(await docker.remove(id), true);
  assert.equal(await docker.inspect(id), null);
  assert.equal(await docker.remove(id), false);
  assert.equal(ctx.connector.opened, 1);
});

test('image build from a streamed tar context, with progress, presence and a failing step (sshd, dockerd)', async (t) => {
  const ctx = await testbedDocker(t);
  if (!ctx) return;
  const base = await ensureLocalNodeBaseImage();
  const docker = await ctx.factory.host(ctx.host.id);
  const unique = runLabel('b');
  const tag = `mcp-fleet-test/build:${unique}`;
  ctx.defer(async () => {
    await docker.removeImage(tag);
  });
  assert.equal(await docker.hasImage(tag), false);
  const progress: BuildProgress[] = [];
  const context = packTar([
    {
      name: 'Dockerfile',
      data: `FROM ${base}\nCOPY greeting.txt /greeting.txt\nRUN ["node", "-e", "console.log(require('fs').readFileSync('/greeting.txt','utf8'))"]\n`,
    },
    // Unique content, so the build cache cannot skip the RUN step whose output is checked.
    { name: 'greeting.txt', data: `hello from the context ${unique}` },
  ]);
  const built = await docker.buildImage(
    { tar: context },
    { tag, labels: { [TEST_LABEL]: 'build' }, onProgress: (p) => progress.push(p) },
  );
  assert.equal(built.tag, tag);
  assert.match(built.imageId ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.ok(progress.some((p) => p.kind === 'step' && /^Step 1\/\d+ : FROM /.test(p.text)));
  assert.ok(progress.some((p) => p.kind === 'output' && p.text.includes(`hello from the context ${unique}`)));
  assert.equal((await docker.imageInspect(tag))?.Config.Labels?.[TEST_LABEL], 'build');

  const failing = packTar([
    { name: 'Dockerfile', data: `FROM ${base}\nRUN ["node", "-e", "process.exit(3)"]\n` },
  ]);
  await assert.rejects(
    docker.buildImage({ tar: failing }, { tag: `${tag}-bad` }),
    fleetError(
      'unavailable',
      /^the image build of .*-bad on tb-key-\d+ failed: .*returned a non-zero code: 3/,
    ),
  );
  assert.equal(await docker.hasImage(`${tag}-bad`), false);
});

test('volumes: create, keep, remove, and removing a missing one (sshd, dockerd)', async (t) => {
  const ctx = await testbedDocker(t);
  if (!ctx) return;
  const docker = await ctx.factory.host(ctx.host.id);
  const name = `fleet-test-${runLabel('vol')}`;
  ctx.defer(async () => {
    await docker.removeVolume(name);
  });
  await docker.createVolume(name, { [TEST_LABEL]: 'volume' });
  await docker.createVolume(name, { [TEST_LABEL]: 'volume' });
  const volume = (await docker.docker.getVolume(name).inspect()) as { Labels?: Record<string, string> };
  assert.equal(volume.Labels?.[TEST_LABEL], 'volume');
  assert.equal(await docker.removeVolume(name), true);
  assert.equal(await docker.removeVolume(name), false);
});

test('engine errors become operator sentences: taken name, taken port, missing image (sshd, dockerd)', async (t) => {
  const ctx = await testbedDocker(t);
  if (!ctx) return;
  const image = await ensureLocalNodeBaseImage();
  const docker = await ctx.factory.host(ctx.host.id);
  const label = runLabel('errors');
  ctx.defer(async () => {
    for (const c of await docker.listByLabel({ [TEST_LABEL]: label })) await docker.remove(c.Id);
  });
  // A port this process holds on all interfaces: the engine cannot publish it.
  const holder = createServer().listen(0, '0.0.0.0');
  await new Promise((resolve) => holder.once('listening', resolve));
  ctx.defer(() => holder.close());
  const address = holder.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const name = `fleet-test-${label}`;
  const config = {
    name,
    Image: image,
    Cmd: ['node', '-e', 'setTimeout(() => {}, 60000)'],
    Labels: { [TEST_LABEL]: label },
    ExposedPorts: { '3000/tcp': {} },
    HostConfig: { PortBindings: { '3000/tcp': [{ HostPort: String(port) }] } },
  };
  const id = await docker.create(config);
  await assert.rejects(
    docker.create(config),
    fleetError('conflict', new RegExp(`^container ${name} on tb-key-\\d+: .*already in use`)),
  );
  await assert.rejects(
    docker.start(id),
    fleetError('conflict', new RegExp(`^port ${port} is already in use on tb-key-\\d+`)),
  );
  await assert.rejects(
    docker.create({ Image: 'mcp-fleet-test/absent:never', Labels: { [TEST_LABEL]: label } }),
    fleetError('not_found', /^the new container on tb-key-\d+: No such image: mcp-fleet-test\/absent:never/),
  );
  await assert.rejects(
    docker.restart('fleet-test-no-such-container'),
    fleetError('not_found', /No such container/),
  );
  assert.equal(await docker.inspect('fleet-test-no-such-container'), null);
});
