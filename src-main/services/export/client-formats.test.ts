// Every client snippet read back by a real parser of its format (JSON.parse, smol-toml, the `yaml`
// package, and bash for the `claude mcp add` command line), checked against the fields each client
// documents (the URLs are in client-entries.ts): the URL, the Authorization header by reference or
// inline, and the notes on TLS and on where a by-reference token comes from.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import {
  CLIENT_FORMATS,
  renderClientConfig,
  type ClientConfigInput,
  type ClientFormat,
} from './client-config';
import { NO_TLS_WARNING } from './tls-notes';

const run = promisify(execFile);
type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => {
  assert.ok(value !== null && typeof value === 'object', `expected an object, got ${JSON.stringify(value)}`);
  return value as Obj;
};

const server = 'Every.thing_';
const envVar = 'MCP_FLEET_EVERY_THING__TOKEN';
const token = 'tok-3d8f_Zq';
const url = 'https://db-2.example:18100/mcp';
const caFile = '/home/member/mcp-fleet-ca.pem';
const render = (format: ClientFormat, inlineSecrets: boolean, tls = true) =>
  renderClientConfig({
    format,
    server,
    member: { name: 'alice', token },
    url: tls ? url : url.replace('https:', 'http:'),
    inlineSecrets,
    caFile: tls ? caFile : null,
  } satisfies ClientConfigInput);

/** The server's entry, read the way the client reads its file. */
function entryOf(format: ClientFormat, content: string): Obj {
  switch (format) {
    case 'codex':
      // smol-toml's tables have no prototype; compared as plain data.
      return obj(JSON.parse(JSON.stringify(obj(parseToml(content).mcp_servers)[server])));
    case 'goose':
      return obj(obj(obj(parseYaml(content)).extensions)[server.toLowerCase()]);
    case 'continue': {
      const list = obj(parseYaml(content)).mcpServers;
      assert.ok(Array.isArray(list) && list.length === 1);
      return obj(list[0]);
    }
    case 'zed':
      return obj(obj(obj(JSON.parse(content)).context_servers)[server]);
    case 'vscode':
      return obj(obj(obj(JSON.parse(content)).servers)[server]);
    default:
      return obj(obj(obj(JSON.parse(content)).mcpServers)[server]);
  }
}

