// Integration: the real `mcp-fleet` CLI (a subprocess) in a fresh encrypted store: a member's access to
// tools, resources and prompts (`members add`, `members set`, `members list`) and `servers set`. The
// members file is then rendered from that store as a deploy renders it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMembersFile } from '../../shared/members-file';
import { buildInstanceSpec } from '../../services/instance-spec/instance-spec';
import { PassphraseKeyProvider } from '../../services/store/key-providers';
import { Store } from '../../services/store/store';

const BIN = resolve(import.meta.dirname, '../../../bin/mcp-fleet.mjs');
const PASS = 'correct horse battery staple';
const homes: string[] = [];

function newHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-cli-set-'));
  homes.push(dir);
  return dir;
}

function cli(home: string, args: string[]) {
  const env = { ...process.env, MCP_FLEET_PASSPHRASE: PASS };
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], { env, input: '', encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(home: string, args: string[]): string {
  const r = cli(home, args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const fileHash = (home: string) =>
  createHash('sha256')
    .update(readFileSync(join(home, 'fleet.db')))
    .digest('hex');

/** The members file and config hash a deploy of `server` would give its Shared instance now. */
async function rendered(home: string, server: string): Promise<{ content: string; configHash: string }> {
  const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider(PASS) });
  try {
    const record = store.servers.getByName(server);
    assert.ok(record);
    const spec = buildInstanceSpec({
      server: record,
      members: store.members.listByServer(record.id),
      image: 'mcp-fleet/runtime:0123456789abcdef',
      port: 18080,
      configDir: `/home/ops/.mcp-fleet/instances/mcp-fleet-${server}`,
    });
    return { content: spec.files.members.content, configHash: spec.configHash };
  } finally {
    store.close();
  }
}

interface Listed {
  name: string;
  tools: string[];
  resources: string[];
  prompts: string[];
  limits: Record<string, number>;
}

const listed = (home: string) => JSON.parse(ok(home, ['--json', 'members', 'list', 'files'])) as Listed[];

/** Asserts a refusal: exit 2 (bad input) or 1, one line on stderr matching `pattern`. */
function refused(home: string, args: string[], pattern: RegExp, code = 2): void {
  const r = cli(home, args);
  assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, pattern, args.join(' '));
  assert.equal(r.stderr.trim().split('\n').length, 1, args.join(' '));
}

after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

