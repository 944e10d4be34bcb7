// Integration: the bridge's Shared-mode settings (roots, caps, member limits) in the real encrypted store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Store } from './store';
import type { NewServer } from './server-repository';
import { createTestStore, type TestStore } from '../../test-support/store';

const server = (name: string, extra: Partial<NewServer> = {}): NewServer => ({
  name,
  sourceKind: 'npx',
  sourceValue: '@modelcontextprotocol/server-filesystem@2026.1.14',
  args: [],
  env: [],
  mode: 'shared',
  port: null,
  ...extra,
});

void describe('Shared-mode settings in the store', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore();
  });
  afterEach(() => t.cleanup());

  void it('keep roots, caps and member limits across a reopen, and leave them out of other rows', async () => {
    const roots = [{ uri: 'file:///srv/data' }, { uri: 'file:///srv/docs', name: 'Shared docs' }];
    const bridgeLimits = { memberSessions: 8, memberRps: 2.5, maxConnections: 300 };
    const withSettings = t.store.servers.insert(server('files', { roots, bridgeLimits }));
    const plain = t.store.servers.insert(server('plain'));
    t.store.members.insert({
      serverId: withSettings.id,
      name: 'batch',
      token: 't1',
      tokenSha256: '1'.repeat(64),
      tools: ['*'],
      limits: { inflight: 4, rps: 0.5 },
    });
    t.store.members.insert({
      serverId: withSettings.id,
      name: 'alice',
      token: 't2',
      tokenSha256: '2'.repeat(64),
      tools: ['*'],
    });
    t.store.close();

    const again = await Store.open({ home: t.home, keyProvider: t.keyProvider });
    try {
      const files = again.servers.getByName('files');
      assert.ok(files);
      assert.deepEqual(files.roots, roots);
      assert.deepEqual(files.bridgeLimits, bridgeLimits);
      const members = again.members.listByServer(files.id);
      assert.deepEqual(
        members.map((m) => [m.name, m.limits]),
        [
          ['alice', {}],
          ['batch', { inflight: 4, rps: 0.5 }],
        ],
      );
      const other = again.servers.getById(plain.id);
      assert.deepEqual([other?.roots, other?.bridgeLimits], [[], {}]);

      // An update that does not name them keeps them; one that does replaces them whole.
      const renamed = again.servers.update(files.id, { args: ['--flag'] });
      assert.deepEqual([renamed.roots, renamed.bridgeLimits], [roots, bridgeLimits]);
      again.servers.update(files.id, { roots: [], bridgeLimits: { maxConnectionsPerSource: 10 } });
      const updated = again.servers.getById(files.id);
      assert.deepEqual([updated?.roots, updated?.bridgeLimits], [[], { maxConnectionsPerSource: 10 }]);
      // A token rotation rewrites the member's row: its limits stay.
      const batch = members.find((m) => m.name === 'batch');
      assert.ok(batch);
      again.members.update(batch.id, { token: 't3', tokenSha256: '3'.repeat(64) });
      assert.deepEqual(again.members.getById(batch.id)?.limits, { inflight: 4, rps: 0.5 });
    } finally {
      again.close();
    }
  });

  void it('write only the known fields: a stray property on a root or a limit never lands in the file', () => {
    const stray = {
      roots: [{ uri: 'file:///srv/data', extra: 'x' } as { uri: string }],
      bridgeLimits: { memberSessions: 3, typo: 9 } as { memberSessions: number },
    };
    const inserted = t.store.servers.insert(server('files', stray));
    const read = t.store.servers.getById(inserted.id);
    assert.deepEqual(
      [read?.roots, read?.bridgeLimits],
      [[{ uri: 'file:///srv/data' }], { memberSessions: 3 }],
    );
    const member = t.store.members.insert({
      serverId: inserted.id,
      name: 'm',
      token: 't',
      tokenSha256: '4'.repeat(64),
      tools: ['*'],
      limits: { sessions: 2, rate: 5 } as { sessions: number },
    });
    assert.deepEqual(t.store.members.getById(member.id)?.limits, { sessions: 2 });
  });
});
