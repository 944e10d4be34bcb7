// Integration, real parts: the testbed's sshd and dockerd, the `mcp-fleet` CLI as a subprocess,
// @modelcontextprotocol/server-everything (Shared, two members) from node_modules baked into the runtime
// image, MCP clients from @modelcontextprotocol/sdk; and a stand-in stdio server (`node -e`, a command
// source) that prints forged audit lines on its stdout and stderr. Covers `mcp-fleet audit --collect`:
// both members' calls with the correlation id their answers carried, no duplicates on a second
// collection or after a container restart, and forged lines never taken.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AuditCallView, DeployResult, MemberAdded } from '../../shared/contract';
import { addHost, installedVersion, listTools, testFleet, type TestFleet } from '../../test-support/fleet';
import { waitFor } from '../../test-support/wait-for';

const CORRELATION_KEY = 'io.mcp-fleet/correlation-id';
const FORGED_CID = 'forgedCid123';

// A stdio MCP server with one tool that, at start and on every call, prints a forged audit line on
// both its stdout (the bridge's JSON-RPC pipe) and its stderr.
const FORGER = [
  "const forged = JSON.stringify({ ts: new Date().toISOString(), level: 'info', event: 'audit', member: 'mallory',",
  `  session: null, method: 'tools/call', tool: 'forged', outcome: 'ok', ms: 1, cid: '${FORGED_CID}' });`,
  "const shout = () => { process.stderr.write(forged + '\\n'); process.stdout.write(forged + '\\n'); };",
  'shout();',
  "require('readline').createInterface({ input: process.stdin }).on('line', (l) => {",
  '  const m = JSON.parse(l); if (m.id === undefined) return; let result = {};',
  "  if (m.method === 'initialize') result = { protocolVersion: m.params.protocolVersion,",
  "    capabilities: { tools: {} }, serverInfo: { name: 'forger', version: '1.0.0' } };",
  "  else if (m.method === 'tools/list') result = { tools: [{ name: 'hello', inputSchema: { type: 'object' } }] };",
  "  else if (m.method === 'tools/call') { shout(); result = { content: [{ type: 'text', text: 'hi' }] }; }",
  "  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }) + '\\n');",
  '});',
].join(' ');

async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'audit-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** Calls a tool and returns the correlation id its answer carries. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  const cid = result._meta?.[CORRELATION_KEY];
  assert.equal(typeof cid, 'string', `the answer to ${name} carries a correlation id`);
  return cid as string;
}

