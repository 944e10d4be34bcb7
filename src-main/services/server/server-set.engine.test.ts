// Integration, real parts: the testbed's sshd and dockerd, and a stand-in MCP server built on the
// official SDK (bundled into one file) whose tools depend on its version, in two local images FROM the
// Node base. Covers `servers set --version`: the tool diff listed by throwaway containers before
// anything is saved (--dry-run saves nothing), then the rollout one Dedicated instance at a time with
// every member token unchanged; a server deployed nowhere; bad input that changes nothing and contacts
// no host.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/contract';
import type { Store } from '../store/store';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { inProcessFleet, testFleet, type InProcessFleet, type TestFleet } from '../../test-support/fleet';
import { buildStandInImages } from '../../test-support/stand-in-image';
import { PROBE_LABEL } from './tool-probe';

/** Tools by TOOLS_VERSION (the image's ENV), two per tools/list page; has_secret when PROBE_SECRET is set. */
const STAND_IN = `
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
const version = process.env.TOOLS_VERSION ?? '0';
const schema = (properties) => ({ type: 'object', properties });
const tools = version === '1'
  ? [
      { name: 'echo', description: 'Echoes text', inputSchema: schema({ text: { type: 'string' } }) },
      { name: 'add', description: 'Adds two numbers', inputSchema: schema({ a: { type: 'number' }, b: { type: 'number' } }) },
      { name: 'old_report', description: 'Goes away in 2', inputSchema: schema({}) },
      { name: 'view', description: 'Shows', inputSchema: schema({}), annotations: { readOnlyHint: true } },
    ]
  : [
      { name: 'echo', description: 'Echoes text', inputSchema: schema({ text: { type: 'string' } }) },
      { name: 'add', description: 'Adds two numbers', inputSchema: schema({ a: { type: 'number' }, b: { type: 'number' }, c: { type: 'number' } }) },
      { name: 'view', description: 'Shows', inputSchema: schema({}), annotations: { readOnlyHint: false } },
      { name: 'new_report', description: 'New in 2', inputSchema: schema({}) },
    ];
if (process.env.PROBE_SECRET) tools.push({ name: 'has_secret', description: 'PROBE_SECRET reached the server', inputSchema: schema({}) });
const server = new Server({ name: 'versioned-tools', version }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, (request) => {
  const start = Number(request.params?.cursor ?? 0);
  const next = start + 2;
  return { tools: tools.slice(start, next), ...(next < tools.length ? { nextCursor: String(next) } : {}) };
});
server.setRequestHandler(CallToolRequestSchema, (request) => ({
  content: [{ type: 'text', text: request.params.name + ' from version ' + version }],
}));
await server.connect(new StdioServerTransport());
`;

