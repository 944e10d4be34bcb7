// Integration, real parts: the testbed's sshd (password and key logins) and dockerd, the `mcp-fleet`
// CLI as a subprocess, @modelcontextprotocol/server-everything (Shared) and server-memory (Dedicated)
// from node_modules baked into the runtime image, MCP clients from @modelcontextprotocol/sdk.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Dockerode from 'dockerode';
import { createServices, type Services } from '../../app/composition-root';
import { PassphraseKeyProvider } from '../store/key-providers';
import { Store } from '../store/store';
import { LABELS } from '../instance-spec/constants';
import type { DeployResult, InstanceView, MemberAdded } from '../../shared/contract';
import {
  PASSPHRASE,
  addHost,
  initializeStatus,
  installedVersion,
  instancesDir,
  listTools,
  testFleet,
  tokenFrom,
  type TestFleet,
} from '../../test-support/fleet';

void describe('mcp-fleet deploy over SSH (testbed sshd + dockerd, real npm MCP servers)', () => {
  let f: TestFleet | undefined;
  let every = '';
  let mem = '';
  const tokens: Record<string, string> = {};
  const urls: Record<string, string> = {};
  let services: Services | undefined;

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
  });

  after(async () => {
    services?.close();
    await f?.wipe([every, mem].filter((s) => s !== ''));
  });

  /** The fleet, or the test skips when before() found no testbed. */
  const fleet = (t: { skip(reason: string): void }): TestFleet | undefined => {
    if (!f) t.skip('no testbed with Docker');
    return f;
  };

  void it('deploys server-everything Shared over a password login, hardened, with tokens checked per member', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    every = `every-${fl.run}`;
    const marker = `secret-marker-${fl.run}-not-in-inspect`;
    addHost(fl, 'tb-pw', 'password');
    addHost(fl, 'tb-key', 'key');
    const version = installedVersion('@modelcontextprotocol/server-everything');
    const add = fl.cli([
      'servers',
      'add',
      every,
      '--npx',
      `@modelcontextprotocol/server-everything@${version}`,
      '--mode',
      'shared',
      '--secret-env',
      `SECRET_MARK=${marker}`,
    ]);
    assert.equal(add.code, 0, add.stderr);
    const alice = fl.cli(['members', 'add', every, 'alice']);
    assert.equal(alice.code, 0, alice.stderr);
    tokens.alice = tokenFrom(alice.stdout);
    const reader = fl.json<MemberAdded>(['members', 'add', every, 'reader', '--tools', 'echo']);
    tokens.reader = reader.token;

    const first = fl.json<DeployResult>(['deploy', every, '--host', 'tb-pw']);
    const inst = first.instances[0];
    assert.equal(first.instances.length, 1);
    assert.ok(inst?.url);
    assert.equal(inst.action, 'created');
    urls.every = inst.url;
    const all = await listTools(inst.url, tokens.alice);
    assert.ok(all.includes('echo') && all.length > 5, all.join(','));
    assert.deepEqual([...(inst.tools ?? [])].sort(), all, 'the deploy stored the tool list it saw');
    assert.deepEqual(await listTools(inst.url, tokens.reader), ['echo'], 'reader sees only its tool');
    assert.equal(await initializeStatus(inst.url, 'not-a-member-token'), 401);

    const info = await fl.docker.getContainer(inst.name).inspect();
    assert.ok(!JSON.stringify(info).includes(marker), 'no secret value in docker inspect');
    assert.equal(info.Config.User, '10001:10001');
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges']);
    assert.equal(info.HostConfig.Init, true);
    assert.equal(info.HostConfig.RestartPolicy?.Name, 'unless-stopped');
    assert.equal(info.Config.Labels[LABELS.server], every);
    assert.equal(info.Config.Labels[LABELS.instance], inst.name);
    const envFile = path.join(instancesDir(fl.tb), inst.name, 'env');
    const st = statSync(envFile);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.uid, 10001, 'the env file belongs to the container user');
    assert.ok(readFileSync(envFile, 'utf8').includes(marker), 'the secret is in the env file on the host');

    const again = fl.json<DeployResult>(['deploy', every, '--host', 'tb-pw']);
    assert.equal(again.changed, false);
    assert.deepEqual(
      again.instances.map((i) => i.action),
      ['unchanged'],
    );
    assert.equal(
      (await fl.docker.getContainer(inst.name).inspect()).Id,
      info.Id,
      'the same container still runs',
    );
    const rows = fl.json<InstanceView[]>(['instances', 'list', every]);
    assert.deepEqual(
      rows.map((r) => [r.name, r.state, r.drift]),
      [[inst.name, 'running', 'ok']],
    );
  });

  void it('deploys server-memory Dedicated for two members over a key login, each with its own instance and values', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    mem = `mem-${fl.run}`;
    const personal = `ben-own-key-${fl.run}`;
    const version = installedVersion('@modelcontextprotocol/server-memory');
    assert.equal(
      fl.cli([
        'servers',
        'add',
        mem,
        '--npx',
        `@modelcontextprotocol/server-memory@${version}`,
        '--mode',
        'dedicated',
      ]).code,
      0,
    );
    tokens.ann = fl.json<MemberAdded>(['members', 'add', mem, 'ann']).token;
    tokens.ben = fl.json<MemberAdded>([
      'members',
      'add',
      mem,
      'ben',
      '--secret-env',
      `PERSONAL_KEY=${personal}`,
    ]).token;

    const result = fl.json<DeployResult>(['deploy', mem, '--host', 'tb-key']);
    assert.deepEqual(
      result.instances.map((i) => [i.member, i.action]),
      [
        ['ann', 'created'],
        ['ben', 'created'],
      ],
    );
    const [ann, ben] = result.instances;
    assert.ok(ann?.url && ben?.url && ann.port !== ben.port);
    urls.ann = ann.url;
    urls.ben = ben.url;
    assert.ok((await listTools(ann.url, tokens.ann)).includes('create_entities'));
    assert.ok((await listTools(ben.url, tokens.ben)).includes('read_graph'));
    assert.equal(
      await initializeStatus(ben.url, tokens.ann),
      401,
      "ann's token does not open ben's instance",
    );
    assert.equal(
      await initializeStatus(ann.url, tokens.ben),
      401,
      "ben's token does not open ann's instance",
    );

    const dir = instancesDir(fl.tb);
    assert.ok(readFileSync(path.join(dir, ben.name, 'env'), 'utf8').includes(personal));
    assert.ok(
      !readFileSync(path.join(dir, ann.name, 'env'), 'utf8').includes(personal),
      "ben's value stays out of ann's instance",
    );
    assert.ok(!JSON.stringify(await fl.docker.getContainer(ben.name).inspect()).includes(personal));
    for (const i of [ann, ben]) await fl.docker.getVolume(`${i.name}-state`).inspect();

    // A member added to a deployed Dedicated server gets its instance at once; the others stay as they are.
    const cat = fl.json<MemberAdded>(['members', 'add', mem, 'cat', '--tools', 'read_graph']);
    assert.equal(cat.deployError, null);
    const actions = cat.deploys[0]?.instances.map((i) => [i.member, i.action]);
    assert.deepEqual(actions, [
      ['ann', 'unchanged'],
      ['ben', 'unchanged'],
      ['cat', 'created'],
    ]);
    const catUrl = cat.deploys[0]?.instances[2]?.url ?? '';
    assert.deepEqual(await listTools(catUrl, cat.token), ['read_graph']);
  });

  void it('finishes a deploy that was killed mid-way when it is run again, with exactly the intended containers', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    // A limit change replaces both instances; the CLI is killed as the first replacement starts.
    const child = fl.spawnCli(['deploy', mem, '--host', 'tb-key', '--memory', '320m']);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/starting mcp-fleet-/.test(seen)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`the deploy ended before it could be killed: ${seen}`)));
      setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the deploy never reached a start: ${seen}`));
      }, 180_000).unref();
    });
    if (child.exitCode === null && child.signalCode === null)
      await new Promise((resolve) => child.once('exit', resolve));

    const rerun = fl.json<DeployResult>(['deploy', mem, '--host', 'tb-key']);
    assert.equal(
      rerun.instances.filter((i) => i.action === 'failed').length,
      0,
      JSON.stringify(rerun.instances),
    );
    await assertExactly(fl, mem, rerun);
    for (const i of rerun.instances.filter((x) => x.action !== 'removed')) {
      const info: Dockerode.ContainerInspectInfo = await fl.docker.getContainer(i.name).inspect();
      assert.equal(info.HostConfig.Memory, 320 * 1024 * 1024, 'the saved --memory applies to the re-run');
    }
    assert.ok((await listTools(urls.ann ?? '', tokens.ann ?? '')).includes('create_entities'));
    assert.equal(fl.json<DeployResult>(['deploy', mem, '--host', 'tb-key']).changed, false);
  });

  void it('runs two deploys of one server from two processes one after the other: the second waits', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    const deploy = (): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = fl.spawnCli(['deploy', every, '--host', 'tb-pw', '--memory', '300m']);
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stderr }));
      });
    // The limit change replaces the instance, which takes seconds: the two runs overlap.
    const runs = await Promise.all([deploy(), deploy()]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const waited = runs.filter((r) =>
      new RegExp(`waiting for a deploy of ${every} by process \\d+ \\(since [^)]+\\) to finish`).test(
        r.stderr,
      ),
    );
    assert.equal(waited.length, 1, runs.map((r) => r.stderr).join('\n---\n'));
    const after = fl.json<DeployResult>(['deploy', every, '--host', 'tb-pw']);
    assert.equal(after.changed, false);
    await assertExactly(fl, every, after);
  });

  void it('survives an SSH connection killed mid-deploy: the re-run ends clean', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    for (const [k, v] of Object.entries(fl.env)) if (k.startsWith('MCP_FLEET_')) process.env[k] = v;
    services = await createServices({
      home: fl.home,
      keyProvider: new PassphraseKeyProvider(PASSPHRASE),
      transport: 'web',
      actor: 'test',
    });
    const s = services;
    const hostId = s.fleet.targets.host('tb-key').id;
    const kill: { pids: Promise<number[]> | null } = { pids: null };
    const lines: string[] = [];
    const attempt = s.fleet.deploy.deploy(
      mem,
      'tb-key',
      { limits: { pidsLimit: 300 } },
      {
        onProgress: (line) => {
          lines.push(line);
          if (kill.pids === null && line.startsWith('starting ')) kill.pids = killSshdSession(s, hostId);
        },
      },
    );
    await attempt.then(
      () => undefined,
      // Cut off mid-way, the instance failed and the previous version was put back (over a new session).
      (err: unknown) => {
        assert.match(String(err), /deploy of mem-\w+ on tb-key/);
      },
    );
    // The drop is noticed, not waited out: no instance's Docker call sat on a channel of the dead
    // connection until its time limit.
    assert.deepEqual(
      lines.filter((l) => /did not answer within/.test(l)),
      [],
    );
    assert.ok(((await kill.pids) ?? []).length > 0, 'the sshd process of the session was found and killed');
    const rerun = await s.fleet.deploy.deploy(mem, 'tb-key');
    await assertExactly(fl, mem, rerun);
    // What a cut made at the wrong moment leaves: the prepare container of an instance the re-run will
    // find up to date (its removal was on the dead connection). The next run must sweep it all the same.
    const upToDate = rerun.instances[0]?.name ?? '';
    await fl.docker.createContainer({
      Image: fl.env.MCP_FLEET_BASE_IMAGE,
      Cmd: ['node', '-e', '0'],
      Labels: { [LABELS.prepare]: upToDate },
    });
    const again = await s.fleet.deploy.deploy(mem, 'tb-key');
    assert.ok(
      again.instances.every((i) => i.action === 'unchanged'),
      JSON.stringify(again.instances),
    );
    await assertExactly(fl, mem, again);
    for (const i of rerun.instances.filter((x) => x.action !== 'removed')) {
      assert.equal((await fl.docker.getContainer(i.name).inspect()).HostConfig.PidsLimit, 300);
    }
    assert.ok((await listTools(urls.ben ?? '', tokens.ben ?? '')).includes('read_graph'));
  });

  void it('refuses a host whose key changed, names both fingerprints, records it, and starts nothing', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    const wrong = 'SHA256:' + 'A'.repeat(43);
    addHost(fl, 'tb-moved', 'key', ['--host-key', wrong]);
    const before = await fl.containers(every);
    const r = fl.cli(['deploy', every, '--host', 'tb-moved']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /host key for tb-moved changed: pinned SHA256:A{43}, offered SHA256:/);
    assert.ok(r.stderr.includes(fl.tb.ssh.hostKeySha256), r.stderr);
    assert.deepEqual(await fl.containers(every), before);
    const store = await Store.open({ home: fl.home, keyProvider: new PassphraseKeyProvider(PASSPHRASE) });
    t.after(() => store.close());
    const history = store.deploys.list({ limit: 5 });
    assert.equal(history[0]?.outcome, 'failed');
    assert.match(history[0]?.detail ?? '', /host key for tb-moved changed/);
    const audit = store.audit
      .list(10)
      .find((e) => e.action === 'deploy.run' && e.target === `${every}@tb-moved`);
    assert.equal(audit?.outcome, 'failed');
  });

  void it('members remove and instances remove take away every container, folder and volume they made', async (t) => {
    const fl = fleet(t);
    if (!fl) return;
    const rows = fl
      .json<InstanceView[]>(['instances', 'list'])
      .filter((r) => r.server === every || r.server === mem);
    const names = rows.map((r) => r.name);
    assert.equal(names.length, 4, JSON.stringify(rows));
    assert.ok(
      rows.every((r) => r.drift === 'ok'),
      JSON.stringify(rows.map((r) => [r.name, r.drift])),
    );

    const ben = names.find((n) => n.includes('-ben-')) ?? '';
    assert.equal(fl.cli(['instances', 'stop', ben]).code, 0);
    const drift = (): string | undefined =>
      fl.json<InstanceView[]>(['instances', 'list', mem]).find((r) => r.name === ben)?.drift;
    assert.equal(drift(), 'not running');
    assert.equal(fl.cli(['instances', 'restart', ben]).code, 0);
    assert.equal(drift(), 'ok');
    const logs = fl.json<{ stream: string; text: string }[]>(['instances', 'logs', ben, '--tail', '50']);
    assert.ok(
      logs.some((l) => l.text.includes('"event":"listening"')),
      'the bridge log is read back',
    );

    assert.equal(fl.cli(['members', 'remove', mem, 'ann']).code, 0);
    assert.equal(fl.cli(['members', 'remove', mem, 'cat']).code, 0);
    assert.deepEqual(
      (await fl.containers(mem)).map((c) => c.name),
      [ben],
    );
    assert.equal(fl.cli(['members', 'remove', mem, 'ben']).code, 0);
    const shared = names.find((n) => n === `mcp-fleet-${every}`) ?? '';
    const removed = fl.cli(['instances', 'remove', shared]);
    assert.equal(removed.code, 0, removed.stderr);

    assert.deepEqual(await fl.containers(mem), []);
    assert.deepEqual(await fl.containers(every), []);
    for (const server of [every, mem]) {
      const listed: { Volumes: Dockerode.VolumeInspectInfo[] | null } = await fl.docker.listVolumes({
        filters: { label: [`${LABELS.server}=${server}`] },
      });
      assert.deepEqual(listed.Volumes ?? [], [], `no volume of ${server} is left`);
    }
    for (const n of names) assert.ok(!existsSync(path.join(instancesDir(fl.tb), n)), `${n}'s folder is gone`);
    assert.equal(fl.cli(['servers', 'remove', mem]).code, 0);
    assert.equal(fl.cli(['servers', 'remove', every]).code, 0);
  });
});

