// Integration, real parts: the testbed's sshd and dockerd, server-memory (Dedicated) and
// server-everything (Shared) from node_modules, MCP clients through the published ports. Covers
// `servers update` (one instance at a time, stopping at the first failure) and `secrets rotate`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Services } from '../../app/composition-root';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/contract';
import type { Store } from '../store/store';
import {
  inProcessFleet,
  initializeStatus,
  installedVersion,
  listTools,
  testFleet,
  type InProcessFleet,
  type TestFleet,
} from '../../test-support/fleet';

void describe('servers update and secrets rotate (testbed sshd + dockerd, real npm MCP servers)', () => {
  let f: TestFleet | undefined;
  let fleet: InProcessFleet | undefined;
  let services: Services | undefined;
  let store: Store | undefined;
  const servers: string[] = [];

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
    if (!f) return;
    fleet = await inProcessFleet(f);
    ({ services, store } = fleet);
  });

  after(async () => {
    fleet?.close();
    await f?.wipe(servers);
  });

  function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
    if (!fleet) throw new Error('no services');
    return fleet.call(channel, input);
  }

  void it('rolls a Dedicated server one instance at a time and stops at the first that fails', async (t) => {
    if (!f || !store || !services) return t.skip('no testbed');
    const name = `roll-${f.run}`;
    servers.push(name);
    const version = installedVersion('@modelcontextprotocol/server-memory');
    await call('servers:add', {
      name,
      source: { kind: 'npx', value: `@modelcontextprotocol/server-memory@${version}` },
      mode: 'dedicated',
    });
    const tokens = new Map<string, string>();
    for (const m of ['m1', 'm2']) tokens.set(m, (await call('members:add', { server: name, name: m })).token);
    const first = await call('deploy:run', { server: name, host: 'tb' });
    assert.deepEqual(
      first.instances.map((i) => i.action),
      ['created', 'created'],
    );
    const server = store.servers.getByName(name);
    assert.ok(server);

    // A harmless change: both instances are replaced, strictly one after the other.
    store.servers.update(server.id, { env: [{ key: 'ROLL', value: '1', secret: false }] });
    const lines: string[] = [];
    const stop = services.events.subscribe((event, payload) => {
      if (event === 'deploy:progress') lines.push((payload as { line: string }).line);
    });
    const rolled = await call('servers:update', { server: name, streamId: 'roll' });
    stop();
    assert.deepEqual(
      rolled[0]?.instances.map((i) => i.action),
      ['replaced', 'replaced'],
    );
    const order = lines
      .filter((l) => /^(replacing|mcp-fleet-.*: replaced)/.test(l))
      .map((l) => l.split(' ')[0]?.replace(/:$/, ''));
    const [a, b] = first.instances.map((i) => i.name);
    assert.deepEqual(order, ['replacing', a, 'replacing', b], lines.join('\n'));
    const good = await f.containers(name);

    // A change no instance survives: the first fails its test and is put back, the second is not touched.
    store.servers.update(server.id, {
      env: [{ key: 'NODE_OPTIONS', value: '--no-such-node-flag', secret: false }],
    });
    await assert.rejects(call('servers:update', { server: name }), (err: Error) => {
      assert.match(err.message, /1 of 2 instance\(s\) failed \(1 left on the previous version\)/);
      assert.match(err.message, /the previous version runs again/);
      return true;
    });
    const after = await f.containers(name);
    assert.deepEqual(after, good, 'both instances run the previous version, as before the update');
    for (const inst of first.instances) {
      assert.ok(
        (await listTools(inst.url ?? '', tokens.get(inst.member ?? '') ?? '')).includes('read_graph'),
      );
    }
    const rows = await call('instances:list', { server: name });
    assert.deepEqual(
      rows.map((r) => r.drift),
      ['config differs', 'config differs'],
    );
  });

  void it('rotates a Shared server token: old and new both work until the rotation is finished', async (t) => {
    if (!f) return t.skip('no testbed');
    const name = `rot-${f.run}`;
    servers.push(name);
    const version = installedVersion('@modelcontextprotocol/server-everything');
    await call('servers:add', {
      name,
      source: { kind: 'npx', value: `@modelcontextprotocol/server-everything@${version}` },
      mode: 'shared',
    });
    const old = (await call('members:add', { server: name, name: 'team' })).token;
    const deployed = await call('deploy:run', { server: name, host: 'tb' });
    const url = deployed.instances[0]?.url ?? '';
    assert.equal(await initializeStatus(url, old), 200);

    const rotated = await call('secrets:rotate', { server: name });
    const fresh = rotated.tokens[0]?.token ?? '';
    assert.equal(rotated.deployError, null);
    assert.notEqual(fresh, old);
    assert.equal(await initializeStatus(url, old), 200, 'the previous token still works during the switch');
    assert.ok((await listTools(url, fresh)).includes('echo'), 'the new token works');
    assert.deepEqual(
      (await call('members:list', { server: name })).map((m) => m.rotating),
      [true],
    );
    await assert.rejects(call('secrets:rotate', { server: name }), /finish it first/);

    const finished = await call('secrets:rotate', { server: name, finish: true });
    assert.deepEqual(finished.finished, ['team']);
    assert.equal(await initializeStatus(url, old), 401, 'the previous token stops working');
    assert.equal(await initializeStatus(url, fresh), 200);
    const audit = store?.audit.list(20).map((e) => e.action) ?? [];
    assert.ok(audit.includes('secrets.rotate') && audit.includes('secrets.rotate-finish'));
    assert.ok(!JSON.stringify(store?.audit.list(50)).includes(fresh), 'no token in the audit log');

    // The last member of a Shared server leaves: nobody may use it, so its instance goes.
    await call('members:remove', { server: name, name: 'team' });
    assert.deepEqual(await f.containers(name), []);
    assert.deepEqual(await call('instances:list', { server: name }), []);
  });
});
