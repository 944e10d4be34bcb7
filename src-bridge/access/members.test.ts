import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childEnvironment, parseEnvFile } from '../child/env-file';
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
    assert.equal(alice?.allTools, true);
    assert.equal(bob?.allTools, false);
    assert.equal(bob?.allowTool('read_graph'), true);
    assert.equal(bob?.allowTool('search_nodes'), true);
    assert.equal(bob?.allowTool('create_entities'), false);
    assert.equal(bob?.allowTool('read_graph2'), false);
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

  it('turns --token-sha256 into a member "default" with every tool', () => {
    const members = buildMembers([], [sha256('x'), sha256('y')]);
    assert.deepEqual(
      members.map((m) => [m.name, m.allTools, m.tokenHashes.length]),
      [['default', true, 2]],
    );
  });

  it('refuses bad files with the entry at fault and no hash in the message', () => {
    assert.throws(() => parseMembersJson('{', 'm.json'), /m.json is not valid JSON/);
    assert.throws(() => parseMembersJson('{}', 'm.json'), /JSON array/);
    assert.throws(
      () => parseMembersJson('[{"name":"a","tokenSha256":"abc","tools":["*"]}]', 'm.json'),
      /entry 0 \(a\): "tokenSha256"/,
    );
    assert.throws(
      () => parseMembersJson(`[{"name":"a b","tokenSha256":"${sha256('a')}","tools":["*"]}]`, 'm.json'),
      /entry 0: "name"/,
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
