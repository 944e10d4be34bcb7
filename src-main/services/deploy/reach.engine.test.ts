// Integration, real parts: the testbed's sshd (key login) and dockerd, the `mcp-fleet` CLI as a
// subprocess, @modelcontextprotocol/server-filesystem from node_modules baked into the runtime image,
// MCP clients from @modelcontextprotocol/sdk through each instance's bridge. A server's reach: a
// read-only bind mount of a host folder, per-member named volumes, an extra network, an --add-host
// line, and the checks a deploy makes on the host before it creates anything.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { DeployResult, HostCheck, MemberAdded, ServerView } from '../../shared/contract';
import { LABELS } from '../instance-spec/constants';
import { addHost, installedVersion, testFleet, type TestFleet } from '../../test-support/fleet';

const FILESYSTEM = '@modelcontextprotocol/server-filesystem';

interface ToolOutcome {
  isError: boolean;
  text: string;
}

/** One tool call through the bridge with a member's token; a refusal or a tool error is an outcome. */
async function callTool(
  url: string,
  token: string,
  name: string,
  args: Record<string, unknown>,
): Promise<ToolOutcome> {
  const client = new Client({ name: 'reach-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    const result = await client.callTool({ name, arguments: args });
    const content = (result.content ?? []) as { type: string; text?: string }[];
    return {
      isError: result.isError === true,
      text: content.map((c) => (c.type === 'text' ? (c.text ?? '') : '')).join(''),
    };
  } catch (err) {
    return { isError: true, text: err instanceof Error ? err.message : String(err) };
  } finally {
    await client.close();
  }
}

void describe("a server's mounts, volumes, networks and extra hosts, deployed (testbed sshd + dockerd, server-filesystem)", () => {
  let f: TestFleet | undefined;
  const servers: string[] = [];
  let hostDir = '';
  let network = '';

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
    if (!f) return;
    addHost(f, 'tb', 'key');
    // The host folder the server reads: the testbed's sshd and engine run on this machine.
    hostDir = mkdtempSync(path.join(tmpdir(), 'fleet-reach-'));
    chmodSync(hostDir, 0o755);
    writeFileSync(path.join(hostDir, 'hello.txt'), `hello from the host ${f.run}\n`, { mode: 0o644 });
    network = `fleet-reach-${f.run}`;
    await f.docker.createNetwork({ Name: network, Labels: { 'io.mcp-fleet.test': 'reach' } });
  });

  after(async () => {
    if (!f) return;
    await f.wipe(servers);
    // Volumes an instance made without the label (none should be), by their names.
    const { Volumes } = await f.docker.listVolumes();
    for (const v of Volumes ?? []) {
      if (servers.some((s) => v.Name.startsWith(`mcp-fleet-${s}-`)))
        await f.docker
          .getVolume(v.Name)
          .remove()
          .catch(() => undefined);
    }
    if (network !== '')
      for (const name of [network, `${network}-check`])
        await f.docker
          .getNetwork(name)
          .remove()
          .catch(() => undefined);
    if (hostDir !== '') rmSync(hostDir, { recursive: true, force: true });
  });

  const fleet = (t: { skip(reason: string): void }): TestFleet | undefined => {
    if (!f) t.skip('no testbed with Docker');
    return f;
  };

  const addServer = (fl: TestFleet, name: string, mode: 'shared' | 'dedicated', extra: string[]) => {
    servers.push(name);
    return fl.cli([
      'servers',
      'add',
      name,
      '--npx',
      `${FILESYSTEM}@${installedVersion(FILESYSTEM)}`,
      '--mode',
      mode,
      ...extra,
    ]);
  };

  const volumesOf = async (fl: TestFleet, server: string): Promise<string[]> => {
    const { Volumes } = await fl.docker.listVolumes();
    return (Volumes ?? [])
      .map((v) => v.Name)
      .filter((n) => n.startsWith(`mcp-fleet-${server}-`))
      .sort();
  };

  void it('serves a host folder read-only through a bind mount, on an extra network with an --add-host line', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    const name = `fsro-${fl.run}`;
    const add = addServer(fl, name, 'shared', [
      '--arg',
      '/srv/shared',
      '--mount',
      `${hostDir}:/srv/shared`,
      '--network',
      network,
      '--add-host',
      'db.reach.test:10.11.12.13',
    ]);
    assert.equal(add.code, 0, add.stderr);
    const view = fl.json<ServerView>(['servers', 'show', name]);
    assert.deepEqual(view.reach.mounts, [
      { kind: 'bind', source: hostDir, target: '/srv/shared', readOnly: true },
    ]);
    const token = fl.json<MemberAdded>(['members', 'add', name, 'alice']).token;
    const deployed = fl.json<DeployResult>(['deploy', name, '--host', 'tb']);
    const inst = deployed.instances[0];
    assert.ok(inst?.url, JSON.stringify(deployed));
    assert.equal(inst.action, 'created');

    const read = await callTool(inst.url, token, 'read_text_file', { path: '/srv/shared/hello.txt' });
    assert.equal(read.isError, false, read.text);
    assert.equal(read.text, readFileSync(path.join(hostDir, 'hello.txt'), 'utf8'));

    const before = readdirSync(hostDir).sort();
    const write = await callTool(inst.url, token, 'write_file', {
      path: '/srv/shared/planted.txt',
      content: 'written by the server',
    });
    assert.equal(write.isError, true, 'a write into a read-only mount fails');
    assert.match(write.text, /read-only|EROFS/i);
    const overwrite = await callTool(inst.url, token, 'write_file', {
      path: '/srv/shared/hello.txt',
      content: 'overwritten',
    });
    assert.equal(overwrite.isError, true);
    assert.deepEqual(readdirSync(hostDir).sort(), before, 'the host folder is unchanged');
    assert.equal(readFileSync(path.join(hostDir, 'hello.txt'), 'utf8'), `hello from the host ${fl.run}\n`);

    const info = await fl.docker.getContainer(inst.name).inspect();
    assert.equal(info.HostConfig.ReadonlyRootfs, true, 'the root filesystem stays read-only');
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual(Object.keys(info.NetworkSettings.Networks).sort(), ['bridge', network].sort());
    const members = (await fl.docker.getNetwork(network).inspect()) as {
      Containers?: Record<string, { Name: string }>;
    };
    assert.ok(
      Object.values(members.Containers ?? {}).some((c) => c.Name === inst.name),
      'the network lists the instance',
    );
    const hosts = execFileSync(
      'docker',
      [
        'exec',
        inst.name,
        'node',
        '-e',
        'process.stdout.write(require("fs").readFileSync("/etc/hosts", "utf8"))',
      ],
      { encoding: 'utf8' },
    );
    assert.match(hosts, /^10\.11\.12\.13\s+db\.reach\.test$/m);

    const again = fl.json<DeployResult>(['deploy', name, '--host', 'tb']);
    assert.deepEqual(
      again.instances.map((i) => i.action),
      ['unchanged'],
      'the reach is part of the config hash, stable across deploys',
    );

    // hosts check names the networks the servers running on the host join, and whether each is there.
    const checked = fl.json<HostCheck>(['hosts', 'check', 'tb']);
    assert.deepEqual(checked.networks, [{ name: network, servers: [name], state: 'present' }]);
    const gone = `${network}-check`;
    await fl.docker.createNetwork({ Name: gone, Labels: { 'io.mcp-fleet.test': 'reach' } });
    const set = fl.cli([
      'servers',
      'set',
      name,
      '--mount',
      `${hostDir}:/srv/shared`,
      '--network',
      network,
      '--network',
      gone,
      '--add-host',
      'db.reach.test:10.11.12.13',
    ]);
    assert.equal(set.code, 0, set.stderr);
    // The network goes away under the running instance, as when someone removes it on the host.
    await fl.docker.getNetwork(gone).disconnect({ Container: inst.name, Force: true });
    await fl.docker.getNetwork(gone).remove();
    const missing = fl.json<HostCheck>(['hosts', 'check', 'tb']).networks;
    assert.deepEqual(missing, [
      { name: network, servers: [name], state: 'present' },
      { name: gone, servers: [name], state: 'missing' },
    ]);
  });

  void it('refuses a missing host path or network before it creates anything on the host', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    const missing = path.join(hostDir, 'not-there');
    const nopath = `fsmiss-${fl.run}`;
    assert.equal(
      addServer(fl, nopath, 'dedicated', [
        '--arg',
        '/data',
        '--mount',
        `${missing}:/data`,
        '--volume',
        'v:/v',
      ]).code,
      0,
    );
    fl.json<MemberAdded>(['members', 'add', nopath, 'ann']);
    const refused = fl.cli(['deploy', nopath, '--host', 'tb']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`mount source ${missing} .*does not exist on host tb`));
    assert.deepEqual(await fl.containers(nopath), [], 'no container');
    assert.deepEqual(await volumesOf(fl, nopath), [], 'no volume');

    const nonet = `fsnonet-${fl.run}`;
    assert.equal(
      addServer(fl, nonet, 'shared', ['--arg', '/v', '--volume', 'v:/v', '--network', `${network}-gone`])
        .code,
      0,
    );
    fl.json<MemberAdded>(['members', 'add', nonet, 'ann']);
    const noNetwork = fl.cli(['deploy', nonet, '--host', 'tb']);
    assert.equal(noNetwork.code, 1, noNetwork.stderr);
    assert.match(noNetwork.stderr, new RegExp(`network "${network}-gone" .*does not exist on host tb`));
    assert.deepEqual(await fl.containers(nonet), []);
    assert.deepEqual(await volumesOf(fl, nonet), []);
  });

  void it('refuses the Docker socket without --allow-docker-socket, also behind a link on the host', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    const direct = `fssock-${fl.run}`;
    const add = addServer(fl, direct, 'shared', ['--mount', '/var/run/docker.sock:/var/run/docker.sock']);
    assert.equal(add.code, 2);
    assert.match(add.stderr, /Docker socket.*--allow-docker-socket/);
    assert.ok(!fl.json<ServerView[]>(['servers', 'list']).some((s) => s.name === direct), 'nothing saved');

    // A plain-looking path on the host that is a link to the socket: the deploy resolves it there.
    const link = path.join(hostDir, 'innocent.sock');
    symlinkSync('/var/run/docker.sock', link);
    const linked = `fslink-${fl.run}`;
    assert.equal(addServer(fl, linked, 'shared', ['--arg', '/v', '--mount', `${link}:/v/sock`]).code, 0);
    fl.json<MemberAdded>(['members', 'add', linked, 'ann']);
    const refused = fl.cli(['deploy', linked, '--host', 'tb']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`${link} .*is, on host tb, the Docker socket`));
    assert.deepEqual(await fl.containers(linked), []);
  });

  void it('gives each Dedicated member its own named volume: one cannot read what the other wrote', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    const name = `fsvol-${fl.run}`;
    assert.equal(addServer(fl, name, 'dedicated', ['--arg', '/data', '--volume', 'data:/data']).code, 0);
    const ann = fl.json<MemberAdded>(['members', 'add', name, 'ann']).token;
    const ben = fl.json<MemberAdded>(['members', 'add', name, 'ben']).token;
    const deployed = fl.json<DeployResult>(['deploy', name, '--host', 'tb']);
    const url = (member: string) => deployed.instances.find((i) => i.member === member)?.url ?? '';
    assert.ok(url('ann') && url('ben'), JSON.stringify(deployed));

    const note = `ann's note ${fl.run}`;
    const wrote = await callTool(url('ann'), ann, 'write_file', { path: '/data/note.txt', content: note });
    assert.equal(wrote.isError, false, wrote.text);
    const own = await callTool(url('ann'), ann, 'read_text_file', { path: '/data/note.txt' });
    assert.equal(own.text, note);
    const other = await callTool(url('ben'), ben, 'read_text_file', { path: '/data/note.txt' });
    assert.equal(other.isError, true, "ben's instance has its own, empty volume");
    assert.ok(!other.text.includes(note));

    assert.deepEqual(await volumesOf(fl, name), [`mcp-fleet-${name}-ann-data`, `mcp-fleet-${name}-ben-data`]);
    const labels = (await fl.docker.getVolume(`mcp-fleet-${name}-ann-data`).inspect()).Labels ?? {};
    assert.equal(labels[LABELS.server], name, 'the volume carries its server, so cleanup finds it');
  });
});