describe('client snippets', () => {
  it('claude-code: .mcp.json with type http, url and a ${VAR} header Claude Code expands', async () => {
    const ref = render('claude-code', false);
    assert.equal(ref.filename, '.mcp.json');
    assert.deepEqual(entryOf('claude-code', ref.content), {
      type: 'http',
      url,
      headers: { Authorization: `Bearer \${${envVar}}` },
    });
    assert.equal(
      ref.notes[0],
      `Claude Code is a Node program: start it with NODE_EXTRA_CA_CERTS=${caFile} in its environment to trust the fleet CA (save the fleet CA there with \`mcp-fleet tls ca --out ${caFile}\`).`,
    );
    // The note's `claude mcp add` line, run by a real shell: the header stays one word and the shell
    // fills in the variable, name and URL come before the variadic --header.
    const command = /For all your projects instead: (claude mcp add .*)$/.exec(ref.notes[1] ?? '')?.[1];
    assert.ok(command, ref.notes[1]);
    const { stdout } = await run('bash', ['-c', `claude() { printf '%s\\n' "$@"; }; ${command}`], {
      env: { [envVar]: token, PATH: process.env.PATH ?? '' },
    });
    assert.deepEqual(stdout.trimEnd().split('\n'), [
      'mcp',
      'add',
      '--transport',
      'http',
      '--scope',
      'user',
      server,
      url,
      '--header',
      `Authorization: Bearer ${token}`,
    ]);
    assert.deepEqual(entryOf('claude-code', render('claude-code', true).content).headers, {
      Authorization: `Bearer ${token}`,
    });
  });

  it('codex: a [mcp_servers.NAME] table with url and bearer_token_env_var, or http_headers inline', () => {
    const ref = render('codex', false);
    assert.equal(ref.filename, 'config.toml');
    assert.match(ref.content, /^\[mcp_servers\."Every\.thing_"\]\n/);
    assert.deepEqual(entryOf('codex', ref.content), { url, bearer_token_env_var: envVar });
    assert.match(
      ref.notes[0] ?? '',
      /^Codex checks the server's certificate against the operating system's trust store/,
    );
    assert.match(
      ref.notes[1] ?? '',
      new RegExp(`Codex sends the token it reads from ${envVar} \\(bearer_token_env_var\\)`),
    );
    assert.deepEqual(entryOf('codex', render('codex', true).content), {
      url,
      http_headers: { Authorization: `Bearer ${token}` },
    });
  });

  it('gemini: mcpServers with httpUrl (Streamable HTTP, not url: SSE) and headers expanding ${VAR}', () => {
    const ref = render('gemini', false);
    assert.equal(ref.filename, 'settings.json');
    assert.deepEqual(entryOf('gemini', ref.content), {
      httpUrl: url,
      headers: { Authorization: `Bearer \${${envVar}}` },
    });
    assert.match(ref.notes[0] ?? '', /^Gemini CLI is a Node program: start it with NODE_EXTRA_CA_CERTS=/);
  });

  it('windsurf: mcpServers with serverUrl and headers interpolating ${env:VAR}', () => {
    const ref = render('windsurf', false);
    assert.equal(ref.filename, 'mcp_config.json');
    assert.deepEqual(entryOf('windsurf', ref.content), {
      serverUrl: url,
      headers: { Authorization: `Bearer \${env:${envVar}}` },
    });
  });

  it('zed: context_servers with url and headers; a placeholder, never a variable, by reference', () => {
    const ref = render('zed', false);
    const entry = entryOf('zed', ref.content);
    assert.deepEqual(Object.keys(entry), ['url', 'headers']);
    assert.equal(entry.url, url);
    assert.match(
      String(obj(entry.headers).Authorization),
      /^Bearer <token of member alice; Zed expands no variables/,
    );
    assert.match(ref.notes[1] ?? '', /--inline-secrets/);
    assert.deepEqual(entryOf('zed', render('zed', true).content).headers, {
      Authorization: `Bearer ${token}`,
    });
  });

  it('goose: extensions keyed in lower case, type streamable_http with uri, headers and env_keys', () => {
    const ref = render('goose', false);
    assert.equal(ref.filename, 'config.yaml');
    assert.deepEqual(entryOf('goose', ref.content), {
      type: 'streamable_http',
      name: server,
      enabled: true,
      uri: url,
      headers: { Authorization: `Bearer \${${envVar}}` },
      env_keys: [envVar],
      envs: {},
      timeout: 300,
    });
    const inline = entryOf('goose', render('goose', true).content);
    assert.deepEqual(inline.headers, { Authorization: `Bearer ${token}` });
    assert.deepEqual(inline.env_keys, []);
  });

  it('continue: a block file (name, version, schema) with a streamable-http item and requestOptions', () => {
    const ref = render('continue', false);
    assert.equal(ref.filename, `${server}.yaml`);
    const doc = obj(parseYaml(ref.content));
    assert.deepEqual([doc.name, doc.version, doc.schema], [`MCP Fleet ${server}`, '0.0.1', 'v1']);
    assert.deepEqual(entryOf('continue', ref.content), {
      name: server,
      type: 'streamable-http',
      url,
      requestOptions: {
        headers: { Authorization: `Bearer \${{ secrets.${envVar} }}` },
        caBundlePath: caFile,
      },
    });
    assert.match(ref.notes[1] ?? '', new RegExp(`add a line ${envVar}=<member alice's token`));
  });

  it('every format: the token only when asked; http and the plain-HTTP warning without TLS', () => {
    for (const format of CLIENT_FORMATS) {
      const ref = render(format, false);
      assert.ok(!ref.content.includes(token), `${format} by reference`);
      assert.ok(!ref.notes.join('\n').includes(token), `${format} notes`);
      const inline = render(format, true);
      assert.ok(inline.content.includes(`Bearer ${token}`), `${format} inline`);
      assert.ok(
        !inline.notes.some((n) => n.includes(envVar)) || format === 'claude',
        `${format}: no token note inline`,
      );

      const plain = render(format, false, false);
      assert.equal(plain.notes[0], NO_TLS_WARNING, format);
      assert.ok(
        !plain.content.includes('https://') && plain.content.includes('http://db-2.example:18100/mcp'),
      );
      assert.ok(!plain.content.includes(caFile), `${format}: no CA without TLS`);
    }
  });
});
