// Integration, real parts: the testbed's sshd and dockerd, and @modelcontextprotocol/server-memory from
// node_modules baked into the runtime image (a server that keeps state in a volume per instance).
// Covers `servers set --mode`: bad input refused before anything is saved or a host contacted (the
// dry run included), then Shared with two members to Dedicated (the shared container gone, one
// container per member, each old token served by its own instance only) and back to Shared (one
// container, both tokens), members and tokens untouched throughout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/contract';
import { LABELS } from '../instance-spec/constants';
import { containerName } from '../instance-spec/names';
import type { Store } from '../store/store';
import {
  initializeStatus,
  inProcessFleet,
  installedVersion,
  listTools,
  testFleet,
  type InProcessFleet,
  type TestFleet,
} from '../../test-support/fleet';

const SERVER = '@modelcontextprotocol/server-memory';

void describe('servers set --mode (testbed sshd + dockerd, server-memory)', () => {
  let f: TestFleet | undefined;
  let fleet: InProcessFleet | undefined;
  let store: Store | undefined;
  const servers: string[] = [];

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
    if (!f) return;
    fleet = await inProcessFleet(f);
    store = fleet.store;
  });

  after(async () => {
    fleet?.close();
    await f?.wipe(servers);
  });

  function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
    if (!fleet) throw new Error('no services');
    return fleet.call(channel, input);
  }

  void it('refuses bad input untouched, then Shared -> Dedicated -> Shared with every token kept', async (t) => {
    if (!f || !store || !fleet) return t.skip('no testbed');
    const name = `mode-${f.run}`;
    servers.push(name);
    await call('servers:add', {
      name,
      source: { kind: 'npx', value: `${SERVER}@${installedVersion(SERVER)}` },
      mode: 'shared',
    });
    const tokens = new Map<string, string>();
    for (const m of ['m1', 'm2']) tokens.set(m, (await call('members:add', { server: name, name: m })).token);
    const first = await call('deploy:run', { server: name, host: 'tb' });
    const sharedName = containerName(name, null);
    assert.deepEqual(
      first.instances.map((i) => i.name),
      [sharedName],
    );
    const record = store.servers.getByName(name);
    assert.ok(record);
    const hashes = () => store?.members.listByServer(record.id).map((m) => [m.name, m.tokenSha256]);
    const hashesBefore = hashes();
    const own = new Map(['m1', 'm2'].map((m) => [m, containerName(name, m)]));

    // Bad input and the dry run: nothing saved, no container touched, no SSH session opened.
    const host = store.hosts.getByName('tb');
    assert.ok(host);
    const ssh = fleet.services.fleet.ssh;
    fleet.services.fleet.docker.forget(host.id);
    ssh.close(host.id);
    const opened: string[] = [];
    const stop = ssh.onChange((e) => {
      if (e.state === 'connected') opened.push(e.hostId);
    });
    const snapshot = () => ({
      servers: store?.servers.list(),
      members: store?.members.listByServer(record.id).map((m) => store?.deployState.member(m.id)),
      audit: store?.audit.list(500).length,
      deploys: store?.deploys.list({}).length,
    });
    const before = snapshot();
    const containers = await f.containers(name);
    const cases: [ChannelInput<'servers:set'>, string, RegExp][] = [
      [
        { server: name, mode: 'dedicated' },
        'invalid_input',
        /keeps its data in \/var\/lib\/mcp-server, a volume per instance: .*-state is removed .* Give --fresh-volumes/,
      ],
      [
        { server: name, mode: 'dedicated', freshVolumes: true, roots: [{ uri: 'file:///srv' }] },
        'invalid_input',
        /has 1 root\(s\), which only Shared servers take.*--no-roots/,
      ],
      [
        { server: name, mode: 'dedicated', freshVolumes: true, port: 19999 },
        'invalid_input',
        /one port per member/,
      ],
      [
        { server: name, mode: 'dedicated', freshVolumes: true, dropMemberEnv: true },
        'invalid_input',
        /goes with a change to Shared/,
      ],
      [
        { server: name, freshVolumes: true, args: [] },
        'invalid_input',
        /fresh volumes go with a change of mode/,
      ],
      [
        { server: name, mode: 'shared' },
        'invalid_input',
        /nothing to change: server "mode-.*" is already Shared/,
      ],
      [{ server: name, mode: 'solo' as 'shared' }, 'invalid_input', /mode/],
    ];
    let dry: ChannelOutput<'servers:set'> | undefined;
    try {
      for (const [input, code, message] of cases) {
        await assert.rejects(
          call('servers:set', input),
          (err: Error & { code?: string }) => err.code === code && message.test(err.message),
          message.source,
        );
      }
      dry = await call('servers:set', { server: name, mode: 'dedicated', freshVolumes: true, dryRun: true });
    } finally {
      stop();
    }
    assert.deepEqual(opened, [], 'no SSH session was opened');
    assert.deepEqual(snapshot(), before, 'nothing saved');
    assert.deepEqual(await f.containers(name), containers, 'no container touched');
    assert.deepEqual(
      [dry.dryRun, dry.deploys, dry.server.mode, dry.server.port],
      [true, [], 'dedicated', null],
    );
    assert.deepEqual(dry.modeChange?.hosts, [
      { host: 'tb', remove: [sharedName], create: [own.get('m1'), own.get('m2')] },
    ]);

    // Shared -> Dedicated: the shared container goes, one per member comes, each on its own port.
    const toDedicated = await call('servers:set', { server: name, mode: 'dedicated', freshVolumes: true });
    assert.equal(toDedicated.deployError, null);
    assert.deepEqual(
      toDedicated.deploys[0]?.instances.map((i) => [i.name, i.action]),
      [
        [sharedName, 'removed'],
        [own.get('m1'), 'created'],
        [own.get('m2'), 'created'],
      ],
    );
    assert.deepEqual(
      (await f.containers(name)).map((c) => [c.name, c.state]),
      [...own.values()].sort().map((n) => [n, 'running']),
      'the shared container is gone',
    );
    const { Volumes } = await f.docker.listVolumes({ filters: { name: [`${sharedName}-state`] } });
    assert.deepEqual(
      (Volumes ?? []).filter((v) => v.Name === `${sharedName}-state`),
      [],
      'its state volume went with it',
    );
    const urls = new Map(toDedicated.deploys[0]?.instances.map((i) => [i.member ?? '', i.url ?? '']));
    const [url1, url2] = [urls.get('m1') ?? '', urls.get('m2') ?? ''];
    assert.notEqual(url1, url2);
    assert.ok((await listTools(url1, tokens.get('m1') ?? '')).includes('create_entities'));
    assert.ok((await listTools(url2, tokens.get('m2') ?? '')).includes('create_entities'));
    assert.equal(await initializeStatus(url1, tokens.get('m2') ?? ''), 401, "m2's token on m1's instance");
    assert.equal(await initializeStatus(url2, tokens.get('m1') ?? ''), 401, "m1's token on m2's instance");
    assert.deepEqual(hashes(), hashesBefore, 'members and their tokens are untouched');
    // Drift reads the same plan: the old shape's container is neither left over nor missing.
    const drift = await call('instances:list', { server: name });
    assert.deepEqual(
      drift.map((i) => [i.name, i.drift === 'extra' || i.drift === 'missing' ? i.drift : 'here']),
      [...own.values()].sort().map((n) => [n, 'here']),
      'no orphan of the Shared shape',
    );

    // Dedicated -> Shared: one container again, and both old tokens work on it.
    const toShared = await call('servers:set', { server: name, mode: 'shared', freshVolumes: true });
    assert.equal(toShared.deployError, null);
    assert.deepEqual(
      (await f.containers(name)).map((c) => [c.name, c.state]),
      [[sharedName, 'running']],
    );
    const sharedUrl = toShared.deploys[0]?.instances.find((i) => i.name === sharedName)?.url ?? '';
    for (const [member, token] of tokens) {
      assert.ok((await listTools(sharedUrl, token)).includes('create_entities'), member);
    }
    assert.deepEqual(hashes(), hashesBefore);
    assert.deepEqual(
      (await call('instances:list', { server: name })).map((i) => [i.name, i.drift === 'extra']),
      [[sharedName, false]],
    );
    assert.deepEqual(
      store.members.listByServer(record.id).map((m) => store?.deployState.member(m.id)?.port),
      [null, null],
      "the members' Dedicated ports are no longer pinned",
    );
    const labelled = await f.docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.server}=${name}`, LABELS.member] },
    });
    assert.deepEqual(
      labelled.map((c) => c.Names[0]),
      [],
      'no per-member container is left',
    );
    assert.ok(
      store.audit
        .list(100)
        .some((e) => e.action === 'servers.set' && e.detail.startsWith('mode dedicated -> shared')),
    );
  });
});
