// Installing each client's snippet into a configuration file that already holds other entries and
// comments, in a temporary folder: the other lines keep their bytes, a copy of the old file is made,
// a second run changes nothing and copies nothing, a file that does not parse is refused untouched,
// and the token is in the file only when the snippet was rendered with it. Each result is read back
// with a real parser of its format (JSON.parse or the JSONC reader, smol-toml, the `yaml` package).
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { FleetError } from '../../shared/errors';
import { renderClientConfig, type ClientFormat } from './client-config';
import { defaultClientFile } from './client-files';
import { installClientConfig } from './client-install';
import { parseJsonTree } from './json-edit';

const server = 'memory';
const token = 'tok-9Qx_secret';
const snippet = (format: ClientFormat, inlineSecrets = false, url = 'https://db-2.example:18100/mcp') =>
  renderClientConfig({
    format,
    server,
    member: { name: 'alice', token },
    url,
    inlineSecrets,
    caFile: '/home/alice/mcp-fleet-ca.pem',
  });

const STRICT_JSON = `{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]
    }
  }
}
`;

/** The existing file for each format: other entries, and comments where the format has them. */
const FIXTURES: Record<ClientFormat, string> = {
  claude: STRICT_JSON,
  cursor: STRICT_JSON,
  windsurf: STRICT_JSON,
  'claude-code': STRICT_JSON,
  vscode: `// VS Code user mcp.json
{
  "inputs": [
    { "type": "promptString", "id": "github-pat", "password": true }, // keep me
  ],
  "servers": {
    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" },
  },
}
`,
  gemini: `{
  // Gemini CLI settings
  "theme": "Dracula",
  "mcpServers": {
    "git": { "command": "uvx", "args": ["mcp-server-git"] } /* local */
  }
}
`,
  zed: `// Zed settings
//
// For information on how to configure Zed, see the Zed
// documentation: https://zed.dev/docs/configuring-zed
{
  "theme": "One Dark",
  "context_servers": {
    "local-mcp-server": { "command": "some-command", "args": ["arg-1"], "env": {} }, // mine
  },
  "ui_font_size": 16,
}
`,
  codex: `# Codex configuration
model = "o3"

[mcp_servers.docs]
# the docs server
url = "https://docs.example/mcp"
bearer_token_env_var = "DOCS_TOKEN"

[profiles.fast]
model = "o4-mini" # quick
`,
  goose: `# goose config
GOOSE_PROVIDER: openai
extensions:
  developer:
    bundled: true
    enabled: true # always on
    name: developer
    timeout: 300
    type: builtin
# keep this comment
GOOSE_MODE: smart_approve
`,
  continue: `name: Local Config
version: 1.0.0
schema: v1
# my servers
mcpServers:
  - name: SQLite MCP
    command: npx
    args:
      - "-y"
      - "mcp-sqlite"
models: [] # none yet
`,
};

/** What each client's file parses to, the way that client reads it. */
function parsed(format: ClientFormat, text: string): unknown {
  switch (format) {
    case 'codex':
      return JSON.parse(JSON.stringify(parseToml(text))) as unknown;
    case 'goose':
    case 'continue':
      return parseYaml(text) as unknown;
    case 'vscode':
    case 'gemini':
    case 'zed':
      return parseJsonTree(text, true).value;
    default:
      return JSON.parse(text) as unknown;
  }
}

/** Every line of `before` is in `after`, in order; a line may have gained a trailing comma. */
function assertLinesKept(before: string, after: string, format: string): void {
  const lines = after.split('\n');
  let at = 0;
  for (const line of before.split('\n')) {
    while (
      at < lines.length &&
      lines[at] !== line &&
      lines[at] !== `${line},` &&
      lines[at] !== line.replace(/( *(\/\/|\/\*).*)$/, ',$1')
    )
      at++;
    assert.ok(at < lines.length, `${format}: the line ${JSON.stringify(line)} is gone:\n${after}`);
    at++;
  }
}

