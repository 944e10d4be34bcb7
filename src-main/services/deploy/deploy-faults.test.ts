// Integration, real parts: the testbed's sshd and dockerd, server-everything from node_modules, the
// services through the contract (dispatch, as the UI calls them). Each fault must end in a clear error
// naming its cause, a failed deploy-history row and audit entry, and nothing of it left running.
import { FleetHostAccess } from '../bridge-client/host-access';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Services } from '../../app/composition-root';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/contract';
import { DefaultDockerClientFactory } from '../docker/docker-client-factory';
import { EventBus } from '../events';
import type { Store } from '../store/store';
import { DeployService } from './deploy-service';
import { HostTargets } from '../host-ops/host-targets';
import {
  inProcessFleet,
  installedVersion,
  testFleet,
  type InProcessFleet,
  type TestFleet,
} from '../../test-support/fleet';

void describe('deploy faults (testbed sshd + dockerd, server-everything)', () => {
  let f: TestFleet | undefined;
  let fleet: InProcessFleet | undefined;
  let services: Services | undefined;
  let store: Store | undefined;
  const servers: string[] = [];
  const cleanups: (() => unknown)[] = [];

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
    if (!f) return;
    fleet = await inProcessFleet(f);
    ({ services, store } = fleet);
  });

  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
    fleet?.close();
    await f?.wipe(servers);
  });

  function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
    if (!fleet) throw new Error('no services');
    return fleet.call(channel, input);
  }

  /** A Shared server with one member; returns its name. */
  async function sharedServer(
    prefix: string,
    source: ChannelInput<'servers:add'>['source'],
    args: string[] = [],
  ): Promise<string> {
    const name = `${prefix}-${f?.run ?? ''}`;
    servers.push(name);
    await call('servers:add', { name, source, args, mode: 'shared' });
    await call('members:add', { server: name, name: 'ops' });
    return name;
  }

  const everything = (): ChannelInput<'servers:add'>['source'] => ({
    kind: 'npx',
    value: `@modelcontextprotocol/server-everything@${installedVersion('@modelcontextprotocol/server-everything')}`,
  });

  /** Deploys expecting a failure; checks the code, the message, the history and audit rows, and that nothing runs. */
  async function expectFailure(
    server: string,
    host: string,
    code: string,
    message: RegExp,
    port?: number,
  ): Promise<void> {
    const fl = f as TestFleet;
    await assert.rejects(
      call('deploy:run', { server, host, ...(port === undefined ? {} : { port }) }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, code, err.message);
        assert.match(err.message, message);
        return true;
      },
    );
    const history = store?.deploys.list({ limit: 1 })[0];
    assert.equal(history?.outcome, 'failed');
    assert.match(history?.detail ?? '', message);
    const audit = store?.audit
      .list(20)
      .find((e) => e.action === 'deploy.run' && e.target === `${server}@${host}`);
    assert.equal(audit?.outcome, 'failed');
    assert.deepEqual(await fl.containers(server), [], 'nothing of the failed deploy is left');
  }

  void it('names an unreachable host, a refused password, and an unusable key passphrase', async (t) => {
    if (!f || !store) return t.skip('no testbed');
    const server = await sharedServer('faults-login', everything());
    const ssh = f.tb.ssh;
    await call('hosts:add', {
      kind: 'ssh',
      name: 'nowhere',
      user: ssh.username,
      address: '127.0.0.1',
      port: await closedPort(),
      credential: { kind: 'password', password: 'x' },
    });
    await expectFailure(
      server,
      'nowhere',
      'unavailable',
      /cannot reach host "nowhere" \(127\.0\.0\.1:\d+\): connection refused/,
    );
    await call('hosts:add', {
      kind: 'ssh',
      name: 'badpw',
      user: ssh.username,
      address: ssh.host,
      port: ssh.port,
      credential: { kind: 'password', password: 'not-the-password' },
    });
    await expectFailure(
      server,
      'badpw',
      'unauthorized',
      /login refused for fleet-test@127\.0\.0\.1:\d+: wrong password or key/,
    );
    // The add-host check refuses a wrong passphrase; one stored earlier (a changed key) fails at deploy.
    await assert.rejects(
      call('hosts:add', {
        kind: 'ssh',
        name: 'badpass',
        user: ssh.username,
        address: ssh.host,
        port: ssh.port,
        credential: {
          kind: 'key',
          privateKey: readFileSync(ssh.encryptedKeyPath, 'utf8'),
          passphrase: 'wrong',
        },
      }),
      /passphrase does not decrypt the key/,
    );
    store.hosts.insert(
      {
        name: 'badpass',
        kind: 'ssh',
        user: ssh.username,
        address: ssh.host,
        port: ssh.port,
        auth: 'key',
        hostKeySha256: null,
      },
      { secret: readFileSync(ssh.encryptedKeyPath, 'utf8'), passphrase: 'wrong' },
    );
    await expectFailure(
      server,
      'badpass',
      'invalid_input',
      /passphrase stored for "badpass" does not decrypt its SSH key/,
    );
  });

  void it('names a missing Docker engine and a login that may not use it', async (t) => {
    if (!f || !store || !services) return t.skip('no testbed');
    const server = await sharedServer('faults-docker', everything());
    // A Unix socket only root may open, standing in for a docker.sock of another group.
    const denied = `/tmp/fleet-denied-${f.run}.sock`;
    execFileSync('python3', [
      '-c',
      `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(denied)})`,
    ]);
    execFileSync('chmod', ['600', denied]);
    cleanups.push(() => execFileSync('rm', ['-f', denied]));
    for (const [socket, code, message] of [
      [`/tmp/no-docker-${f.run}.sock`, 'unavailable', /no Docker engine answers on tb/],
      [denied, 'unauthorized', /the login fleet-test on tb may not use Docker: add it to the docker group/],
    ] as const) {
      const ssh = services.fleet.ssh;
      const docker = new DefaultDockerClientFactory({ store, ssh, remoteSocketPath: socket, log: () => {} });
      const deploy = new DeployService({
        store,
        events: new EventBus(),
        actor: 'test',
        images: services.fleet.images,
        targets: new HostTargets(store, ssh, docker, new FleetHostAccess(ssh, docker)),
        tls: services.fleet.tls,
      });
      await assert.rejects(deploy.deploy(server, 'tb'), (err: Error & { code?: string }) => {
        assert.equal(err.code, code);
        assert.match(err.message, message);
        return true;
      });
      assert.equal(store.deploys.list({ limit: 1 })[0]?.outcome, 'failed');
      assert.match(store.deploys.list({ limit: 1 })[0]?.detail ?? '', message);
    }
  });

  void it('names a port that is taken and leaves nothing behind', async (t) => {
    if (!f) return t.skip('no testbed');
    const server = await sharedServer('faults-port', everything());
    const holder = await listen();
    cleanups.push(() => new Promise((resolve) => holder.server.close(resolve)));
    await expectFailure(
      server,
      'tb',
      'conflict',
      new RegExp(`port ${holder.port} is already in use on tb`),
      holder.port,
    );
  });

  void it('names a failed image build', async (t) => {
    if (!f) return t.skip('no testbed');
    // An image without Node: the runtime image's build step cannot run in it.
    const empty = `mcp-fleet-test/empty:${f.run}`;
    execFileSync('sh', ['-c', `tar cf - -T /dev/null | docker import - ${empty}`]);
    cleanups.push(() =>
      f?.docker
        .getImage(empty)
        .remove({ force: true })
        .catch(() => undefined),
    );
    const server = await sharedServer('faults-build', { kind: 'image', value: empty }, ['serve']);
    await expectFailure(
      server,
      'tb',
      'unavailable',
      /the runtime image for "faults-build-\w+" could not be built on tb: .*failed/,
    );
  });

  void it('says which hardening limit a server hit when it cannot run under them', async (t) => {
    if (!f) return t.skip('no testbed');
    const server = await sharedServer('faults-rofs', { kind: 'command', value: 'node' }, [
      '-e',
      "require('fs').writeFileSync('/opt/mcp-server/state.json', '{}')",
    ]);
    await expectFailure(
      server,
      'tb',
      'unavailable',
      /failed its connection test: .*read-only file system.*relax|EROFS.*root filesystem is read-only/,
    );
  });
});

async function closedPort(): Promise<number> {
  const { server, port } = await listen();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '0.0.0.0' }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    });
  });
}
