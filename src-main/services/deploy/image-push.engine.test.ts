// Integration, real parts: the testbed's sshd (key login) and dockerd (the machine's own engine, which
// treats 127.0.0.0/8 registries as plain-HTTP "insecure" ones by default), the services in this process
// and the `mcp-fleet` CLI as a subprocess on the same store, @modelcontextprotocol/server-memory baked
// into the runtime image, and OCI registries served by this process (test-support/oci-registry.ts: no
// registry image can be pulled here). Nothing here may block the event loop: it serves the registries.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { NODE_BASE_IMAGE } from '../../../e2e/fixtures/base-image';
import { createServices, type Services } from '../../app/composition-root';
import { dispatch } from '../../ipc/handle';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/contract';
import {
  PASSPHRASE,
  installedVersion,
  testFleet,
  type CliResult,
  type TestFleet,
} from '../../test-support/fleet';
import { startOciRegistry, type OciRegistry } from '../../test-support/oci-registry';
import { memberRecord, serverRecord } from '../../test-support/records';
import { PassphraseKeyProvider } from '../store/key-providers';
import { serviceSpec } from '../host-ops/swarm-spec';
import { plannedInstances } from './desired-state';
import { registryError } from './image-push';

const run = promisify(execFile);
const RUN_LABEL = 'org.mcp-fleet.test-image-push';
const PASSWORD = 'registry-pass-Zq81';

