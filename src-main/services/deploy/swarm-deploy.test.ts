// Integration, real parts: the testbed's sshd (key login) and dockerd, made a single-node Swarm here
// (`docker swarm init` on loopback, left again afterwards unless it was a Swarm already), the
// `mcp-fleet` CLI as a subprocess, @modelcontextprotocol/server-memory baked into the runtime image,
// MCP clients from @modelcontextprotocol/sdk.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Dockerode from 'dockerode';
import type {
  DeployResult,
  HealthSummary,
  HostCheck,
  InstanceView,
  MemberAdded,
} from '../../shared/contract';
import { LABELS } from '../instance-spec/constants';
import {
  addHost,
  installedVersion,
  instancesDir,
  listTools,
  testFleet,
  type TestFleet,
} from '../../test-support/fleet';
import { waitFor } from '../../test-support/wait-for';

/** Swarm acts asynchronously: what follows a change is awaited, for 30 s at most. */
const SWARM_SETTLES = { timeoutMs: 30_000, intervalMs: 250 };

void describe('mcp-fleet deploy --swarm (single-node Swarm on the testbed engine, over SSH)', () => {
  let f: TestFleet | undefined;
  let joined = false;
  let mem = '';
  const tokens: Record<string, string> = {};

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
  });

  after(async () => {
    if (!f) return;
    const docker = f.docker;
    if (mem !== '') {
      for (const s of await docker.listServices({ filters: { label: [`${LABELS.server}=${mem}`] } }))
        await docker.getService(s.ID).remove();
      await waitFor(async () => (await f?.containers(mem))?.length === 0, {
        ...SWARM_SETTLES,
        what: `the Swarm to remove the containers of ${mem}`,
      });
      for (const s of await docker.listSecrets({ filters: { label: [`${LABELS.server}=${mem}`] } }))
        await docker.getSecret(s.ID).remove();
      await f.wipe([mem]);
    }
    if (joined) await docker.swarmLeave({ force: true });
  });

  const fleet = (t: { skip(reason: string): void }): TestFleet | undefined => {
    if (!f) t.skip('no testbed with Docker');
    return f;
  };

  /** server-memory, Dedicated, for ann and ben, to deploy on the key-login host. */
  const addServer = (fl: TestFleet): void => {
    mem = `swmem-${fl.run}`;
    addHost(fl, 'tb-key', 'key');
    const version = installedVersion('@modelcontextprotocol/server-memory');
    const pkg = `@modelcontextprotocol/server-memory@${version}`;
    const add = fl.cli(['servers', 'add', mem, '--npx', pkg, '--mode', 'dedicated']);
    assert.equal(add.code, 0, add.stderr);
    for (const m of ['ann', 'ben']) tokens[m] = fl.json<MemberAdded>(['members', 'add', mem, m]).token;
  };

  const services = async (fl: TestFleet): Promise<Dockerode.Service[]> =>
    (await fl.docker.listServices({ filters: { label: [`${LABELS.server}=${mem}`] } })).sort((a, b) =>
      (a.Spec?.Name ?? '') < (b.Spec?.Name ?? '') ? -1 : 1,
    );
  const secrets = async (fl: TestFleet): Promise<string[]> =>
    (await fl.docker.listSecrets({ filters: { label: [`${LABELS.server}=${mem}`] } }))
      .map((s) => s.Spec?.Name ?? '')
      .sort();

  void it('refuses --swarm on a host that is not a Swarm manager, and creates nothing', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    const info = (await fl.docker.info()) as { Swarm?: { LocalNodeState?: string } };
    if (info.Swarm?.LocalNodeState === 'active') {
      t.skip('the testbed engine is a Swarm already');
      return;
    }
    addServer(fl);
    assert.equal(fl.json<HostCheck>(['hosts', 'check', 'tb-key']).swarm, 'inactive');
    const r = fl.cli(['deploy', mem, '--host', 'tb-key', '--swarm']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /tb-key is not part of a Swarm \(its engine says "inactive"\): run `docker swarm init`/,
    );
    assert.deepEqual(await fl.containers(mem), []);
  });

  void it('deploys a Dedicated server as one Swarm service per member, its files as Docker secrets', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    const info = (await fl.docker.info()) as { Swarm?: { LocalNodeState?: string } };
    if (info.Swarm?.LocalNodeState !== 'active') {
      await fl.docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
      joined = true;
    }
    if (mem === '') addServer(fl);
    assert.equal(fl.json<HostCheck>(['hosts', 'check', 'tb-key']).swarm, 'manager');
    const first = fl.json<DeployResult>(['deploy', mem, '--host', 'tb-key', '--swarm']);
    assert.deepEqual(
      first.instances.map((i) => [i.member, i.action]),
      [
        ['ann', 'created'],
        ['ben', 'created'],
      ],
    );
    const list = await services(fl);
    assert.deepEqual(
      list.map((s) => s.Spec?.Name),
      first.instances.map((i) => i.name),
    );
    for (const [i, s] of list.entries()) {
      const outcome = first.instances[i];
      assert.ok(outcome?.url);
      const task = s.Spec?.TaskTemplate as {
        ContainerSpec: {
          User: string;
          ReadOnly: boolean;
          CapabilityDrop: string[];
          Secrets: { SecretName: string; File: { Name: string; UID: string; Mode: number } }[];
          Env?: string[];
        };
        Resources: { Limits: { Pids: number } };
      };
      assert.equal(task.ContainerSpec.User, '10001:10001');
      assert.equal(task.ContainerSpec.ReadOnly, true);
      assert.deepEqual(task.ContainerSpec.CapabilityDrop, ['ALL']);
      assert.ok(task.Resources.Limits.Pids > 0);
      // The env and members files, and the bridge's TLS certificate and key.
      assert.deepEqual(
        task.ContainerSpec.Secrets.map((x) => [x.File.Name, x.File.UID, x.File.Mode]),
        [
          ['mcp-fleet-env', '10001', 0o400],
          ['mcp-fleet-members.json', '10001', 0o400],
          ['mcp-fleet-tls.crt', '10001', 0o400],
          ['mcp-fleet-tls.key', '10001', 0o400],
        ],
      );
      assert.match(outcome.url, /^https:\/\//);
      // The published port is the pinned one, in host mode (the client's address reaches the bridge).
      assert.deepEqual(
        (s.Spec?.EndpointSpec?.Ports ?? []).map((p) => [p.PublishedPort, p.PublishMode]),
        [[outcome.port, 'host']],
      );
      // Nothing of the instance's files is written on the host: they live in the Swarm's secrets.
      assert.equal(existsSync(path.join(instancesDir(fl.tb), outcome.name)), false);
      // Each member reaches only its own instance.
      const own = tokens[outcome.member ?? ''] ?? '';
      const other = tokens[outcome.member === 'ann' ? 'ben' : 'ann'] ?? '';
      assert.ok((await listTools(outcome.url, own)).includes('read_graph'));
      await assert.rejects(listTools(outcome.url, other), /invalid_token/);
    }
    assert.equal((await secrets(fl)).length, 8);
    // The state volume was handed to the container user: the server can write its memory file.
    const ann = first.instances.find((i) => i.member === 'ann');
    assert.ok(ann?.url);
    await callTool(ann.url, tokens.ann ?? '', 'create_entities', {
      entities: [{ name: 'swarm', entityType: 'test', observations: ['written through the bridge'] }],
    });

    const again = fl.json<DeployResult>(['deploy', mem, '--host', 'tb-key']);
    assert.deepEqual(
      again.instances.map((i) => i.action),
      ['unchanged', 'unchanged'],
      'the saved --swarm is kept and nothing changed',
    );
    const rows = fl.json<InstanceView[]>(['instances', 'list', mem]);
    assert.deepEqual(
      rows.map((r) => [r.name, r.drift]),
      first.instances.map((i) => [i.name, 'ok']),
    );
    const health = fl.json<HealthSummary>(['health']);
    const mine = health.instances.filter((i) => i.server === mem);
    assert.deepEqual(
      mine.map((i) => i.state),
      ['healthy', 'healthy'],
      JSON.stringify(mine.map((i) => i.reason)),
    );
  });

  void it('rolls a changed definition onto new secrets, removes the old ones, and keeps the state', async (t) => {
    const fl = fleet(t);
    if (!fl || mem === '') return;
    const before = await secrets(fl);
    const rotated = fl.cli(['secrets', 'rotate', mem, '--member', 'ann', '--json']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const token = (JSON.parse(rotated.stdout) as { tokens: { member: string; token: string }[] }).tokens.find(
      (x) => x.member === 'ann',
    )?.token;
    assert.ok(token);
    const after = await secrets(fl);
    const annSecrets = (names: string[]) => names.filter((n) => n.includes('-ann-'));
    assert.equal(annSecrets(after).length, 4);
    assert.deepEqual(
      annSecrets(after).filter((n) => annSecrets(before).includes(n)),
      [],
      'the rotation made new secrets and removed the old ones',
    );
    assert.deepEqual(
      after.filter((n) => n.includes('-ben-')),
      before.filter((n) => n.includes('-ben-')),
    );
    const ann = fl.json<InstanceView[]>(['instances', 'list', mem]).find((r) => r.member === 'ann');
    assert.ok(ann?.url);
    const graph = await callTool(ann.url, token, 'read_graph', {});
    assert.match(graph, /written through the bridge/);
  });

  void it('refuses a plain deploy over its services, and stops, restarts, logs and removes a service', async (t) => {
    const fl = fleet(t);
    if (!fl || mem === '') return;
    const plain = fl.cli(['deploy', mem, '--host', 'tb-key', '--no-swarm']);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /runs on tb-key as Swarm services \(.*\): deploy it with --swarm/);
    assert.equal((await services(fl)).length, 2);

    const ben = fl.json<InstanceView[]>(['instances', 'list', mem]).find((r) => r.member === 'ben');
    assert.ok(ben);
    const logs = fl.json<{ text: string }[]>(['instances', 'logs', ben.name, '--tail', '50']);
    assert.ok(logs.length > 0);
    assert.equal(fl.cli(['instances', 'stop', ben.name]).code, 0);
    await waitFor(async () => (await fl.containers(mem)).filter((c) => c.state === 'running').length === 1, {
      ...SWARM_SETTLES,
      what: `one running container of ${mem} after stopping ${ben.name}`,
    });
    const drift = (): string | undefined =>
      fl.json<InstanceView[]>(['instances', 'list', mem]).find((r) => r.name === ben.name)?.drift;
    assert.equal(drift(), 'not running');
    const rs = fl.cli(['instances', 'restart', ben.name]);
    assert.equal(rs.code, 0, rs.stderr);
    await waitFor(() => drift() === 'ok', { ...SWARM_SETTLES, what: `${ben.name} to run again` });

    const removed = fl.cli(['members', 'remove', mem, 'ben']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(
      (await services(fl)).map((s) => s.Spec?.Name),
      [fl.json<InstanceView[]>(['instances', 'list', mem])[0]?.name],
    );
    assert.equal((await secrets(fl)).filter((n) => n.includes('-ben-')).length, 0);
    await assert.rejects(fl.docker.getVolume(`${ben.name}-state`).inspect(), /no such volume/i);

    const annName = (await services(fl))[0]?.Spec?.Name ?? '';
    assert.equal(fl.cli(['instances', 'remove', annName]).code, 0);
    assert.deepEqual(await services(fl), []);
    assert.deepEqual(await secrets(fl), []);
    await waitFor(async () => (await fl.containers(mem)).length === 0, {
      ...SWARM_SETTLES,
      what: `the Swarm to remove the containers of ${mem}`,
    });
  });
});

async function callTool(
  url: string,
  token: string,
  name: string,
  args: Record<string, unknown>,
): Promise<string> {
  try {
    return await callToolOnce(url, token, name, args);
  } catch (err) {
    // This process's fetch keeps connections alive: one held to the previous version's container is
    // closed under it by the update ("other side closed"). A client connects again; so does this.
    if ((err as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw err;
    return callToolOnce(url, token, name, args);
  }
}

async function callToolOnce(
  url: string,
  token: string,
  name: string,
  args: Record<string, unknown>,
): Promise<string> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } =
    await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'swarm-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    const result = await client.callTool({ name, arguments: args });
    assert.notEqual(result.isError, true, JSON.stringify(result));
    return JSON.stringify(result.content);
  } finally {
    await client.close();
  }
}
