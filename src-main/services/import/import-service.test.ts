// Real parts: an encrypted store (createTestStore) and ServerService, so imported servers pass the very
// validation of servers typed in; the files are the formats clients and the MCP Registry publish.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import { EventBus } from '../events';
import { buildInstanceSpec } from '../instance-spec/instance-spec';
import { ServerService } from '../server/server-service';
import { createTestStore, type TestStore } from '../../test-support/store';
import { ImportService } from './import-service';
import { looksSecret } from './secret-detect';

const GITHUB_PAT = `ghp_${randomBytes(18).toString('hex')}`;

const CLAUDE_DESKTOP_CONFIG = JSON.stringify(
  {
    mcpServers: {
      everything: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31'] },
      fetch: {
        command: 'uvx',
        args: ['mcp-server-fetch', '--ignore-robots-txt'],
        env: { USER_AGENT: 'fleet/1.0' },
      },
      github: {
        command: 'docker',
        args: [
          'run',
          '-i',
          '--rm',
          '-e',
          'GITHUB_PERSONAL_ACCESS_TOKEN',
          '-e',
          'GITHUB_TOOLSETS=repos,issues',
          'ghcr.io/github/github-mcp-server:v0.20.1',
        ],
        env: { GITHUB_PERSONAL_ACCESS_TOKEN: GITHUB_PAT },
      },
    },
  },
  null,
  2,
);

// The current server.json schema (camelCase), as published to the MCP Registry.
const SERVER_JSON = JSON.stringify({
  $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
  name: 'io.github.modelcontextprotocol/brave-search',
  description: 'Web and local search using the Brave Search API',
  version: '0.6.2',
  packages: [
    {
      registryType: 'oci',
      identifier: 'docker.io/mcp/brave-search:0.6.2',
      transport: { type: 'stdio' },
    },
    {
      registryType: 'npm',
      registryBaseUrl: 'https://registry.npmjs.org',
      identifier: '@modelcontextprotocol/server-brave-search',
      version: '0.6.2',
      transport: { type: 'stdio' },
      packageArguments: [{ type: 'named', name: '--max-results', default: '10' }],
      environmentVariables: [
        { name: 'BRAVE_API_KEY', description: 'Brave Search API key', isRequired: true, isSecret: true },
        { name: 'BRAVE_REGION', description: 'Search region', default: 'us' },
        { name: 'BRAVE_OPTIONAL', description: 'Not needed' },
      ],
    },
  ],
});