/** Exactly the wanted containers of the server, all running with the wanted config; no leftovers. */
async function assertExactly(fl: TestFleet, server: string, result: DeployResult): Promise<void> {
  const wanted = result.instances
    .filter((i) => i.action !== 'removed')
    .map((i) => i.name)
    .sort();
  const running = await fl.containers(server);
  assert.deepEqual(
    running.map((c) => c.name),
    wanted,
    'no duplicates, no orphans, nothing moved aside',
  );
  assert.ok(
    running.every((c) => c.state === 'running'),
    JSON.stringify(running),
  );
  const prepare = await fl.docker.listContainers({ all: true, filters: { label: [LABELS.prepare] } });
  assert.deepEqual(
    prepare.filter((c) => wanted.includes(c.Labels[LABELS.prepare] ?? '')),
    [],
  );
  for (const name of wanted) {
    const left = execFileSync('ls', ['-A', path.join(instancesDir(fl.tb), name)], { encoding: 'utf8' }).split(
      '\n',
    );
    assert.deepEqual(
      left.filter((n) => n !== '').sort(),
      ['env', 'members.json', 'pins', 'tls.crt', 'tls.key'],
      `${name}: no .previous or .tmp files`,
    );
    // The approved set's own folder (tool pinning): the file alone, no .tmp left.
    const pins = execFileSync('ls', ['-A', path.join(instancesDir(fl.tb), name, 'pins')], {
      encoding: 'utf8',
    });
    assert.deepEqual(
      pins.split('\n').filter((n) => n !== ''),
      ['approved.json'],
      `${name}: pins/`,
    );
  }
}

/** Kills the sshd processes that hold this process's session to the host; resolves to their pids. */
async function killSshdSession(s: Services, hostId: string): Promise<number[]> {
  const client = (await s.fleet.ssh.client(hostId)) as unknown as { _sock?: { localPort?: number } };
  const localPort = client._sock?.localPort;
  if (localPort === undefined) return [];
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', `( dport = :${localPort} )`], {
    encoding: 'utf8',
  });
  const pids = [...new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone with its sibling: sshd's privileged parent and its session child share the socket.
    }
  }
  return pids;
}