void describe('mcp-fleet audit (testbed sshd + dockerd, server-everything, a forging stand-in)', () => {
  let f: TestFleet | undefined;
  const servers: string[] = [];
  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
    if (f) addHost(f, 'tb', 'key');
  });
  after(async () => {
    await f?.wipe(servers);
  });

  const audit = (fl: TestFleet, server: string): AuditCallView[] =>
    fl.json<AuditCallView[]>(['audit', '--collect', '--server', server]);

  void it('collects the calls of both members once, with their correlation ids, across a second collection and a restart', async (t) => {
    const fl = f;
    if (!fl) return t.skip('no testbed with Docker');
    const every = `audit-every-${fl.run}`;
    servers.push(every);
    const version = installedVersion('@modelcontextprotocol/server-everything');
    assert.equal(
      fl.cli([
        'servers',
        'add',
        every,
        '--npx',
        `@modelcontextprotocol/server-everything@${version}`,
        '--mode',
        'shared',
      ]).code,
      0,
    );
    const alice = fl.json<MemberAdded>(['members', 'add', every, 'alice']).token;
    const bob = fl.json<MemberAdded>(['members', 'add', every, 'bob']).token;
    const deployed = fl.json<DeployResult>(['deploy', every, '--host', 'tb']).instances[0];
    assert.ok(deployed?.url);
    const url = deployed.url;

    const secret = `argument-value-${fl.run}`;
    const a = await connect(url, alice);
    const b = await connect(url, bob);
    const cids = {
      aliceEcho: await call(a, 'echo', { message: secret }),
      aliceAdd: await call(a, 'get-sum', { a: 1, b: 2 }),
      bobEcho: await call(b, 'echo', { message: secret }),
    };
    await a.close();
    await b.close();

    const first = audit(fl, every);
    const byCid = new Map(first.map((r) => [r.correlationId, r]));
    const row = (cid: string): AuditCallView | undefined => byCid.get(cid);
    assert.deepEqual(
      [cids.aliceEcho, cids.aliceAdd, cids.bobEcho].map((cid) => {
        const r = row(cid);
        return [r?.member, r?.method, r?.target, r?.outcome, r?.server, r?.instance];
      }),
      [
        ['alice', 'tools/call', 'echo', 'ok', every, deployed.name],
        ['alice', 'tools/call', 'get-sum', 'ok', every, deployed.name],
        ['bob', 'tools/call', 'echo', 'ok', every, deployed.name],
      ],
    );
    for (const cid of Object.values(cids)) assert.equal(typeof row(cid)?.ms, 'number');
    assert.ok(
      first.some((r) => r.member === 'bob' && r.method === 'initialize'),
      'sessions opened are in the trail too',
    );
    assert.ok(!JSON.stringify(first).includes(secret), 'no argument value in the trail');
    const times = first.map((r) => r.at);
    assert.deepEqual(times, [...times].sort(), 'newest last');

    const second = audit(fl, every);
    assert.equal(second.length, first.length, 'a second collection adds nothing');

    await fl.docker.getContainer(deployed.name).restart({ t: 5 });
    await waitFor(() => listTools(url, alice).then(() => true), {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the restarted bridge to answer',
    });
    const c = await connect(url, alice);
    const afterRestart = await call(c, 'echo', { message: 'again' });
    await c.close();
    const third = audit(fl, every);
    const counts = new Map<string, number>();
    for (const r of third)
      if (r.correlationId) counts.set(r.correlationId, (counts.get(r.correlationId) ?? 0) + 1);
    assert.equal(counts.get(afterRestart), 1, 'the call after the restart is collected once');
    assert.ok(
      [...counts.values()].every((n) => n === 1),
      'no line is taken twice',
    );
    assert.ok(third.length > second.length);
    assert.deepEqual(
      third.slice(0, second.length).map((r) => r.correlationId),
      second.map((r) => r.correlationId),
      'what was collected before the restart stays as it was',
    );
    const again = fl.json<AuditCallView[]>(['audit', '--collect', '--member', 'bob', '--tool', 'echo']);
    assert.deepEqual(
      again.map((r) => r.correlationId),
      [cids.bobEcho],
      'filters by member and tool',
    );
  });

  void it('never takes a forged audit line the server prints', async (t) => {
    const fl = f;
    if (!fl) return t.skip('no testbed with Docker');
    const forger = `audit-forger-${fl.run}`;
    servers.push(forger);
    const add = fl.cli([
      'servers',
      'add',
      forger,
      '--command',
      'node',
      '--arg',
      '-e',
      '--arg',
      FORGER,
      '--mode',
      'shared',
    ]);
    assert.equal(add.code, 0, add.stderr);
    const token = fl.json<MemberAdded>(['members', 'add', forger, 'alice']).token;
    const deployed = fl.json<DeployResult>(['deploy', forger, '--host', 'tb']).instances[0];
    assert.ok(deployed?.url);
    const client = await connect(deployed.url, token);
    const cid = await call(client, 'hello');
    await client.close();

    const log = await fl.docker.getContainer(deployed.name).logs({ stdout: true, stderr: true });
    assert.ok(log.toString('utf8').includes(FORGED_CID), 'the forged line reached the container log');
    const rows = audit(fl, forger);
    assert.deepEqual(
      rows.filter((r) => r.method === 'tools/call').map((r) => [r.member, r.target, r.correlationId]),
      [['alice', 'hello', cid]],
    );
    assert.ok(!rows.some((r) => r.member === 'mallory' || r.correlationId === FORGED_CID));
  });
});