describe('installing client snippets', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'client-install-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const backups = async (file: string) =>
    (await readdir(path.dirname(file))).filter((n) => n.startsWith(`${path.basename(file)}.bak-`));

  for (const format of Object.keys(FIXTURES) as ClientFormat[]) {
    it(`${format}: other entries and comments kept, a backup, then nothing on a second run`, async () => {
      const file = path.join(dir, format, 'config');
      await rm(path.dirname(file), { recursive: true, force: true });
      const original = FIXTURES[format];
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, original, { mode: 0o644 });
      const ref = snippet(format);
      const now = new Date('2026-03-04T05:06:07.890Z');

      const first = await installClientConfig({
        format,
        file,
        content: ref.content,
        containsSecrets: false,
        now,
      });
      assert.equal(first.outcome, 'updated');
      assert.equal(first.backup, `${file}.bak-20260304T050607Z`);
      assert.equal(await readFile(first.backup, 'utf8'), original, 'the backup is the file as it was');
      assert.equal((await stat(first.backup)).mode & 0o777, 0o600);
      const text = await readFile(file, 'utf8');
      assertLinesKept(original, text, format);
      assert.equal((await stat(file)).mode & 0o777, 0o644, 'no token in it: its mode is left');
      assert.ok(!text.includes(token), 'by reference: no token');

      // Read back: the old document plus exactly the snippet's entries.
      const expected = structuredClone(parsed(format, original)) as Record<string, unknown>;
      const mine = parsed(format, ref.content) as Record<string, Record<string, unknown>>;
      switch (format) {
        case 'continue':
          (expected.mcpServers as unknown[]).push((mine.mcpServers as unknown as unknown[])[0]);
          break;
        case 'vscode':
          (expected.inputs as unknown[]).push(...(mine.inputs as unknown as unknown[]));
          Object.assign(expected.servers as object, mine.servers);
          break;
        default: {
          const [key] = Object.keys(mine).filter((k) => typeof mine[k] === 'object');
          Object.assign(expected[key as string] as object, mine[key as string]);
        }
      }
      assert.deepEqual(parsed(format, text), expected);

      const again = await installClientConfig({ format, file, content: ref.content, containsSecrets: false });
      assert.deepEqual(again, { file, outcome: 'unchanged', backup: null });
      assert.equal(await readFile(file, 'utf8'), text);
      assert.equal((await backups(file)).length, 1, 'no second backup');
    });
  }

  it('replaces its own entry when the URL or token changes, keeping the rest', async () => {
    for (const format of ['cursor', 'zed', 'codex', 'goose', 'continue', 'vscode'] as const) {
      const file = path.join(dir, `replace-${format}`);
      await writeFile(file, FIXTURES[format]);
      await installClientConfig({ format, file, content: snippet(format).content, containsSecrets: false });
      const before = await readFile(file, 'utf8');
      const inline = snippet(format, true, 'https://db-3.example:18101/mcp');
      const second = await installClientConfig({
        format,
        file,
        content: inline.content,
        containsSecrets: true,
      });
      assert.equal(second.outcome, 'updated', format);
      const text = await readFile(file, 'utf8');
      assert.ok(text.includes(token) && text.includes('db-3.example:18101'), format);
      assert.ok(!text.includes('db-2.example'), `${format}: the old entry is replaced, not duplicated`);
      assert.equal((await stat(file)).mode & 0o777, 0o600, `${format}: the token narrows the mode`);
      assert.equal(await readFile(second.backup ?? '', 'utf8'), before);
      // Everything not the entry survives: every line of the fixture is still there.
      assertLinesKept(FIXTURES[format], text, format);
    }
  });

  it('refuses a file it cannot parse (or edit safely), leaving it as it was', async () => {
    const broken: [ClientFormat, string][] = [
      ['cursor', '{ "mcpServers": { "a": 1, } }\n'], // strict JSON: no trailing comma
      ['cursor', '// a comment\n{}\n'],
      ['zed', '{ "context_servers": { "a": \n'],
      ['vscode', '{ "servers": [] }\n'], // servers must be an object
      ['codex', '[mcp_servers.docs\nurl = 1\n'],
      ['codex', '[mcp_servers]\nmemory = { url = "https://old" }\n'], // not a table of its own
      ['goose', 'extensions:\n  developer: [unclosed\n'],
      ['goose', 'extensions: { developer: { type: builtin } }\n'], // flow style
      ['continue', 'mcpServers:\n  name: not a list\n'],
    ];
    for (const [format, text] of broken) {
      const file = path.join(dir, `broken-${format}-${broken.findIndex(([, t]) => t === text)}`);
      await writeFile(file, text);
      await assert.rejects(
        installClientConfig({ format, file, content: snippet(format, true).content, containsSecrets: true }),
        (err: unknown) =>
          err instanceof FleetError &&
          err.code === 'invalid_input' &&
          /left unchanged/.test(err.message) &&
          !err.message.includes(token),
        `${format}: ${text}`,
      );
      assert.equal(await readFile(file, 'utf8'), text, format);
      assert.deepEqual(await backups(file), [], `${format}: no backup of a refused file`);
    }
  });

  it('creates a missing file (and its folders) with the snippet itself, mode 0600', async () => {
    const file = path.join(dir, 'new', 'deeper', 'config.toml');
    const ref = snippet('codex');
    const result = await installClientConfig({
      format: 'codex',
      file,
      content: ref.content,
      containsSecrets: false,
    });
    assert.deepEqual(result, { file, outcome: 'created', backup: null });
    assert.equal(await readFile(file, 'utf8'), ref.content);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it('edits the file a symbolic link points to, and the link stays a link', async () => {
    const real = path.join(dir, 'dotfiles-mcp.json');
    const link = path.join(dir, 'linked-mcp.json');
    await writeFile(real, STRICT_JSON);
    await symlink(real, link);
    const result = await installClientConfig({
      format: 'windsurf',
      file: link,
      content: snippet('windsurf').content,
      containsSecrets: false,
    });
    assert.equal(result.file, real);
    assert.ok((await lstat(link)).isSymbolicLink());
    assert.ok((await readFile(link, 'utf8')).includes('"serverUrl"'));
  });

  it('knows where each client reads its user-wide file', () => {
    const linux = { platform: 'linux' as const, home: '/home/a', env: {} };
    const mac = { platform: 'darwin' as const, home: '/Users/a', env: {} };
    const win = {
      platform: 'win32' as const,
      home: 'C:\\Users\\a',
      env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' },
    };
    const cases: [ClientFormat, typeof linux | typeof mac | typeof win, string | null][] = [
      ['claude', mac, '/Users/a/Library/Application Support/Claude/claude_desktop_config.json'],
      ['claude', win, 'C:\\Users\\a\\AppData\\Roaming\\Claude\\claude_desktop_config.json'],
      ['vscode', linux, '/home/a/.config/Code/User/mcp.json'],
      ['cursor', linux, '/home/a/.cursor/mcp.json'],
      ['claude-code', linux, null],
      ['codex', linux, '/home/a/.codex/config.toml'],
      ['gemini', win, 'C:\\Users\\a\\.gemini\\settings.json'],
      ['windsurf', mac, '/Users/a/.codeium/windsurf/mcp_config.json'],
      ['zed', mac, '/Users/a/.config/zed/settings.json'],
      ['zed', win, 'C:\\Users\\a\\AppData\\Roaming\\Zed\\settings.json'],
      ['goose', linux, '/home/a/.config/goose/config.yaml'],
      ['goose', win, 'C:\\Users\\a\\AppData\\Roaming\\Block\\goose\\config\\config.yaml'],
      ['continue', linux, '/home/a/.continue/mcpServers/memory.yaml'],
    ];
    for (const [format, machine, expected] of cases) {
      assert.equal(defaultClientFile(format, server, machine), expected, `${format} on ${machine.platform}`);
    }
    assert.equal(
      defaultClientFile('codex', server, { ...linux, env: { CODEX_HOME: '/srv/codex' } }),
      '/srv/codex/config.toml',
    );
  });
});
