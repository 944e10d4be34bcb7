// Integration: MemberService over the real encrypted store. Deploy is a recording stand-in that reads
// the members file as a deploy would render it at that moment, so the tests see what reaches a bridge.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import { parseMembersFile } from '../../shared/members-file';
import { createTestStore, type TestStore } from '../../test-support/store';
import type { DeployService } from '../deploy/deploy-service';
import type { DeployResult } from '../deploy/types';
import { EventBus } from '../events';
import type { HostTargets } from '../host-ops/host-targets';
import { membersFileContent } from '../instance-spec/file-contents';
import { MemberService } from './member-service';

interface Recorded {
  server: string;
  /** The members file a deploy would write when it ran. */
  file: string;
}

function setup(t: TestStore) {
  const deploys: Recorded[] = [];
  let failWith: string | null = null;
  const deploy = {
    redeploy: (serverName: string): Promise<DeployResult[]> => {
      const server = t.store.servers.getByName(serverName);
      assert.ok(server);
      deploys.push({ server: serverName, file: membersFileContent(t.store.members.listByServer(server.id)) });
      return failWith === null
        ? Promise.resolve([])
        : Promise.reject(new FleetError('unavailable', failWith));
    },
  } as unknown as DeployService;
  const members = new MemberService({
    store: t.store,
    events: new EventBus(),
    actor: 'test',
    deploy,
    targets: {} as HostTargets,
  });
  t.store.servers.insert({
    name: 'files',
    sourceKind: 'npx',
    sourceValue: '@modelcontextprotocol/server-filesystem@2026.1.14',
    args: [],
    env: [],
    mode: 'shared',
    port: null,
  });
  return {
    members,
    deploys,
    failDeploys: (message: string | null) => {
      failWith = message;
    },
  };
}

/** Everything a refused call must leave alone: the member rows and the audit log. */
function snapshot(t: TestStore) {
  const server = t.store.servers.getByName('files');
  assert.ok(server);
  return {
    members: t.store.members.listByServer(server.id),
    audit: t.store.audit.list().length,
  };
}