describe('mcp-fleet members: access to tools, resources and prompts', () => {
  test('add takes all, none or patterns for each; list shows them', () => {
    const home = newHome();
    ok(home, ['servers', 'add', 'files', '--npx', 'pkg@1.0.0', '--mode', 'shared']);
    const alice = ok(home, ['members', 'add', 'files', 'alice']);
    assert.match(
      alice,
      /added member alice of files \(tools all; resources all; prompts all; limits the server's\)/,
    );
    ok(home, [
      'members',
      'add',
      'files',
      'bob',
      '--tools',
      'none',
      '--resources',
      'none',
      '--prompts',
      'none',
    ]);
    const carol = ok(home, [
      'members',
      'add',
      'files',
      'carol',
      '--tools',
      'read_*, list_directory',
      '--resources=file:///docs/*,memo://team',
      '--prompts',
      '*',
    ]);
    assert.match(
      carol,
      /tools read_\*,list_directory; resources file:\/\/\/docs\/\*,memo:\/\/team; prompts all/,
    );
    assert.deepEqual(
      listed(home).map((m) => [m.name, m.tools, m.resources, m.prompts]),
      [
        ['alice', ['*'], ['*'], ['*']],
        ['bob', [], [], []],
        ['carol', ['read_*', 'list_directory'], ['file:///docs/*', 'memo://team'], ['*']],
      ],
    );
    const table = ok(home, ['members', 'list', 'files']);
    assert.match(table, /NAME +TOOLS +RESOURCES +PROMPTS +OWN VALUES/);
    assert.match(table, /alice +all +all +all +-/);
    assert.match(table, /bob +none +none +none +-/);
    assert.match(table, /carol +read_\*,list_directory +file:\/\/\/docs\/\*,memo:\/\/team +all +-/);
  });

  test('bad patterns, a missing option or member are refused with one line, and nothing is written', () => {
    const home = newHome();
    ok(home, ['servers', 'add', 'files', '--npx', 'pkg@1.0.0', '--mode', 'shared']);
    ok(home, ['members', 'add', 'files', 'alice']);
    const before = fileHash(home);
    const many = Array.from({ length: 513 }, (_, i) => `tool_${i}`).join(',');
    const add = ['members', 'add', 'files', 'bob'];
    const set = ['members', 'set', 'files', 'alice'];
    const cases: [string[], RegExp, number?][] = [
      [
        [...add, '--resources', 'file:///my docs/*'],
        /--resources: resource pattern "file:\/\/\/my docs\/\*" must not hold spaces/,
      ],
      [[...add, '--tools', "read'graph"], /--tools: tool name "read'graph" must be 1-128 letters/],
      [[...add, '--prompts', 'a b'], /--prompts: prompt name "a b" must be 1-128/],
      [[...add, '--tools', ','], /--tools needs names or patterns, \* for all, or none/],
      [[...set, '--resources', 'none,file:///a'], /--resources: "none" stands alone/],
      [[...set, '--tools', many], /--tools takes at most 512 patterns, got 513/],
      [set, /expected: mcp-fleet members set SERVER MEMBER with at least one of/],
      [[...set, '--secret-env', 'K=V'], /unknown option --secret-env/],
      [[...set, '--sessions', '0'], /--sessions must be a whole number/],
      // Not found, with and without limits (those are merged into the member's own, so looked up first).
      [
        ['members', 'set', 'files', 'nobody', '--tools', 'none'],
        /server "files" has no member named "nobody"/,
        1,
      ],
      [['members', 'set', 'files', 'nobody', '--rps', '2'], /server "files" has no member named "nobody"/, 1],
    ];
    for (const [args, pattern, code] of cases) refused(home, args, pattern, code);
    assert.equal(fileHash(home), before, 'a refused add or set changed the store');
    assert.deepEqual(
      listed(home).map((m) => [m.name, m.tools, m.resources, m.prompts]),
      [['alice', ['*'], ['*'], ['*']]],
    );
  });

  test('set changes the members file and its config hash; an unrelated member keeps its defaults', async () => {
    const home = newHome();
    ok(home, ['servers', 'add', 'files', '--npx', 'pkg@1.0.0', '--mode', 'shared']);
    ok(home, ['members', 'add', 'files', 'alice']);
    ok(home, ['members', 'add', 'files', 'bob', '--rps', '2', '--sessions', '4']);
    const before = await rendered(home, 'files');
    const aliceEntry = parseMembersFile(before.content, 'members').find((m) => m.name === 'alice');

    const out = ok(home, [
      'members',
      'set',
      'files',
      'bob',
      '--resources',
      'file:///docs/*',
      '--prompts',
      'none',
    ]);
    assert.match(
      out,
      /changed member bob of files \(tools all; resources file:\/\/\/docs\/\*; prompts none; limits sessions 4, rps 2\)/,
    );
    const after1 = await rendered(home, 'files');
    assert.notEqual(after1.content, before.content);
    assert.notEqual(after1.configHash, before.configHash);
    const entries = parseMembersFile(after1.content, 'members');
    assert.deepEqual(
      entries.find((m) => m.name === 'alice'),
      aliceEntry,
      "alice's entry is untouched",
    );
    assert.deepEqual(Object.keys(aliceEntry ?? {}), ['name', 'tokenSha256', 'tools']);
    const bob = entries.find((m) => m.name === 'bob');
    assert.deepEqual([bob?.tools, bob?.resources, bob?.prompts], [['*'], ['file:///docs/*'], []]);

    // Limits merge into the member's own; default drops one; the lists given before stay.
    ok(home, ['members', 'set', 'files', 'bob', '--rps', 'default', '--inflight', '1', '--tools', 'none']);
    const bobNow = listed(home).find((m) => m.name === 'bob');
    assert.deepEqual(
      [bobNow?.tools, bobNow?.resources, bobNow?.prompts, bobNow?.limits],
      [[], ['file:///docs/*'], [], { sessions: 4, inflight: 1 }],
    );

    // Back to all and no limits of its own: bob's entry holds only what every entry holds.
    ok(home, [
      'members',
      'set',
      'files',
      'bob',
      '--tools',
      '*',
      '--resources',
      '*',
      '--prompts',
      '*',
      '--sessions',
      'default',
      '--inflight',
      'default',
    ]);
    const reset = parseMembersFile((await rendered(home, 'files')).content, 'members');
    assert.deepEqual(Object.keys(reset.find((m) => m.name === 'bob') ?? {}), [
      'name',
      'tokenSha256',
      'tools',
    ]);
  });
});

describe('mcp-fleet servers set', () => {
  interface Shown {
    roots: unknown;
    bridgeLimits: unknown;
  }
  const show = (home: string, name: string) =>
    JSON.parse(ok(home, ['--json', 'servers', 'show', name])) as Shown;

  test('replaces the roots, merges the caps, and changes the config hash', async () => {
    const home = newHome();
    ok(home, [
      'servers',
      'add',
      'files',
      '--npx',
      'pkg@1.0.0',
      '--mode',
      'shared',
      '--member-sessions',
      '8',
      '--max-connections',
      '300',
    ]);
    ok(home, ['members', 'add', 'files', 'alice']);
    const before = await rendered(home, 'files');

    const out = ok(home, [
      'servers',
      'set',
      'files',
      '--root',
      'file:///srv/data=Data',
      '--root',
      'file:///srv/b',
      '--member-rps',
      '2.5',
      '--member-sessions',
      'default',
    ]);
    assert.match(out, /changed server files \(roots 2; bridge --member-rps 2\.5 --max-connections 300\)/);
    const shown = show(home, 'files');
    assert.deepEqual(shown.roots, [{ uri: 'file:///srv/data', name: 'Data' }, { uri: 'file:///srv/b' }]);
    assert.deepEqual(shown.bridgeLimits, { memberRps: 2.5, maxConnections: 300 });
    assert.notEqual((await rendered(home, 'files')).configHash, before.configHash);

    ok(home, ['servers', 'set', 'files', '--no-roots', '--member-rps', 'default', '--member-sessions', '8']);
    const back = show(home, 'files');
    assert.deepEqual([back.roots, back.bridgeLimits], [[], { memberSessions: 8, maxConnections: 300 }]);
    assert.equal(
      (await rendered(home, 'files')).configHash,
      before.configHash,
      'the same settings, the same hash',
    );
  });

  test('bad input is refused with one line, and nothing is written', () => {
    const home = newHome();
    ok(home, [
      'servers',
      'add',
      'files',
      '--npx',
      'pkg@1.0.0',
      '--mode',
      'shared',
      '--max-connections',
      '10',
    ]);
    ok(home, ['servers', 'add', 'solo', '--npx', 'pkg@1.0.0', '--mode', 'dedicated']);
    const before = fileHash(home);
    refused(
      home,
      ['servers', 'set', 'solo', '--root', 'file:///srv/data'],
      /^mcp-fleet: roots are for Shared servers: a Dedicated instance's own client answers its server's roots\/list\n$/,
    );
    refused(home, ['servers', 'set', 'files'], /expected: mcp-fleet servers set SERVER with at least one of/);
    refused(home, ['servers', 'set', 'files', '--root', 'file:///a', '--no-roots'], /not both/);
    refused(
      home,
      ['servers', 'set', 'files', '--root', 'https://example.com/'],
      /--root "https:\/\/example.com\/" must be a file:\/\/ URI/,
    );
    refused(home, ['servers', 'set', 'files', '--member-rps', '1e3'], /--member-rps must be a number/);
    // Merged with the stored --max-connections 10.
    refused(
      home,
      ['servers', 'set', 'files', '--max-connections-per-source', '20'],
      /--max-connections-per-source 20 is above --max-connections 10/,
    );
    refused(home, ['servers', 'set', 'nothing', '--no-roots'], /no server named "nothing"/, 1);
    assert.equal(fileHash(home), before, 'a refused set changed the store');
  });
});

describe('mcp-fleet servers set: version, arguments, env, port and reach', () => {
  interface ShownServer {
    source: { kind: string; value: string };
    args: string[];
    env: { key: string; value: string | null; secret: boolean }[];
    port: number | null;
    reach: unknown;
  }
  const show = (home: string, name: string) =>
    JSON.parse(ok(home, ['--json', 'servers', 'show', name])) as ShownServer;
  const SECRET = 'stdin-secret-9d1e';

  /** The stored env and the audit log, read with the store's key. */
  async function stored(home: string, server: string) {
    const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider(PASS) });
    try {
      return {
        env: store.servers.getByName(server)?.env ?? [],
        audit: JSON.stringify(store.audit.list(100)),
      };
    } finally {
      store.close();
    }
  }

  test('changes each field, reads a secret from stdin, says nothing was listed for a server deployed nowhere', async () => {
    const home = newHome();
    ok(home, [
      'servers',
      'add',
      'web',
      '--image',
      'ghcr.io/org/web:1',
      '--mode',
      'shared',
      '--env',
      'A=1',
      '--env',
      'KEEP=k',
    ]);
    ok(home, ['servers', 'add', 'pinned', '--npx', 'pkg@1.0.0', '--mode', 'shared', '--port', '18600']);

    const dry = ok(home, ['servers', 'set', 'web', '--version', '2', '--dry-run']);
    assert.match(dry, /^web runs on no host yet, so no tools were listed to compare$/m);
    assert.match(dry, /dry run: nothing saved or deployed; server web would run image ghcr\.io\/org\/web:2/);
    assert.equal(show(home, 'web').source.value, 'ghcr.io/org/web:1');

    const env = { ...process.env, MCP_FLEET_PASSPHRASE: PASS };
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        '--home',
        home,
        'servers',
        'set',
        'web',
        '--version',
        '2',
        '--arg',
        '--verbose',
        '--arg',
        'x y',
        '--env',
        'B=2',
        '--unset-env',
        'A',
        '--secret-env',
        'TOKEN',
        '--port',
        '18601',
        '--mount',
        '/srv/data:/data',
        '--volume',
        'cache:/cache',
        '--add-host',
        'db:10.0.0.5',
        '--network',
        'backend',
      ],
      { env, input: `${SECRET}\n`, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /web runs on no host yet, so no tools were listed to compare/);
    assert.match(r.stdout, /^changed server web /m);
    const shown = show(home, 'web');
    assert.deepEqual(
      [shown.source.value, shown.args, shown.port],
      ['ghcr.io/org/web:2', ['--verbose', 'x y'], 18601],
    );
    assert.deepEqual(
      shown.env.map((e) => [e.key, e.value, e.secret]),
      [
        ['KEEP', 'k', false],
        ['B', '2', false],
        ['TOKEN', null, true],
      ],
    );
    assert.deepEqual(shown.reach, {
      mounts: [
        { kind: 'bind', source: '/srv/data', target: '/data', readOnly: true },
        { kind: 'volume', source: 'cache', target: '/cache', readOnly: false, shared: false },
      ],
      networks: ['backend'],
      extraHosts: [{ name: 'db', ip: '10.0.0.5' }],
      allowDockerSocket: false,
    });
    const after = await stored(home, 'web');
    assert.equal(after.env.find((e) => e.key === 'TOKEN')?.value, SECRET, 'the value read from stdin');
    assert.ok(!after.audit.includes(SECRET) && !r.stdout.includes(SECRET) && !r.stderr.includes(SECRET));
    assert.match(
      after.audit,
      /source ghcr\.io\/org\/web:1 -> ghcr\.io\/org\/web:2, args 2, env set B,TOKEN, env unset A, port 18601, reach 2 mounts, 1 networks, 1 extra hosts/,
    );

    ok(home, ['servers', 'set', 'web', '--port', 'auto', '--no-reach', '--no-args']);
    const cleared = show(home, 'web');
    assert.deepEqual(
      [cleared.port, cleared.args, cleared.reach],
      [null, [], { mounts: [], networks: [], extraHosts: [], allowDockerSocket: false }],
    );
  });

  test('bad input is refused with one line, and nothing is written', () => {
    const home = newHome();
    ok(home, ['servers', 'add', 'web', '--image', 'ghcr.io/org/web:1', '--mode', 'shared', '--env', 'A=1']);
    ok(home, ['servers', 'add', 'other', '--npx', 'pkg@1.0.0', '--mode', 'shared', '--port', '18700']);
    ok(home, ['servers', 'add', 'solo', '--npx', 'pkg@1.0.0', '--mode', 'dedicated']);
    ok(home, ['servers', 'add', 'cmd', '--command', 'my-server', '--mode', 'shared']);
    const before = fileHash(home);
    const set = (...args: string[]) => ['servers', 'set', ...args];
    refused(home, set('web', '--port', '0'), /--port must be 1-65535 or auto, got "0"/);
    refused(
      home,
      set('web', '--port', '18700'),
      /port 18700 is already pinned by another server or member/,
      1,
    );
    refused(home, set('solo', '--port', '18800'), /one port per member/);
    refused(
      home,
      set('web', '--unset-env', 'NOPE'),
      /server "web" has no environment variable NOPE to unset/,
    );
    refused(home, set('web', '--env', 'A=2', '--unset-env', 'A'), /environment variable A is given twice/);
    refused(home, set('web', '--env', 'novalue'), /--env expects KEY=VALUE/);
    refused(home, set('web', '--secret-env', 'A', '--secret-env', 'B'), /only one --secret-env KEY/);
    refused(home, set('web', '--version', 'bad tag!'), /"bad tag!" is not a valid image tag/);
    refused(home, set('other', '--version', 'not a version'), /must not contain spaces/);
    refused(home, set('cmd', '--version', '2'), /a command source has no version to change/);
    refused(home, set('web', '--mount', '/:/data'), /the host's "\/" may not be mounted/);
    refused(home, set('web', '--mount', '/var/run/docker.sock:/sock'), /is the Docker socket/);
    refused(home, set('web', '--mount', 'data'), /--mount "data" must be HOST_PATH:CONTAINER_PATH/);
    refused(home, set('web', '--network', 'host'), /network "host" is Docker's own/);
    refused(home, set('web', '--no-reach', '--network', 'backend'), /not both/);
    refused(home, set('web', '--shared-volume'), /--shared-volume goes with --volume/);
    refused(home, set('nothing', '--version', '2'), /no server named "nothing"/, 1);
    assert.equal(fileHash(home), before, 'a refused set changed the store');
  });
});