void describe('images push: a runtime image pushed from the host to a registry (testbed sshd + dockerd)', () => {
  let f: TestFleet | undefined;
  let s: Services | undefined;
  let open: OciRegistry | undefined;
  let locked: OciRegistry | undefined;
  let base = '';
  let server = '';
  /** The local runtime tag, `mcp-fleet/runtime:…`, once the first export named it. */
  let localTag = '';
  let plainK8s = '';
  /** Every image reference this file may have left on the engine. */
  const refs = new Set<string>();

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
    if (!f) return;
    open = await startOciRegistry();
    locked = await startOciRegistry({ auth: { username: 'pusher', password: PASSWORD } });
    // A base of this run's own, so the runtime image (and its id) is this run's alone and may be removed.
    base = `mcp-fleet-test/push-base:${f.run}`;
    const build = run('docker', ['build', '--quiet', '--label', `${RUN_LABEL}=${f.run}`, '-t', base, '-']);
    build.child.stdin?.end(`FROM ${NODE_BASE_IMAGE}\n`);
    await build;
    f.env.MCP_FLEET_BASE_IMAGE = base;
    // The same store as the CLI's (same passphrase), so both see what the other did.
    for (const [k, v] of Object.entries(f.env)) if (k.startsWith('MCP_FLEET_')) process.env[k] = v;
    s = await createServices({
      home: f.home,
      keyProvider: new PassphraseKeyProvider(PASSPHRASE),
      transport: 'web',
      actor: 'test',
    });
    const ssh = f.tb.ssh;
    await call('hosts:add', {
      kind: 'ssh',
      name: 'tb',
      user: ssh.username,
      address: ssh.host,
      port: ssh.port,
      credential: { kind: 'key', privateKey: readFileSync(ssh.keyPath, 'utf8') },
    });
    server = `push-${f.run}`;
    const version = installedVersion('@modelcontextprotocol/server-memory');
    await call('servers:add', {
      name: server,
      source: { kind: 'npx', value: `@modelcontextprotocol/server-memory@${version}` },
      mode: 'shared',
      port: 18931,
    });
    await call('members:add', { server, name: 'alice' });
    // Without a push-registry: the export as it always was, naming the local tag.
    plainK8s = await exported('k8s');
    localTag = /image: (mcp-fleet\/runtime:[0-9a-f]{16})\n/.exec(plainK8s)?.[1] ?? '';
  });

  after(async () => {
    s?.close();
    await open?.close();
    await locked?.close();
    if (!f) return;
    for (const ref of [...refs, base]) {
      await f.docker
        .getImage(ref)
        .remove()
        .catch(() => undefined);
    }
  });

  async function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
    if (!s) throw new Error('no services');
    const r = await dispatch(s.handlers, channel, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.data as ChannelOutput<C>;
  }
  const ready = (t: { skip(reason: string): void }): TestFleet | undefined => {
    if (!f || !s || !open || !locked) t.skip('no testbed with Docker');
    return f;
  };
  const exported = async (format: 'swarm' | 'k8s'): Promise<string> => {
    const r = await call('export:render', { server, format });
    return `${r.content}\n${(r.notes ?? []).join('\n')}`;
  };
  /** The CLI without blocking this process. */
  const cli = (fl: TestFleet, args: string[], stdin = ''): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = fl.spawnCli(args);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin?.end(stdin);
    });
  const inspect = (fl: TestFleet, ref: string): Promise<Dockerode.ImageInspectInfo | null> =>
    fl.docker
      .getImage(ref)
      .inspect()
      .catch(() => null);
  const pushError = async (): Promise<Error & { code?: string }> => {
    try {
      await s?.fleet.pusher.pushServer(server, 'tb');
    } catch (err) {
      return err as Error & { code?: string };
    }
    throw new Error('the push went through');
  };

  void it('refuses without a push-registry, and the exports stay as they were', async (t) => {
    if (!ready(t)) return;
    const err = await pushError();
    assert.equal(err.code, 'invalid_input');
    assert.match(err.message, /no push-registry is set for tb: `mcp-fleet settings set push-registry/);
    assert.match(plainK8s, /Push the runtime image to a registry the\n# cluster pulls from/);
    assert.ok(localTag !== '', plainK8s);
  });

  void it('pushes, prints ref@digest, and docker pull of that digest gets the image back', async (t) => {
    const fl = ready(t);
    if (!fl || !open) return;
    const registry = `${open.host}/fleet-test`;
    await call('settings:set', { key: 'push-registry', value: registry });
    const ref = `${registry}/${localTag}`;
    // Before the push the exports name the registry's ref and say how to push it.
    const before = await exported('swarm');
    assert.ok(before.includes(`image: ${ref}\n`), before);
    assert.match(before, /has not been pushed to .* yet:\n# run `mcp-fleet images push push-/);

    const r = await cli(fl, ['images', 'push', server, '--host', 'tb']);
    assert.equal(r.code, 0, r.stderr);
    const pinned = r.stdout.trim();
    const [pushedRef, digest = ''] = pinned.split('@');
    assert.equal(pushedRef, ref);
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    const byDigest = `${ref.slice(0, ref.lastIndexOf(':'))}@${digest}`;
    for (const name of [localTag, ref, byDigest]) refs.add(name);
    // The registry holds that manifest under the tag and the digest, and the digest is its bytes'.
    const stored = open.manifests.get('fleet-test/mcp-fleet/runtime')?.get(localTag.split(':')[1] ?? '');
    assert.ok(stored);
    assert.equal(stored.digest, digest);
    assert.equal(`sha256:${createHash('sha256').update(stored.body).digest('hex')}`, digest);
    assert.ok(
      open.requests.some((q) => q.startsWith('PATCH /v2/fleet-test/mcp-fleet/runtime/blobs/uploads/')),
    );

    // Gone from the engine (every name of it), then pulled back by digest from the registry.
    const id = (await inspect(fl, pinned))?.Id ?? '';
    assert.ok(id !== '');
    for (const name of [localTag, ref, byDigest]) {
      await fl.docker
        .getImage(name)
        .remove()
        .catch(() => undefined);
    }
    assert.equal(await inspect(fl, id), null, 'the image is gone from the engine');
    const pulls = open.requests.length;
    await run('docker', ['pull', '--quiet', byDigest]);
    assert.equal((await inspect(fl, pinned))?.Id, id, 'the same image came back');
    // Its local name again, so later cases find the image built.
    await fl.docker.getImage(byDigest).tag({ repo: 'mcp-fleet/runtime', tag: localTag.split(':')[1] ?? '' });
    assert.ok(
      open.requests.slice(pulls).some((q) => q.startsWith('GET /v2/fleet-test/mcp-fleet/runtime/blobs/')),
    );

    // The exports name it by digest now (swarm and k8s share the rule; k8s's header changes most).
    const k8s = await exported('k8s');
    assert.ok(k8s.includes(`image: ${pinned}\n`), k8s);
    assert.match(
      k8s,
      /^# Kubernetes manifests: `kubectl apply -f THIS_FILE`\.\n# The runtime image is .*, pushed to 127\.0\.0\.1:\d+\/fleet-test\n/m,
    );
    assert.ok(!k8s.includes('change `image:` to match'));
  });

  void it('a refused or missing credential and an unreachable registry are named, and change nothing', async (t) => {
    const fl = ready(t);
    if (!fl || !locked) return;
    const host = locked.host;
    await call('settings:set', { key: 'push-registry', value: host, host: 'tb' });
    const ref = `${host}/${localTag}`;
    refs.add(ref);

    const none = await pushError();
    assert.equal(none.code, 'unauthorized');
    assert.match(
      none.message,
      new RegExp(`^the registry ${host} asks for a credential \\(HTTP 401[^)]*\\) and none is stored`),
    );

    const login = await cli(
      fl,
      ['images', 'login', host, '--username', 'pusher', '--password-stdin'],
      'wrong-pass\n',
    );
    assert.equal(login.code, 0, login.stderr);
    assert.ok(!login.stdout.includes('wrong-pass'));
    const listed = await call('settings:get', {});
    assert.ok(!JSON.stringify(listed).includes('wrong-pass'), 'never shown with the settings');
    const refused = await cli(fl, ['images', 'push', server, '--host', 'tb']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`mcp-fleet: the registry ${host} refused the stored credential \\(HTTP 401 Unauthorized\\)`),
    );
    assert.ok(!refused.stderr.includes('wrong-pass'));
    assert.equal(locked.manifests.size, 0);
    assert.equal(locked.blobs.size, 0);
    assert.equal(await inspect(fl, ref), null, 'no registry tag was left on the host');

    const dead = await startOciRegistry();
    await dead.close();
    await call('settings:set', { key: 'push-registry', value: dead.host, host: 'tb' });
    const unreachable = await pushError();
    assert.equal(unreachable.code, 'unavailable');
    assert.match(
      unreachable.message,
      new RegExp(`^the registry ${dead.host} cannot be reached from the engine on tb: .*connection refused`),
    );
    assert.equal(await inspect(fl, `${dead.host}/${localTag}`), null);
  });

  void it('deploy --swarm with a push-registry refuses a host that is no Swarm manager before pushing', async (t) => {
    const fl = ready(t);
    if (!fl || !open) return;
    const info = (await fl.docker.info()) as { Swarm?: { LocalNodeState?: string } };
    if (info.Swarm?.LocalNodeState === 'active') return t.skip('the testbed engine is a Swarm already');
    await call('settings:set', { key: 'push-registry', value: `${open.host}/fleet-test` });
    const requests = open.requests.length;
    await assert.rejects(
      call('deploy:run', { server, host: 'tb', swarm: true }),
      /tb is not part of a Swarm/,
    );
    assert.equal(open.requests.length, requests, 'nothing went to the registry');
  });

  void it('a Swarm service made from a pushed image names it by digest', () => {
    const pinned = `127.0.0.1:5000/mcp-fleet/runtime:0123456789abcdef@sha256:${'a'.repeat(64)}`;
    const [planned] = plannedInstances({
      server: serverRecord({ mode: 'shared' }),
      members: [{ record: memberRecord('alice'), state: { env: [], port: null, previousTokenSha256: null } }],
      image: { tag: pinned },
      home: '/home/ops',
      portOf: () => 18080,
      options: { swarm: true },
    });
    assert.ok(planned);
    const spec = serviceSpec(planned, [], 'node-1') as { TaskTemplate: { ContainerSpec: { Image: string } } };
    assert.equal(spec.TaskTemplate.ContainerSpec.Image, pinned);
  });

  void it('words the engine answers as sentences that name the registry and the status', () => {
    const e = registryError(
      'r.example:5000/team',
      'db-2',
      'login attempt to https://u:p@r.example:5000/v2/ failed with status: 403 Forbidden',
    );
    assert.equal(e.code, 'unauthorized');
    assert.match(e.message, /the registry r\.example:5000 denied the push \(HTTP 403 Forbidden\)/);
    assert.ok(!e.message.includes('u:p'));
    const plain = registryError(
      'r.example:5000',
      'db-2',
      'Get "https://r.example:5000/v2/": http: server gave HTTP response to HTTPS client',
    );
    assert.match(plain.message, /speaks plain HTTP.*insecure-registries/);
  });
});