void describe('members: access to tools, resources and prompts', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore();
  });
  afterEach(() => t.cleanup());

  void it('add keeps all, none and selected for each kind, and defaults to all', async () => {
    const { members } = setup(t);
    const all = await members.add({ server: 'files', name: 'alice' });
    assert.deepEqual([all.member.tools, all.member.resources, all.member.prompts], [['*'], ['*'], ['*']]);
    const none = await members.add({ server: 'files', name: 'bob', tools: [], resources: [], prompts: [] });
    assert.deepEqual([none.member.tools, none.member.resources, none.member.prompts], [[], [], []]);
    const some = await members.add({
      server: 'files',
      name: 'carol',
      tools: ['read_*', 'read_*', 'list_directory'],
      resources: ['file:///docs/*'],
      prompts: ['summarise', '*'],
    });
    // Repeats go, and a list holding * is just all.
    assert.deepEqual(
      [some.member.tools, some.member.resources, some.member.prompts],
      [['read_*', 'list_directory'], ['file:///docs/*'], ['*']],
    );
    assert.deepEqual(
      members.list('files').map((m) => [m.name, m.tools, m.resources, m.prompts]),
      [
        ['alice', ['*'], ['*'], ['*']],
        ['bob', [], [], []],
        ['carol', ['read_*', 'list_directory'], ['file:///docs/*'], ['*']],
      ],
    );
    const entry = t.store.audit.list().find((e) => e.action === 'members.add' && e.target === 'files/carol');
    assert.match(
      entry?.detail ?? '',
      /^tools read_\*,list_directory; resources file:\/\/\/docs\/\*; prompts all;/,
    );
  });

  void it('set replaces only the fields given, saves, then deploys with the new members file', async () => {
    const { members, deploys } = setup(t);
    await members.add({ server: 'files', name: 'alice', limits: { sessions: 2 } });
    await members.add({ server: 'files', name: 'bob' });
    deploys.length = 0;

    const changed = await members.set({
      server: 'files',
      name: 'bob',
      resources: ['file:///docs/*'],
      prompts: [],
    });
    assert.deepEqual(
      [changed.member.tools, changed.member.resources, changed.member.prompts],
      [['*'], ['file:///docs/*'], []],
    );
    assert.deepEqual([changed.deploys, changed.deployError], [[], null]);
    assert.equal(deploys.length, 1, 'one deploy carries the change');
    const file = parseMembersFile(deploys[0]?.file ?? '', 'members');
    assert.deepEqual(file.find((m) => m.name === 'bob')?.resources, ['file:///docs/*']);
    assert.deepEqual(file.find((m) => m.name === 'bob')?.prompts, []);
    // The unrelated member keeps every default: no resources, prompts or new keys in its entry.
    assert.deepEqual(Object.keys(file.find((m) => m.name === 'alice') ?? {}), [
      'name',
      'tokenSha256',
      'tools',
      'limits',
    ]);

    // Back to all, and tools to none; limits replaced as a whole, {} back to the server's.
    await members.set({ server: 'files', name: 'bob', tools: [], resources: ['*'], prompts: ['*'] });
    await members.set({ server: 'files', name: 'alice', limits: {} });
    assert.deepEqual(
      members.list('files').map((m) => [m.name, m.tools, m.resources, m.prompts, m.limits]),
      [
        ['alice', ['*'], ['*'], ['*'], {}],
        ['bob', [], ['*'], ['*'], {}],
      ],
    );
    const audit = t.store.audit
      .list()
      .filter((e) => e.action === 'members.set')
      .reverse();
    assert.deepEqual(
      audit.map((e) => [e.target, e.detail]),
      [
        ['files/bob', 'resources file:///docs/*; prompts none'],
        ['files/bob', 'tools none; resources all; prompts all'],
        ['files/alice', 'limits {}'],
      ],
    );
  });

  void it('refuses bad lists and limits before saving or deploying anything', async () => {
    const { members, deploys } = setup(t);
    await members.add({ server: 'files', name: 'alice' });
    deploys.length = 0;
    const before = snapshot(t);
    const cases: [Parameters<MemberService['set']>[0], RegExp][] = [
      [{ server: 'files', name: 'alice', resources: ['file:///my docs/*'] }, /must not hold spaces/],
      [{ server: 'files', name: 'alice', tools: ["read'graph"] }, /tool name "read'graph" must be 1-128/],
      [{ server: 'files', name: 'alice', prompts: [''] }, /prompt name "" must be 1-128/],
      [
        { server: 'files', name: 'alice', tools: Array.from({ length: 513 }, (_, i) => `t${i}`) },
        /more than 512 patterns/,
      ],
      [{ server: 'files', name: 'alice', resources: ['file:///\uD800'] }, /not valid Unicode text/],
      // A good list beside a bad limit: neither is saved.
      [{ server: 'files', name: 'alice', tools: [], limits: { sessions: 0 } }, /limits/],
      [{ server: 'files', name: 'alice' }, /nothing to change/],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(
        members.set(input),
        (err) => err instanceof FleetError && err.code === 'invalid_input' && message.test(err.message),
        message.source,
      );
    }
    await assert.rejects(
      members.add({ server: 'files', name: 'bob', resources: ['file:///a,b'] }),
      (err) => err instanceof FleetError && err.code === 'invalid_input' && /commas/.test(err.message),
    );
    assert.deepEqual(snapshot(t), before);
    assert.equal(deploys.length, 0);
  });

  void it('set on an unknown member or server is not_found and changes nothing', async () => {
    const { members, deploys } = setup(t);
    await members.add({ server: 'files', name: 'alice' });
    deploys.length = 0;
    const before = snapshot(t);
    await assert.rejects(
      members.set({ server: 'files', name: 'nobody', tools: [] }),
      (err) =>
        err instanceof FleetError &&
        err.code === 'not_found' &&
        err.message === 'server "files" has no member named "nobody"',
    );
    await assert.rejects(
      members.set({ server: 'nothing', name: 'alice', tools: [] }),
      (err) => err instanceof FleetError && err.code === 'not_found',
    );
    assert.deepEqual(snapshot(t), before);
    assert.equal(deploys.length, 0);
  });

  void it('keeps a change whose deploy failed, and says why', async () => {
    const { members, failDeploys } = setup(t);
    await members.add({ server: 'files', name: 'alice' });
    failDeploys('host lab is unreachable');
    const changed = await members.set({ server: 'files', name: 'alice', prompts: ['summarise'] });
    assert.equal(changed.deployError, 'host lab is unreachable');
    assert.deepEqual(members.list('files')[0]?.prompts, ['summarise']);
  });
});