describe('ImportService', () => {
  let t: TestStore;
  let servers: ServerService;
  let imports: ImportService;

  beforeEach(async () => {
    t = await createTestStore();
    servers = new ServerService(t.store, new EventBus(), 'test');
    imports = new ImportService(t.store, servers);
  });
  afterEach(() => t.cleanup());

  it('imports the three servers of a claude_desktop_config.json with their sources and secret env', () => {
    const result = imports.importText({
      text: CLAUDE_DESKTOP_CONFIG,
      fileName: 'claude_desktop_config.json',
    });
    assert.deepEqual(
      result.servers.map((s) => [s.name, s.source.kind, s.source.value, s.args]),
      [
        ['everything', 'npx', '@modelcontextprotocol/server-everything@2026.8.31', []],
        ['fetch', 'uvx', 'mcp-server-fetch', ['--ignore-robots-txt']],
        ['github', 'image', 'ghcr.io/github/github-mcp-server:v0.20.1', []],
      ],
    );
    const github = servers.show('github');
    assert.deepEqual(
      github.env.map((e) => [e.key, e.value, e.secret, e.hasSecret]),
      [
        ['GITHUB_PERSONAL_ACCESS_TOKEN', null, true, true],
        ['GITHUB_TOOLSETS', 'repos,issues', false, false],
      ],
    );
    assert.equal(
      t.store.servers.getByName('github')?.env[0]?.value,
      GITHUB_PAT,
      'the value is kept, encrypted',
    );
    assert.deepEqual(servers.show('fetch').env, [
      { key: 'USER_AGENT', value: 'fleet/1.0', secret: false, hasSecret: false },
    ]);
    assert.ok(!JSON.stringify(result).includes(GITHUB_PAT), 'no secret value in the result');
    assert.equal(result.warnings.length, 0, result.warnings.join('; '));

    // The definitions are complete enough to run: each yields an instance spec.
    const member = {
      id: 'm',
      serverId: 's',
      name: 'alice',
      token: 't',
      tokenSha256: createHash('sha256').update('t').digest('hex'),
      tools: ['*'],
      resources: ['*'],
      prompts: ['*'],
      limits: {},
      createdAt: '',
    };
    for (const name of ['everything', 'fetch', 'github']) {
      const record = t.store.servers.getByName(name);
      assert.ok(record);
      const spec = buildInstanceSpec({
        server: record,
        members: [member],
        image: 'mcp-fleet/runtime:0000000000000000',
        imageConfig: {
          entrypoint: ['/server/github-mcp-server'],
          cmd: ['stdio'],
          workingDir: '/server',
          env: [],
        },
        port: 18000,
        configDir: `/home/ops/.mcp-fleet/instances/mcp-fleet-${name}`,
      });
      assert.ok(!spec.container.cmd.join(' ').includes(GITHUB_PAT));
    }
  });

  it('imports an MCP Registry server.json: the npm package, its arguments and flagged variables', () => {
    const result = imports.importText({ text: SERVER_JSON, fileName: 'server.json', mode: 'dedicated' });
    assert.equal(result.servers.length, 1);
    const s = result.servers[0];
    assert.ok(s);
    assert.equal(s.name, 'brave-search');
    assert.equal(s.mode, 'dedicated');
    assert.deepEqual(s.source, { kind: 'npx', value: '@modelcontextprotocol/server-brave-search@0.6.2' });
    assert.deepEqual(s.args, ['--max-results', '10']);
    assert.deepEqual(
      s.env.map((e) => [e.key, e.value, e.secret, e.hasSecret]),
      [
        ['BRAVE_API_KEY', null, true, false],
        ['BRAVE_REGION', 'us', false, false],
      ],
    );
    assert.deepEqual(result.warnings, [
      'io.github.modelcontextprotocol/brave-search: BRAVE_API_KEY is required: set its value before deploying',
    ]);
  });

  it('reads the first server.json schema (snake_case) and OCI packages', () => {
    const old = JSON.stringify({
      name: 'io.example/db',
      version_detail: { version: '3.1.0' },
      packages: [
        {
          registry_type: 'oci',
          registry_base_url: 'https://ghcr.io',
          identifier: 'example/database-manager-mcp',
          version: '3.1.0',
          runtime_arguments: [{ type: 'named', name: '--network', value: 'host' }],
          package_arguments: [
            { type: 'positional', value_hint: 'database_name', default: 'main', is_required: true },
          ],
          environment_variables: [{ name: 'DB_PASSWORD', is_required: true, is_secret: true }],
        },
      ],
    });
    const result = imports.importText({ text: old, name: 'db' });
    assert.deepEqual(result.servers[0]?.source, {
      kind: 'image',
      value: 'ghcr.io/example/database-manager-mcp:3.1.0',
    });
    assert.deepEqual(result.servers[0]?.args, ['main']);
    assert.equal(result.warnings.length, 2, result.warnings.join('; '));
  });

  it('reads VS Code mcp.json with comments, picks one entry with --name, and maps plain commands', () => {
    const text = `{
      // VS Code keeps servers under "servers"
      "servers": {
        "memory": { "type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory@2026.8.31"], },
        "local-tool": { "command": "/opt/tools/bin/mcp-tool", "args": ["--db", "/srv/data"], "env": { "API_TOKEN": "x" } },
      },
    }`;
    const result = imports.importText({ text, name: 'local-tool' });
    assert.deepEqual(
      result.servers.map((s) => [s.name, s.source.kind, s.source.value, s.args, s.env.map((e) => e.secret)]),
      [['local-tool', 'command', '/opt/tools/bin/mcp-tool', ['--db', '/srv/data'], [true]]],
    );
    assert.equal(servers.list().length, 1, 'only the chosen entry');
  });

  it('imports nothing when one entry is invalid, naming that entry', () => {
    const text = JSON.stringify({
      mcpServers: {
        good: { command: 'npx', args: ['-y', 'pkg-a@1.0.0'] },
        'my server': { command: 'npx', args: ['-y', 'pkg-b@1.0.0'] },
      },
    });
    assert.throws(
      () => imports.importText({ text }),
      (err: unknown) =>
        err instanceof FleetError &&
        err.code === 'invalid_input' &&
        /entry "my server": name: .*--name NAME/.test(err.message),
    );
    assert.equal(servers.list().length, 0);

    const remote = JSON.stringify({
      mcpServers: { a: { command: 'npx', args: ['-y', 'pkg-a@1.0.0'] }, r: { url: 'https://x/mcp' } },
    });
    assert.throws(() => imports.importText({ text: remote }), /entry "r": is a remote server/);
    const badSource = JSON.stringify({
      mcpServers: { a: { command: 'npx', args: ['-y', 'Not_A_Package!'] } },
    });
    assert.throws(() => imports.importText({ text: badSource }), /entry "a": .*not a valid npm package name/);
    assert.equal(servers.list().length, 0);
  });

  it('rolls back the servers already added when a later one conflicts', () => {
    servers.add({ name: 'taken', source: { kind: 'npx', value: 'pkg-z@1.0.0' }, mode: 'shared' });
    const text = JSON.stringify({
      mcpServers: {
        first: { command: 'npx', args: ['-y', 'pkg-a@1.0.0'] },
        taken: { command: 'npx', args: ['-y', 'pkg-b@1.0.0'] },
      },
    });
    assert.throws(
      () => imports.importText({ text }),
      (err: unknown) =>
        err instanceof FleetError && err.code === 'conflict' && err.message.startsWith('entry "taken": '),
    );
    assert.deepEqual(
      servers.list().map((s) => s.name),
      ['taken'],
      'the first entry was rolled back',
    );
  });

  it('says what is wrong with a file that is not JSON without quoting it', () => {
    assert.throws(
      () => imports.importText({ text: '{ "mcpServers": { "a": "ghp_secretvalue123" ', fileName: 'x.json' }),
      (err: unknown) =>
        err instanceof FleetError &&
        /x\.json is not valid JSON/.test(err.message) &&
        !err.message.includes('ghp_'),
    );
  });

  it('treats credential-looking names and values as secret', () => {
    for (const [name, value] of [
      ['GITHUB_TOKEN', 'x'],
      ['OPENAI_API_KEY', 'x'],
      ['DB_PASSWORD', 'x'],
      ['AWS_SECRET_ACCESS_KEY', 'x'],
      ['SLACK_CREDENTIALS', 'x'],
      ['AUTH_HEADER', 'x'],
      ['ANYTHING', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
      ['ANYTHING', 'sk-proj-abcdefghijklmnop1234'],
      ['ANYTHING', 'xoxb-1234567890-abcdefghij'],
      ['ANYTHING', 'AKIAABCDEFGHIJKLMNOP'],
    ] as const) {
      assert.equal(looksSecret(name, value), true, `${name}=${value}`);
    }
    for (const [name, value] of [
      ['LOG_LEVEL', 'debug'],
      ['REGION', 'eu-west-1'],
      ['ALLOWED_PATHS', '/srv'],
    ] as const) {
      assert.equal(looksSecret(name, value), false, `${name}=${value}`);
    }
  });
});
