import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childEnvironment, parseEnvFile } from '../child/env-file';
import { BridgeError } from '../errors';
import { buildMembers, parseMembersJson } from './members';
import { sha256 } from '../test-helpers';

describe('members', () => {
  it('parses the members file and compiles tool patterns', () => {
    const specs = parseMembersJson(
      JSON.stringify([
        { name: 'alice', tokenSha256: sha256('a'), tools: ['*'] },
        { name: 'bob', tokenSha256: sha256('b'), tools: ['read_graph', 'search_*'] },
      ]),
      'members.json',
    );
    const [alice, bob] = buildMembers(specs, []);
    assert.equal(alice?.tools.all, true);
    assert.equal(bob?.tools.all, false);
    assert.equal(bob?.tools.allows('read_graph'), true);
    assert.equal(bob?.tools.allows('search_nodes'), true);
    assert.equal(bob?.tools.allows('create_entities'), false);
    assert.equal(bob?.tools.allows('read_graph2'), false);
  });

  it('reads resources and prompts: absent means all, [] none, else patterns', () => {
    const specs = parseMembersJson(
      JSON.stringify([
        { name: 'all', tokenSha256: sha256('a'), tools: ['*'] },
        { name: 'none', tokenSha256: sha256('n'), tools: ['echo'], resources: [], prompts: [] },
        {
          name: 'some',
          tokenSha256: sha256('s'),
          tools: [],
          resources: ['demo://docs/*.md', 'demo://exact'],
          prompts: ['simple-prompt', 'code_*'],
        },
      ]),
      'members.json',
    );
    const [all, none, some] = buildMembers(specs, []);
    for (const kind of ['resources', 'prompts'] as const) {
      assert.deepEqual([all?.[kind].all, all?.[kind].any], [true, true], kind);
      assert.deepEqual([none?.[kind].all, none?.[kind].any], [false, false], kind);
      assert.deepEqual([some?.[kind].all, some?.[kind].any], [false, true], kind);
    }
    assert.equal(none?.resources.allows('demo://exact'), false);
    assert.equal(none?.resources.mayAllowTemplate('{uri}'), false);
    assert.deepEqual([some?.tools.all, some?.tools.any], [false, false]);
    const resources = some?.resources;
    assert.equal(resources?.allows('demo://exact'), true);
    assert.equal(resources?.allows('demo://docs/a/b.md'), true, '* matches any run, "/" included');
    assert.equal(resources?.allows('demo://docs/a.txt'), false);
    assert.equal(resources?.allows('demo://exact/more'), false);
    // A URI is compared as sent: no percent-decoding, and a * in it is a character, not a wildcard.
    assert.equal(resources?.allows('demo://%65xact'), false);
    assert.equal(resources?.allows('demo://*'), false);
    assert.equal(some?.prompts.allows('code_review'), true);
    assert.equal(some?.prompts.allows('args-prompt'), false);
  });

  it('shows a URI template when some URI it expands to may be allowed', () => {
    const [member] = buildMembers(
      [
        {
          name: 'c',
          tokenSha256: sha256('c'),
          tools: [],
          resources: ['demo://resource/dynamic/text/*', 'file:///srv/docs/readme.md'],
        },
      ],
      [],
    );
    const may = (template: string) => member?.resources.mayAllowTemplate(template);
    assert.equal(may('demo://resource/dynamic/text/{resourceId}'), true);
    assert.equal(may('demo://resource/dynamic/blob/{resourceId}'), false);
    assert.equal(may('file:///{+path}'), true, 'may expand to file:///srv/docs/readme.md');
    assert.equal(may('file:///srv/docs/{name}.txt'), false);
    assert.equal(may('demo://resource/dynamic/text/1'), true, 'a plain URI is a template of itself');
    // A * outside {…} is part of the URI: this template only ever means ".../*" itself.
    assert.equal(may('file:///srv/*'), false);
    assert.equal(may('file:///srv/{x}'), true);
  });

  it('reads per-member limits, which override the server defaults one by one', () => {
    const specs = parseMembersJson(
      JSON.stringify([
        { name: 'alice', tokenSha256: sha256('a'), tools: ['*'] },
        { name: 'bob', tokenSha256: sha256('b'), tools: ['*'], limits: { sessions: 4, rps: 0.5 } },
      ]),
      'members.json',
    );
    const [alice, bob] = buildMembers(specs, []);
    assert.deepEqual(alice?.limits, {});
    assert.deepEqual(bob?.limits, { sessions: 4, rps: 0.5 });
    const bad: [unknown, RegExp][] = [
      [[], /"limits" must be an object/],
      [{ sessions: 0 }, /"limits.sessions" must be a whole number from 1/],
      [{ inflight: 2.5 }, /"limits.inflight" must be a whole number/],
      [{ rps: 0 }, /"limits.rps" must be a number from above 0/],
      [{ rps: '10' }, /"limits.rps" must be a number/],
      [{ sessions: 2_000_000 }, /to 1000000/],
      // A typo must not leave the member on the defaults unnoticed.
      [{ rate: 5 }, /not "rate"/],
    ];
    for (const [limits, message] of bad) {
      const text = JSON.stringify([{ name: 'bob', tokenSha256: sha256('b'), tools: ['*'], limits }]);
      assert.throws(() => parseMembersJson(text, 'm.json'), message, JSON.stringify(limits));
    }
  });

  it('turns --token-sha256 into a member "default" with every tool, resource and prompt', () => {
    const members = buildMembers([], [sha256('x'), sha256('y')]);
    assert.deepEqual(
      members.map((m) => [m.name, m.tools.all, m.resources.all, m.prompts.all, m.tokenHashes.length]),
      [['default', true, true, true, 2]],
    );
  });

  it('refuses bad files with the entry at fault and no hash in the message', () => {
    assert.throws(() => parseMembersJson('{', 'm.json'), /m.json is not valid JSON/);
    assert.throws(() => parseMembersJson('{}', 'm.json'), /JSON array/);
    assert.throws(
      () => parseMembersJson('[{"name":"a","tokenSha256":"abc","tools":["*"]}]', 'm.json'),
      /entry 0 \(a\): "tokenSha256"/,
    );
    const entry = (fields: Record<string, unknown>) =>
      JSON.stringify([{ name: 'a', tokenSha256: sha256('a'), tools: ['*'], ...fields }]);
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ name: 'a b' }, /^m\.json entry 0 "name" must be 1-63 characters/],
      // One rule for names, the app's: "@" (which the bridge once took) is not in it.
      [{ name: 'alice@example' }, /entry 0 "name" must be/],
      [{ name: 'x'.repeat(64) }, /entry 0 "name" must be/],
      // A typo must not leave the member allowed everything unnoticed.
      [{ resource: [] }, /entry 0 \(a\): unknown key "resource"/],
      [{ prompts: 'simple-prompt' }, /entry 0 \(a\): "prompts" must be a list of patterns/],
      [{ resources: [''] }, /entry 0 \(a\): resource pattern "" must be 1-2048 characters/],
      [{ resources: ['demo://a b'] }, /entry 0 \(a\): resource pattern "demo:\/\/a b" must not hold spaces/],
      [{ resources: ['a,b'] }, /entry 0 \(a\): resource pattern "a,b" must not hold spaces, commas/],
      [{ resources: ['x'.repeat(2049)] }, /entry 0 \(a\): resource pattern "x+" must be 1-2048/],
      [{ prompts: ['bad prompt'] }, /entry 0 \(a\): prompt name "bad prompt" must be 1-128/],
      [{ prompts: [7] }, /entry 0 \(a\): a prompt pattern must be text/],
      [{ tools: ['a'.repeat(129)] }, /entry 0 \(a\): tool name "a+" must be 1-128/],
      [{ resources: Array.from({ length: 513 }, (_, i) => `demo://${i}`) }, /more than 512 patterns/],
    ];
    for (const [fields, message] of refused) {
      assert.throws(
        () => parseMembersJson(entry(fields), 'm.json'),
        (err: Error) => err instanceof BridgeError && message.test(err.message),
        JSON.stringify(fields).slice(0, 80),
      );
    }
    // startBridge's members (no file) are held to the same rules.
    assert.throws(
      () => buildMembers([{ name: 'a', tokenSha256: sha256('a'), tools: ['*'], prompts: ['a b'] }], []),
      /member 0 \(a\): prompt name "a b"/,
    );
    assert.throws(
      () => parseMembersJson(`[{"name":"a","tokenSha256":"${sha256('a')}"}]`, 'm.json'),
      /"tools"/,
    );
    const dup = [
      { name: 'a', tokenSha256: sha256('same'), tools: ['*'] },
      { name: 'b', tokenSha256: sha256('same'), tools: ['*'] },
    ];
    assert.throws(
      () => buildMembers(dup, []),
      (err: Error) => /shared with another member/.test(err.message) && !err.message.includes(sha256('same')),
    );
    assert.throws(() => buildMembers([], []), /no token configured/);
  });
});