describe('mcp-fleet servers set --mode (a server deployed nowhere: the store only)', () => {
  interface Shown {
    mode: string;
    port: number | null;
    roots: unknown[];
  }
  interface ListedMember {
    name: string;
    envKeys: string[];
  }
  const show = (home: string, name: string) =>
    JSON.parse(ok(home, ['--json', 'servers', 'show', name])) as Shown;
  const members = (home: string, server: string) =>
    JSON.parse(ok(home, ['--json', 'members', 'list', server])) as ListedMember[];

  /** Member names with their token hashes, read with the store's key. */
  async function tokens(home: string, server: string): Promise<string[][]> {
    const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider(PASS) });
    try {
      const record = store.servers.getByName(server);
      return store.members.listByServer(record?.id ?? '').map((m) => [m.name, m.tokenSha256]);
    } finally {
      store.close();
    }
  }

  test('refuses what the new mode cannot keep, shows the plan on --dry-run, keeps members and tokens', async () => {
    const home = newHome();
    ok(home, [
      'servers',
      'add',
      'docs',
      '--npx',
      'pkg@1.0.0',
      '--mode',
      'shared',
      '--port',
      '18650',
      '--root',
      'file:///srv/docs',
    ]);
    ok(home, ['members', 'add', 'docs', 'alice', '--tools', 'read_*']);
    ok(home, ['members', 'add', 'docs', 'bob']);
    const hashes = await tokens(home, 'docs');
    const before = fileHash(home);
    const set = (...args: string[]) => ['servers', 'set', 'docs', ...args];
    refused(home, set('--mode', 'dedicated'), /has 1 root\(s\), which only Shared servers take.*--no-roots/);
    refused(home, set('--mode', 'dedicated', '--no-roots', '--port', '18651'), /one port per member/);
    refused(home, set('--mode', 'solo'), /--mode must be shared or dedicated, got "solo"/);
    refused(
      home,
      set('--mode', 'dedicated', '--drop-member-env'),
      /--drop-member-env goes with --mode shared/,
    );
    refused(home, set('--fresh-volumes', '--no-args'), /--fresh-volumes goes with --mode/);
    refused(home, set('--mode', 'shared'), /nothing to change: server "docs" is already Shared/);
    const dry = ok(home, set('--mode', 'dedicated', '--no-roots', '--dry-run'));
    assert.match(dry, /^mode of docs: Shared -> Dedicated$/m);
    assert.match(dry, /runs nowhere yet: its next deploy makes Dedicated instances/);
    assert.match(dry, /dry run: nothing saved or deployed; .*, dedicated$/m);
    assert.equal(fileHash(home), before, 'a refused set or a dry run changed the store');

    assert.match(
      ok(home, set('--mode', 'dedicated', '--no-roots')),
      /^changed server docs \(mode dedicated; roots 0;/m,
    );
    assert.deepEqual(Object.values(pick(show(home, 'docs'))), ['dedicated', null, []]);
    assert.deepEqual(await tokens(home, 'docs'), hashes, 'members and tokens stay');
    assert.deepEqual(
      (JSON.parse(ok(home, ['--json', 'members', 'list', 'docs'])) as Listed[]).map((m) => [m.name, m.tools]),
      [
        ['alice', ['read_*']],
        ['bob', ['*']],
      ],
      "each member's tools stay",
    );

    // Dedicated: a member's own values, which Shared cannot keep apart.
    ok(home, ['members', 'add', 'docs', 'carol', '--secret-env', 'API_KEY=carol-secret-1']);
    const dedicated = fileHash(home);
    refused(
      home,
      set('--mode', 'shared'),
      /member\(s\) carol \(API_KEY\) have their own values, which a Shared instance cannot keep apart: give --drop-member-env/,
    );
    refused(
      home,
      set('--mode', 'shared', '--drop-member-env', '--port', '18650', '--root', 'https://x/'),
      /file:\/\//,
    );
    assert.equal(fileHash(home), dedicated);
    const out = ok(home, set('--mode', 'shared', '--drop-member-env', '--port', '18652'));
    assert.ok(!out.includes('carol-secret-1'));
    assert.deepEqual(Object.values(pick(show(home, 'docs'))), ['shared', 18652, []]);
    assert.deepEqual(
      members(home, 'docs').map((m) => [m.name, m.envKeys]),
      [
        ['alice', []],
        ['bob', []],
        ['carol', []],
      ],
    );
    assert.deepEqual((await tokens(home, 'docs')).slice(0, 2), hashes);
  });
});

function pick(s: { mode: string; port: number | null; roots: unknown[] }) {
  return { mode: s.mode, port: s.port, roots: s.roots };
}
