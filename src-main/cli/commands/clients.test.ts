// `mcp-fleet clients install` over the real services (encrypted test store, ServerService, the export
// service with the fleet CA), into a temporary home folder standing in for this machine's: the member's
// URL and token come through the same render the export command uses, and the file lands where the
// client reads it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { EventBus } from '../../services/events';
import type { MachineEnv } from '../../services/export/client-files';
import { ExportService } from '../../services/export/export-service';
import { sourceImageInspector } from '../../services/export/runtime-image-ref';
import { ServerService } from '../../services/server/server-service';
import { FleetCa } from '../../services/tls/fleet-ca';
import { InstanceTls } from '../../services/tls/instance-tls';
import { FleetError } from '../../shared/errors';
import { createTestStore, type TestStore } from '../../test-support/store';
import type { CommandContext } from '../context';
import { clientsCommand } from './clients';
import type { RenderExport } from './export';

describe('clients install command', () => {
  let t: TestStore;
  let home = '';
  let machine: MachineEnv;
  const printed: string[] = [];
  let ctx: CommandContext;
  let render: RenderExport;
  const token = 'tok-alice-7f3a';
  const url = 'https://localhost:18300/mcp';
  const install = (args: string[], json = false) =>
    clientsCommand(
      json ? { ...ctx, output: { ...ctx.output, json: true } } : ctx,
      ['install', ...args],
      render,
      machine,
    );

  before(async () => {
    t = await createTestStore();
    home = await mkdtemp(path.join(os.tmpdir(), 'clients-home-'));
    machine = { platform: 'linux', home, env: {} };
    const exports = new ExportService({
      store: t.store,
      // Client snippets need no image; a resolver that is called would be a defect here.
      runtimeImage: () => Promise.reject(new FleetError('internal', 'no image expected')),
      inspectSourceImage: sourceImageInspector(new Docker()),
      tlsFor: (input) => new InstanceTls(t.store, new FleetCa({ store: t.store })).forExport(input),
      localHome: home,
      actor: 'cli:test',
    });
    render = (input) => exports.render(input);
    new ServerService(t.store, new EventBus(), 'cli:test').add({
      name: 'memory',
      source: { kind: 'npx', value: '@modelcontextprotocol/server-memory@2026.8.31' },
      mode: 'shared',
      port: 18300,
    });
    const server = t.store.servers.getByName('memory');
    assert.ok(server);
    for (const [name, secret] of [
      ['alice', token],
      ['bob', 'tok-bob-1c9e'],
    ] as const) {
      t.store.members.insert({
        serverId: server.id,
        name,
        token: secret,
        tokenSha256: createHash('sha256').update(secret).digest('hex'),
        tools: ['*'],
      });
    }
    ctx = {
      output: { json: false, out: (text) => void printed.push(text) },
      home: t.home,
      services: () => Promise.reject(new Error('not used')),
      close: () => undefined,
      call: () => Promise.reject(new Error('not used')),
    };
  });
  after(async () => {
    t.cleanup();
    await rm(home, { recursive: true, force: true });
  });

  it('creates ~/.codex/config.toml with the token by reference, then leaves it alone', async () => {
    await install(['codex', 'memory', '--member', 'alice']);
    const file = path.join(home, '.codex', 'config.toml');
    const lines = printed.splice(0);
    assert.equal(lines[0], `created ${file} with memory for member alice (Codex) (mode 0600)`);
    assert.match(
      lines[1] ?? '',
      /^note: Codex checks the server's certificate against the operating system's trust store/,
    );
    assert.match(lines[2] ?? '', /^note: Codex sends the token it reads from MCP_FLEET_MEMORY_TOKEN/);
    assert.match(lines[3] ?? '', /^note: instance mcp-fleet-memory: HTTPS with the certificate for /);
    const text = await readFile(file, 'utf8');
    assert.ok(!text.includes(token));
    assert.deepEqual(JSON.parse(JSON.stringify(parseToml(text))), {
      mcp_servers: { memory: { url, bearer_token_env_var: 'MCP_FLEET_MEMORY_TOKEN' } },
    });
    const audit = t.store.audit.list(1)[0];
    assert.equal(audit?.action, 'servers.export');
    assert.equal(audit?.detail, 'codex for alice');

    await install(['codex', 'memory', '--member', 'alice']);
    assert.equal(
      printed.splice(0)[0],
      `${file} already has memory for member alice (Codex); nothing changed`,
    );
    assert.equal(await readFile(file, 'utf8'), text);
    assert.deepEqual(await readdir(path.dirname(file)), ['config.toml']);
  });

  it('adds to an existing goose config.yaml, keeping its comments, with a backup; inline when asked', async () => {
    const file = path.join(home, '.config', 'goose', 'config.yaml');
    await mkdir(path.dirname(file), { recursive: true });
    const original = `# my goose\nGOOSE_PROVIDER: openai\nextensions:\n  developer:\n    enabled: true # on\n    type: builtin\n    name: developer\n`;
    await writeFile(file, original, { mode: 0o644 });
    await install(['goose', 'memory', '--member', 'bob', '--inline-secrets'], true);
    const result = JSON.parse(printed.splice(0).join('\n')) as {
      outcome: string;
      backup: string;
      file: string;
    };
    assert.equal(result.outcome, 'updated');
    assert.equal(result.file, file);
    assert.equal(await readFile(result.backup, 'utf8'), original);
    const text = await readFile(file, 'utf8');
    assert.ok(text.startsWith(original), 'the old lines first, byte for byte');
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'it holds a token now');
    const extension = (parseYaml(text) as { extensions: Record<string, Record<string, unknown>> }).extensions
      .memory;
    assert.deepEqual(extension?.headers, { Authorization: 'Bearer tok-bob-1c9e' });
    assert.equal(extension?.uri, url);
    assert.equal(extension?.type, 'streamable_http');
  });

  it('refuses Zed without --inline-secrets, since its settings expand no variables', async () => {
    await assert.rejects(
      install(['zed', 'memory', '--member', 'alice']),
      /Zed's settings\.json expands no variables/,
    );
    const file = path.join(home, '.config', 'zed', 'settings.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '// Zed settings\n{\n  "theme": "One Dark",\n}\n');
    await install(['zed', 'memory', '--member', 'alice', '--inline-secrets']);
    assert.match(
      printed.splice(0)[0] ?? '',
      /^added memory for member alice \(Zed\) to .*settings\.json; the file as it was is kept as .*settings\.json\.bak-\d{8}T\d{6}Z$/,
    );
    const text = await readFile(file, 'utf8');
    assert.ok(text.startsWith('// Zed settings\n{\n  "theme": "One Dark",\n'));
    assert.ok(text.includes(`"Authorization": "Bearer ${token}"`));
  });

  it('claude-code: prints the `claude mcp add` command, or writes a project .mcp.json with --file', async (t) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    t.mock.method(process.stdout, 'write', (chunk: string) => stdout.push(chunk) > 0);
    t.mock.method(process.stderr, 'write', (chunk: string) => stderr.push(chunk) > 0);
    await install(['claude-code', 'memory', '--member', 'alice']);
    t.mock.restoreAll();
    assert.deepEqual(stdout, [
      `claude mcp add --transport http --scope user memory ${url} --header "Authorization: Bearer \${MCP_FLEET_MEMORY_TOKEN}"\n`,
    ]);
    assert.match(stderr[0] ?? '', /^note: nothing was written/);
    assert.match(stderr[1] ?? '', /^note: set MCP_FLEET_MEMORY_TOKEN to the member's token first/);
    assert.ok(!stderr.some((line) => line.includes('claude mcp add')), 'the command once, on stdout');
    assert.deepEqual(printed.splice(0), []);

    const project = path.join(home, 'project');
    await install(['claude-code', 'memory', '--member', 'alice', '--file', path.join(project, '.mcp.json')]);
    assert.match(
      printed.splice(0)[0] ?? '',
      /^created .*project\/\.mcp\.json with memory for member alice \(Claude Code\)/,
    );
    const config = JSON.parse(await readFile(path.join(project, '.mcp.json'), 'utf8')) as {
      mcpServers: Record<string, unknown>;
    };
    assert.deepEqual(config.mcpServers.memory, {
      type: 'http',
      url,
      headers: { Authorization: 'Bearer ${MCP_FLEET_MEMORY_TOKEN}' },
    });
  });

  it('continue: a block file of its own in ~/.continue/mcpServers', async () => {
    await install(['continue', 'memory', '--member', 'alice']);
    printed.splice(0);
    const doc = parseYaml(
      await readFile(path.join(home, '.continue', 'mcpServers', 'memory.yaml'), 'utf8'),
    ) as {
      schema: string;
      mcpServers: {
        url: string;
        requestOptions: { headers: Record<string, string>; caBundlePath: string };
      }[];
    };
    assert.equal(doc.schema, 'v1');
    assert.equal(doc.mcpServers[0]?.url, url);
    assert.deepEqual(doc.mcpServers[0]?.requestOptions.headers, {
      Authorization: 'Bearer ${{ secrets.MCP_FLEET_MEMORY_TOKEN }}',
    });
    assert.equal(doc.mcpServers[0]?.requestOptions.caBundlePath, path.join(home, 'mcp-fleet-ca.pem'));
  });

  it('refuses bad input before rendering anything', async () => {
    const never: RenderExport = () => Promise.reject(new Error('must not be called'));
    const bad = (args: string[]) => clientsCommand(ctx, args, never, machine);
    await assert.rejects(
      bad(['add', 'codex', 'memory']),
      /expected: mcp-fleet clients install FORMAT SERVER/,
    );
    await assert.rejects(
      bad(['install', 'helm', 'memory', '--member', 'a']),
      /FORMAT must be one of: claude, vscode/,
    );
    await assert.rejects(bad(['install', 'codex', 'memory']), /--member M is required/);
    await assert.rejects(
      bad(['install', 'codex', 'memory', '--member', 'a', '--file', '']),
      /--file needs a path/,
    );
    await assert.rejects(
      bad(['install', 'codex', 'memory', '--member', 'a', '--port', '0']),
      /--port must be 1-65535/,
    );
  });
});