/** Every page of tools/list through the bridge with a member's token (the helper in fleet.ts reads one). */
async function listTools(url: string, token: string): Promise<string[]> {
  const client = new Client({ name: 'server-set-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      names.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return names.sort();
  } finally {
    await client.close();
  }
}

const V1 = ['add', 'echo', 'has_secret', 'old_report', 'view'];
const V2 = ['add', 'echo', 'has_secret', 'new_report', 'view'];
const SECRET = 'probe-secret-value-7f3a';

void describe('servers set --version (testbed sshd + dockerd, a stand-in server built on the MCP SDK)', () => {
  let f: TestFleet | undefined;
  let fleet: InProcessFleet | undefined;
  let store: Store | undefined;
  let repo = '';
  const servers: string[] = [];

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
    if (!f) return;
    repo = `mcp-fleet-test/versioned-tools-${f.run}`;
    await buildStandInImages({ contents: STAND_IN }, repo, [
      { tag: '1', env: { TOOLS_VERSION: '1' } },
      { tag: '2', env: { TOOLS_VERSION: '2' } },
    ]);
    fleet = await inProcessFleet(f);
    store = fleet.store;
  });

  after(async () => {
    fleet?.close();
    await f?.wipe(servers);
    if (f) {
      for (const c of await f.docker.listContainers({ all: true, filters: { label: [PROBE_LABEL] } })) {
        await f.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
      }
      for (const version of ['1', '2']) {
        await f.docker
          .getImage(`${repo}:${version}`)
          .remove({ force: true })
          .catch(() => undefined);
      }
    }
  });

  function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
    if (!fleet) throw new Error('no services');
    return fleet.call(channel, input);
  }

  /** Progress lines of one stream while fn runs. */
  async function heard<T>(streamId: string, fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
    if (!fleet) throw new Error('no services');
    const lines: string[] = [];
    const stop = fleet.services.events.subscribe((event, payload) => {
      const p = payload as { streamId?: string; line?: string };
      if (event === 'deploy:progress' && p.streamId === streamId) lines.push(p.line ?? '');
    });
    try {
      return { value: await fn(), lines };
    } finally {
      stop();
    }
  }

  const probes = async () =>
    (f ? await f.docker.listContainers({ all: true, filters: { label: [PROBE_LABEL] } }) : []).length;

  void it('shows the tool diff first, then rolls one instance at a time; every token still works', async (t) => {
    if (!f || !store || !fleet) return t.skip('no testbed');
    const name = `vt-${f.run}`;
    servers.push(name);
    await call('servers:add', {
      name,
      source: { kind: 'image', value: `${repo}:1` },
      mode: 'dedicated',
      env: [{ key: 'PROBE_SECRET', value: SECRET, secret: true }],
    });
    const tokens = new Map<string, string>();
    for (const m of ['m1', 'm2']) tokens.set(m, (await call('members:add', { server: name, name: m })).token);
    const first = await call('deploy:run', { server: name, host: 'tb' });
    const urls = new Map(first.instances.map((i) => [i.member ?? '', i.url ?? '']));
    for (const [member, token] of tokens)
      assert.deepEqual(await listTools(urls.get(member) ?? '', token), V1);
    const record = store.servers.getByName(name);
    assert.ok(record);
    const hashes = () => store?.members.listByServer(record.id).map((m) => [m.name, m.tokenSha256]);
    const hashesBefore = hashes();
    const containersBefore = await f.containers(name);

    // --dry-run: the diff, and nothing else.
    const dry = await call('servers:set', { server: name, version: '2', dryRun: true });
    const expected = {
      from: `${repo}:1`,
      to: `${repo}:2`,
      host: 'tb',
      added: ['new_report'],
      removed: ['old_report'],
      changed: [
        { name: 'add', fields: ['inputSchema'] },
        { name: 'view', fields: ['annotations'] },
      ],
      unchanged: 2,
    };
    assert.deepEqual(dry.toolDiff, expected, 'has_secret in both lists: the secret env reached both probes');
    assert.deepEqual([dry.dryRun, dry.deploys, dry.server.source.value], [true, [], `${repo}:2`]);
    assert.equal(store.servers.getByName(name)?.sourceValue, `${repo}:1`, 'a dry run saves nothing');
    assert.deepEqual(await f.containers(name), containersBefore, 'a dry run deploys nothing');
    assert.equal(await probes(), 0, 'the probe containers are gone');

    const { value: changed, lines } = await heard('vt', () =>
      call('servers:set', { server: name, version: '2', streamId: 'vt' }),
    );
    assert.deepEqual([changed.toolDiff, changed.deployError, changed.dryRun], [expected, null, false]);
    assert.deepEqual(
      changed.deploys[0]?.instances.map((i) => i.action),
      ['replaced', 'replaced'],
    );
    const diffAt = lines.indexOf(`tools of ${repo}:2 against ${repo}:1 (listed on tb):`);
    const rollAt = lines.findIndex((l) => l.startsWith('replacing'));
    assert.ok(diffAt !== -1 && rollAt > diffAt, `the diff is told before the rollout:\n${lines.join('\n')}`);
    assert.deepEqual(lines.slice(diffAt + 1, diffAt + 6), [
      '  + new_report',
      '  - old_report',
      '  ~ add (inputSchema)',
      '  ~ view (annotations)',
      '  1 added, 1 removed, 2 changed, 2 unchanged',
    ]);
    const order = lines
      .filter((l) => /^(replacing|mcp-fleet-.*: replaced)/.test(l))
      .map((l) => l.split(' ')[0]?.replace(/:$/, ''));
    const [a, b] = first.instances.map((i) => i.name);
    assert.deepEqual(order, ['replacing', a, 'replacing', b], 'one instance at a time');
    assert.deepEqual(hashes(), hashesBefore, 'members and their tokens are untouched');
    // Tool pinning: the changed and the new tool are quarantined until the operator approves them.
    assert.ok(
      lines.includes(
        `3 tool(s) changed or added: quarantined for every member until approved (mcp-fleet tools list ${name} --diff, then mcp-fleet tools approve ${name})`,
      ),
      lines.join('\n'),
    );
    assert.deepEqual(await listTools(urls.get('m1') ?? '', tokens.get('m1') ?? ''), ['echo', 'has_secret']);
    const deadline = Date.now() + 30_000;
    for (;;) {
      await call('audit:collect', {});
      const quarantined = (await call('pins:list', { server: name })).entries.filter((e) => e.quarantined);
      if (
        quarantined
          .map((e) => e.name)
          .sort()
          .join() === 'add,new_report,view'
      )
        break;
      assert.ok(Date.now() < deadline, `the quarantine to be reported: ${JSON.stringify(quarantined)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const approved = await call('pins:approve', { server: name });
    assert.deepEqual(
      approved.pushed.map((p) => p.outcome),
      ['pushed', 'pushed'],
    );
    for (const [member, token] of tokens) {
      const deadline2 = Date.now() + 15_000;
      let seen = await listTools(urls.get(member) ?? '', token);
      // The approved set is read on SIGHUP: a moment after the push returns.
      while (seen.join() !== V2.join() && Date.now() < deadline2) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        seen = await listTools(urls.get(member) ?? '', token);
      }
      assert.deepEqual(seen, V2, `${member}'s old token, new version, once approved`);
    }
    assert.equal(await probes(), 0);
    const audit = store.audit.list(50);
    assert.ok(
      audit.some((e) => e.action === 'servers.set' && e.detail === `source ${repo}:1 -> ${repo}:2`),
      JSON.stringify(audit.filter((e) => e.action === 'servers.set')),
    );
    assert.ok(!JSON.stringify(audit).includes(SECRET), 'no secret value in the audit log');
    assert.ok(!lines.join('\n').includes(SECRET), 'no secret value in the progress lines');
  });

  void it('saves a version change of a server that runs nowhere, saying nothing was listed', async (t) => {
    if (!f || !store) return t.skip('no testbed');
    const name = `vt-idle-${f.run}`;
    servers.push(name);
    await call('servers:add', { name, source: { kind: 'image', value: `${repo}:1` }, mode: 'shared' });
    const { value: changed, lines } = await heard('idle', () =>
      call('servers:set', { server: name, version: '2', streamId: 'idle' }),
    );
    assert.deepEqual(changed.toolDiff, {
      from: `${repo}:1`,
      to: `${repo}:2`,
      host: null,
      added: [],
      removed: [],
      changed: [],
      unchanged: 0,
    });
    assert.deepEqual([changed.deploys, changed.deployError], [[], null]);
    assert.equal(store.servers.getByName(name)?.sourceValue, `${repo}:2`);
    assert.ok(lines.includes(`${name} runs on no host yet, so no tools were listed to compare`));
  });

  void it('refuses bad input before saving anything or contacting a host', async (t) => {
    if (!f || !store || !fleet) return t.skip('no testbed');
    const deployed = `vt-${f.run}`;
    const idle = `vt-idle-${f.run}`;
    const record = store.servers.getByName(deployed);
    assert.ok(record, 'runs after the first test');
    const memberPort = fleet.store.deployState.member(
      store.members.listByServer(record.id)[0]?.id ?? '',
    )?.port;
    assert.ok(typeof memberPort === 'number');
    const host = store.hosts.getByName('tb');
    assert.ok(host);
    const ssh = fleet.services.fleet.ssh;
    // As a changed credential does: the Docker client's kept channels go with the session.
    fleet.services.fleet.docker.forget(host.id);
    ssh.close(host.id);
    const events: string[] = [];
    const stop = ssh.onChange((e) => {
      if (e.state === 'connected') events.push(e.hostId);
    });
    const snapshot = () => ({
      servers: store?.servers.list(),
      audit: store?.audit.list(500).length,
      deploys: store?.deploys.list({}).length,
    });
    const before = snapshot();
    const containers = await f.containers(deployed);
    const cases: [ChannelInput<'servers:set'>, string, RegExp][] = [
      [{ server: 'no-such-server', version: '2' }, 'not_found', /no server named "no-such-server"/],
      [{ server: deployed, version: 'bad tag!' }, 'invalid_input', /"bad tag!" is not a valid image tag/],
      [
        { server: deployed, version: '1', unsetEnv: ['NOT_THERE'] },
        'invalid_input',
        /has no environment variable NOT_THERE to unset/,
      ],
      [
        {
          server: deployed,
          version: '1',
          env: [
            { key: 'A', value: '1', secret: false },
            { key: 'A', value: '2', secret: true },
          ],
        },
        'invalid_input',
        /environment variable A is given twice/,
      ],
      [{ server: idle, port: memberPort }, 'conflict', new RegExp(`port ${memberPort} is already pinned`)],
      [{ server: deployed, version: '1', port: 19999 }, 'invalid_input', /one port per member/],
      [
        {
          server: deployed,
          version: '1',
          reach: { mounts: [{ kind: 'bind', source: '/', target: '/data' }] },
        },
        'invalid_input',
        /the host's "\/" may not be mounted/,
      ],
      [{ server: deployed }, 'invalid_input', /nothing to change/],
    ];
    try {
      for (const [input, code, message] of cases) {
        await assert.rejects(
          call('servers:set', input),
          (err: Error & { code?: string }) => err.code === code && message.test(err.message),
          message.source,
        );
      }
    } finally {
      stop();
    }
    assert.deepEqual(events, [], 'no SSH session was opened');
    assert.deepEqual(snapshot(), before);
    assert.deepEqual(await f.containers(deployed), containers);

    // A version the host does not have: found out on the host, and still nothing saved.
    await assert.rejects(
      call('servers:set', { server: deployed, version: '3' }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'not_found', err.message);
        assert.match(err.message, new RegExp(`the image ${repo}:3 is not on tb`));
        return true;
      },
    );
    assert.deepEqual(snapshot(), before);
    assert.equal(await probes(), 0);
  });
});