describe('env file', () => {
  it('reads KEY=VALUE lines, comments, export and quotes', () => {
    const env = parseEnvFile(
      [
        '# comment',
        '',
        'A=1',
        'export B=two words',
        'C="line\\nbreak \\"q\\""',
        "D='$literal'",
        'E=',
        'F=a=b',
        '  G=indented',
      ].join('\n'),
      'x.env',
    );
    assert.deepEqual(env, {
      A: '1',
      B: 'two words',
      C: 'line\nbreak "q"',
      D: '$literal',
      E: '',
      F: 'a=b',
      G: 'indented',
    });
  });

  it('reads back exactly any value written as KEY="…" with \\ " newline and tab escaped', () => {
    const values = [
      'a"b',
      'back\\slash\\',
      'line\nbreak',
      'tab\there',
      '$HOME `x`',
      "'single'",
      ' padded ',
      '#hash',
      'a=b',
      '',
      '\\"',
    ];
    const escape = (v: string) =>
      v.replace(/[\\"\n\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t' })[c] ?? c);
    const text = values.map((v, i) => `K${i}="${escape(v)}"`).join('\n') + '\n';
    const env = parseEnvFile(text, 'x.env');
    values.forEach((v, i) => assert.equal(env[`K${i}`], v));
  });

  it('names the bad line without echoing it', () => {
    assert.throws(
      () => parseEnvFile('A=1\nsecret-value-without-key\n', 'x.env'),
      (err: Error) => err.message === 'x.env line 2 is not KEY=VALUE',
    );
  });

  it('gives the child a minimal base plus the file, never the bridge environment', () => {
    const env = childEnvironment(
      { API_KEY: 'k' },
      {
        PATH: '/bin',
        HOME: '/home/x',
        MCP_FLEET_TOKEN: 'secret',
        AWS_SECRET_ACCESS_KEY: 's',
        LANG: 'C.UTF-8',
      },
    );
    assert.deepEqual(env, { PATH: '/bin', HOME: '/home/x', LANG: 'C.UTF-8', API_KEY: 'k' });
  });
});
