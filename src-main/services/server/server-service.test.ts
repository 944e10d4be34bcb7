// Integration: `servers set` in ServerService over the real encrypted store, with a recording deployer
// that reads the server as a deploy would at that moment; `addPinning` against an HTTP package registry
// (the boundary), here a local stand-in speaking npm's packument JSON and PyPI's Simple API.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import { deadRegistryUrl, startRegistryStub, type RegistryStub } from '../../test-support/registry-stub';
import { createTestStore, type TestStore } from '../../test-support/store';
import type { DeployResult } from '../deploy/types';
import { EventBus } from '../events';
import { SourcePinner } from '../registry/source-pinner';
import type { ServerRecord } from '../store/types';
import { ServerService } from './server-service';

void describe('servers set: roots and bridge caps', () => {
  let t: TestStore;
  let servers: ServerService;
  /** The server as each deploy saw it. */
  let deployed: ServerRecord[];
  let failWith: string | null;

  beforeEach(async () => {
    t = await createTestStore();
    deployed = [];
    failWith = null;
    servers = new ServerService(t.store, new EventBus(), 'test', {
      update: (name): Promise<DeployResult[]> => {
        const server = t.store.servers.getByName(name);
        assert.ok(server);
        deployed.push(server);
        return failWith === null
          ? Promise.resolve([])
          : Promise.reject(new FleetError('unavailable', failWith));
      },
    });
    for (const mode of ['shared', 'dedicated'] as const) {
      servers.add({
        name: mode,
        source: { kind: 'npx', value: 'pkg' },
        mode,
        ...(mode === 'shared' ? { roots: [{ uri: 'file:///srv/old' }] } : {}),
        bridgeLimits: { memberSessions: 8 },
      });
    }
  });
  afterEach(() => t.cleanup());

  const snapshot = () => ({ servers: t.store.servers.list(), audit: t.store.audit.list().length });

  void it('replaces what is given, keeps the rest, and deploys the saved settings', async () => {
    const roots = [{ uri: 'file:///srv/data', name: 'Data' }];
    const changed = await servers.set({ server: 'shared', roots });
    assert.deepEqual([changed.server.roots, changed.server.bridgeLimits], [roots, { memberSessions: 8 }]);
    assert.deepEqual([changed.deploys, changed.deployError], [[], null]);
    assert.deepEqual(
      deployed.map((s) => [s.name, s.roots]),
      [['shared', roots]],
    );

    // Caps as a whole: {} is the bridge's defaults again; roots untouched.
    await servers.set({ server: 'shared', bridgeLimits: { maxConnections: 50, memberRps: 0.5 } });
    assert.deepEqual(servers.show('shared').bridgeLimits, { memberRps: 0.5, maxConnections: 50 });
    await servers.set({ server: 'shared', roots: [], bridgeLimits: {} });
    assert.deepEqual([servers.show('shared').roots, servers.show('shared').bridgeLimits], [[], {}]);
    // A Dedicated server takes caps, and an empty roots list.
    await servers.set({ server: 'dedicated', roots: [], bridgeLimits: { memberInflight: 2 } });
    assert.deepEqual(servers.show('dedicated').bridgeLimits, { memberInflight: 2 });
    assert.equal(deployed.length, 4);
    assert.deepEqual(
      t.store.audit
        .list()
        .filter((e) => e.action === 'servers.set')
        .map((e) => [e.target, e.detail])
        .reverse(),
      [
        ['shared', 'roots 1'],
        ['shared', 'bridge --member-rps 0.5 --max-connections 50'],
        ['shared', 'roots 0, bridge defaults'],
        ['dedicated', 'roots 0, bridge --member-inflight 2'],
      ],
    );
  });

  void it('refuses bad input before saving or deploying anything', async () => {
    const before = snapshot();
    const cases: [Parameters<ServerService['set']>[0], string, RegExp][] = [
      [
        { server: 'dedicated', roots: [{ uri: 'file:///srv/data' }] },
        'invalid_input',
        /^roots are for Shared servers: a Dedicated instance's own client answers its server's roots\/list$/,
      ],
      [
        { server: 'shared', roots: [{ uri: 'https://example.com/' }] },
        'invalid_input',
        /must be a file:\/\/ URI/,
      ],
      [
        { server: 'shared', bridgeLimits: { maxConnections: 10, maxConnectionsPerSource: 20 } },
        'invalid_input',
        /--max-connections-per-source 20 is above --max-connections 10/,
      ],
      [{ server: 'shared', bridgeLimits: { memberSessions: 0 } }, 'invalid_input', /whole number from 1/],
      [{ server: 'shared' }, 'invalid_input', /nothing to change/],
      [{ server: 'nothing', roots: [] }, 'not_found', /no server named "nothing"/],
    ];
    for (const [input, code, message] of cases) {
      await assert.rejects(
        servers.set(input),
        (err) => err instanceof FleetError && err.code === code && message.test(err.message),
        message.source,
      );
    }
    assert.deepEqual(snapshot(), before);
    assert.equal(deployed.length, 0);
  });

  void it('keeps a change whose deploy failed, and says why', async () => {
    failWith = 'host lab is unreachable';
    const changed = await servers.set({ server: 'shared', bridgeLimits: { memberRps: 3 } });
    assert.equal(changed.deployError, 'host lab is unreachable');
    assert.deepEqual(servers.show('shared').bridgeLimits, { memberRps: 3 });
  });
});

