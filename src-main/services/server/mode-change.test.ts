// The rules of a mode change on a fresh encrypted store (no host): what it refuses and what it plans.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FleetError } from '../../shared/errors';
import { containerName } from '../instance-spec/names';
import { createTestStore, type TestStore } from '../../test-support/store';
import type { ServerRecord } from '../store/types';
import { planModeChange, type ModeChangeInput } from './mode-change';

const stores: TestStore[] = [];
after(() => stores.forEach((s) => s.cleanup()));

/** A server deployed on one host: its members and an instance record for each of its current shape. */
async function deployed(mode: 'shared' | 'dedicated', volume: 'none' | 'own' | 'shared') {
  const ts = await createTestStore();
  stores.push(ts);
  const { store } = ts;
  const host = store.hosts.insert(
    { name: 'h1', kind: 'local', user: null, address: null, port: null, auth: 'none', hostKeySha256: null },
    null,
  );
  const server = store.servers.insert({
    name: 'notes',
    sourceKind: 'npx',
    sourceValue: 'pkg@1.0.0',
    args: [],
    env: [],
    mode,
    port: mode === 'shared' ? 18500 : null,
    roots: [],
    bridgeLimits: {},
    ...(volume === 'none'
      ? {}
      : {
          reach: {
            mounts: [
              {
                kind: 'volume',
                source: 'data',
                target: '/data',
                readOnly: false,
                shared: volume === 'shared',
              },
            ],
            networks: [],
            extraHosts: [],
            allowDockerSocket: false,
          },
        }),
  });
  const members = ['ann', 'bo'].map((name) =>
    store.members.insert({
      serverId: server.id,
      name,
      token: `token-${name}`,
      tokenSha256: `sha-${name}`,
      tools: ['*'],
    }),
  );
  const names = mode === 'shared' ? [null] : members;
  names.forEach((m, i) =>
    store.instances.upsert({
      serverId: server.id,
      memberId: m?.id ?? null,
      hostId: host.id,
      containerName: containerName('notes', m?.name ?? null),
      port: 18500 + i,
      configHash: 'h',
      status: 'running',
    }),
  );
  return { store, server: store.servers.getById(server.id) as ServerRecord, members };
}

const to = (mode: 'shared' | 'dedicated', more: Partial<ModeChangeInput> = {}): ModeChangeInput => ({
  mode,
  roots: undefined,
  port: undefined,
  reach: undefined,
  dropMemberEnv: false,
  freshVolumes: false,
  ...more,
});

const refuses = (fn: () => unknown, message: RegExp) =>
  assert.throws(
    fn,
    (err: unknown) => err instanceof FleetError && err.code === 'invalid_input' && message.test(err.message),
  );

test('Shared to Dedicated: removes the shared instance, makes one per member; a per-member volume needs consent', async () => {
  const { store, server } = await deployed('shared', 'own');
  refuses(
    () => planModeChange(store, server, to('dedicated')),
    /volume data is mcp-fleet-notes-data for the Shared instance; Dedicated gives each member its own \(mcp-fleet-notes-<member>-data\).*--fresh-volumes.*--shared-volume/,
  );
  const plan = planModeChange(store, server, to('dedicated', { freshVolumes: true }));
  assert.ok(plan);
  assert.deepEqual(plan.view.hosts, [
    {
      host: 'h1',
      remove: ['mcp-fleet-notes'],
      create: [containerName('notes', 'ann'), containerName('notes', 'bo')],
    },
  ]);
  assert.equal(plan.port, null);
  assert.equal(planModeChange(store, server, to('shared')), null, 'the same mode plans nothing');
});

test('a volume kept for every member carries over; no consent asked', async () => {
  const { store, server } = await deployed('dedicated', 'shared');
  const plan = planModeChange(store, server, to('shared', { port: 18600 }));
  assert.ok(plan);
  assert.deepEqual([plan.port, plan.clearPortOf, plan.dropEnvOf], [18600, [], []]);
  assert.deepEqual(
    plan.view.hosts[0]?.remove,
    [containerName('notes', 'ann'), containerName('notes', 'bo')].sort(),
  );
});

test("Dedicated to Shared: members' own values and ports", async () => {
  const { store, server, members } = await deployed('dedicated', 'none');
  const [ann, bo] = members;
  assert.ok(ann && bo);
  store.deployState.setMember(ann.id, {
    env: [{ key: 'API_KEY', value: 'ann-secret', secret: true }],
    port: 18500,
  });
  store.deployState.setMember(bo.id, { port: 18501 });
  refuses(
    () => planModeChange(store, server, to('shared')),
    /member\(s\) ann \(API_KEY\) have their own values.*--drop-member-env/,
  );
  const plan = planModeChange(store, server, to('shared', { dropMemberEnv: true }));
  assert.ok(plan);
  assert.deepEqual([plan.dropEnvOf, plan.clearPortOf.length], [[ann.id], 2]);
  assert.ok(!JSON.stringify(plan.view).includes('ann-secret'), 'values never in the plan');
});

test('a server running as Swarm services is refused with what to do', async () => {
  const { store, server } = await deployed('shared', 'none');
  store.deployState.setServerOptions(server.id, { swarm: true });
  refuses(
    () => planModeChange(store, server, to('dedicated')),
    /runs as Swarm services: a mode change is not rolled out to Swarm yet. Remove its instances first \(mcp-fleet instances remove mcp-fleet-notes\)/,
  );
});