void describe('servers add: versions pinned at add time', () => {
  let t: TestStore;
  let stub: RegistryStub;
  let dead: string;
  const memory = '@modelcontextprotocol/server-memory';

  before(async () => {
    stub = await startRegistryStub({
      npm: { [memory]: { tags: { latest: '2026.8.31' }, versions: ['1.0.0', '1.2.0', '2026.8.31'] } },
      pypi: { 'mcp-server-fetch': { files: [{ filename: 'mcp_server_fetch-2025.4.7-py3-none-any.whl' }] } },
    });
    dead = await deadRegistryUrl();
  });
  after(() => stub.close());
  beforeEach(async () => {
    t = await createTestStore();
    stub.requests.length = 0;
  });
  afterEach(() => t.cleanup());

  const service = (npm: string, pypi = stub.pypi) =>
    new ServerService(
      t.store,
      new EventBus(),
      'test',
      undefined,
      new SourcePinner({ settings: () => ({ npm, npmScopes: {}, pypi }), timeoutMs: 2_000 }),
    );
  const snapshot = () => ({ servers: t.store.servers.list(), audit: t.store.audit.list().length });

  void it('stores an unpinned npx or uvx package, or a range, with the exact version the registry names', async () => {
    const servers = service(stub.npm);
    const added = await servers.addPinning({
      name: 'mem',
      source: { kind: 'npx', value: memory },
      mode: 'shared',
    });
    assert.deepEqual(added.pinned, {
      package: memory,
      requested: null,
      version: '2026.8.31',
      registry: stub.npm,
    });
    assert.equal(t.store.servers.getByName('mem')?.sourceValue, `${memory}@2026.8.31`);
    await servers.addPinning({ name: 'old', source: { kind: 'npx', value: `${memory}@^1` }, mode: 'shared' });
    assert.equal(servers.show('old').source.value, `${memory}@1.2.0`);
    const fetch = await servers.addPinning({
      name: 'fetch',
      source: { kind: 'uvx', value: 'mcp-server-fetch' },
      mode: 'dedicated',
    });
    assert.equal(fetch.source.value, 'mcp-server-fetch@2025.4.7');
    const audited = t.store.audit.list().find((entry) => entry.target === 'fetch');
    assert.match(audited?.detail ?? '', /^uvx mcp-server-fetch@2025\.4\.7,/);
  });

  void it('saves nothing when the registry is down, and checks the rest before asking it', async () => {
    const servers = service(dead, `${dead}simple/`);
    servers.add({ name: 'taken', source: { kind: 'npx', value: `${memory}@1.0.0` }, mode: 'shared' });
    const before = snapshot();
    await assert.rejects(
      servers.addPinning({ name: 'mem', source: { kind: 'npx', value: memory }, mode: 'shared' }),
      (err: FleetError) =>
        err.code === 'unavailable' &&
        err.message.startsWith(`could not resolve the latest version of ${memory} from ${dead}: `) &&
        err.message.endsWith(`give an exact version with ${memory}@1.2.3`),
    );
    await assert.rejects(
      servers.addPinning({ name: 'taken', source: { kind: 'npx', value: 'x' }, mode: 'shared' }),
      /a server named "taken" already exists/,
    );
    assert.deepEqual(snapshot(), before);
    // An exact version needs no registry.
    await servers.addPinning({
      name: 'exact',
      source: { kind: 'npx', value: `${memory}@1.2.0` },
      mode: 'shared',
    });
    assert.equal(servers.show('exact').source.value, `${memory}@1.2.0`);
  });
});
