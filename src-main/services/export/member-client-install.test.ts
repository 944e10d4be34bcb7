// clients:install's service over the real parts: an encrypted test store, ServerService, the export
// service with the fleet CA, and a temporary home folder standing in for the machine running the
// services. Files are read back with real parsers (JSON, TOML).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { parse as parseToml } from 'smol-toml';
import type { ClientInstallInput } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { createTestStore, type TestStore } from '../../test-support/store';
import { EventBus } from '../events';
import { ServerService } from '../server/server-service';
import { FleetCa } from '../tls/fleet-ca';
import { InstanceTls } from '../tls/instance-tls';
import type { MachineEnv } from './client-files';
import { ExportService } from './export-service';
import { installMemberClient, type RenderClientSnippet } from './member-client-install';
import { sourceImageInspector } from './runtime-image-ref';

describe('installMemberClient (clients:install)', () => {
  let t: TestStore;
  let home = '';
  let machine: MachineEnv;
  let render: RenderClientSnippet;
  const token = 'tok-alice-5d2b';
  const install = (input: ClientInstallInput) => installMemberClient(input, render, machine);

  before(async () => {
    t = await createTestStore();
    home = await mkdtemp(path.join(os.tmpdir(), 'member-client-home-'));
    machine = { platform: 'linux', home, env: {} };
    const exports = new ExportService({
      store: t.store,
      // Client snippets need no image; a resolver that is called would be a defect here.
      runtimeImage: () => Promise.reject(new FleetError('internal', 'no image expected')),
      inspectSourceImage: sourceImageInspector(new Docker()),
      tlsFor: (input) => new InstanceTls(t.store, new FleetCa({ store: t.store })).forExport(input),
      localHome: home,
      actor: 'test',
    });
    render = (input) => exports.render(input);
    new ServerService(t.store, new EventBus(), 'test').add({
      name: 'memory',
      source: { kind: 'npx', value: '@modelcontextprotocol/server-memory@2026.8.31' },
      mode: 'shared',
      port: 18310,
    });
    const server = t.store.servers.getByName('memory');
    assert.ok(server);
    t.store.members.insert({
      serverId: server.id,
      name: 'alice',
      token,
      tokenSha256: createHash('sha256').update(token).digest('hex'),
      tools: ['*'],
    });
  });
  after(async () => {
    t.cleanup();
    await rm(home, { recursive: true, force: true });
  });

  it('creates the client file, then leaves it alone when the entry is there', async () => {
    const first = await install({ format: 'cursor', server: 'memory', member: 'alice' });
    const file = path.join(home, '.cursor', 'mcp.json');
    assert.deepEqual(
      { ...first, notes: [] },
      {
        format: 'cursor',
        client: 'Cursor',
        file,
        backup: null,
        outcome: 'created',
        changed: true,
        notes: [],
      },
    );
    const written = JSON.parse(await readFile(file, 'utf8')) as {
      mcpServers: Record<string, { url: string; headers: Record<string, string> }>;
    };
    assert.equal(written.mcpServers['memory']?.url, 'https://localhost:18310/mcp');
    // By reference unless asked: the token itself is not in the file.
    assert.ok(!JSON.stringify(written).includes(token));
    assert.ok(first.notes.length > 0);

    const again = await install({ format: 'cursor', server: 'memory', member: 'alice' });
    assert.equal(again.outcome, 'unchanged');
    assert.equal(again.changed, false);
    assert.equal(again.backup, null);
    assert.deepEqual(await readdir(path.dirname(file)), ['mcp.json']);
  });

  it('merges into a file with other entries, keeps a copy first, and leaves the rest byte for byte', async () => {
    const dir = path.join(home, '.codex');
    const file = path.join(dir, 'config.toml');
    await mkdir(dir, { recursive: true });
    const before = '# my settings\nmodel = "o4"\n\n[mcp_servers.other]\nurl = "https://other.example/mcp"\n';
    await writeFile(file, before, { mode: 0o644 });
    const result = await install({ format: 'codex', server: 'memory', member: 'alice', inlineSecrets: true });
    assert.equal(result.outcome, 'updated');
    const backup = result.backup;
    assert.ok(backup !== null && backup.startsWith(`${file}.bak-`));
    assert.equal(await readFile(backup, 'utf8'), before);
    const text = await readFile(file, 'utf8');
    assert.ok(text.startsWith(before), 'the other entries stay as they were');
    const parsed = parseToml(text) as { mcp_servers: Record<string, Record<string, unknown>> };
    assert.equal(parsed.mcp_servers['other']?.['url'], 'https://other.example/mcp');
    assert.equal(parsed.mcp_servers['memory']?.['url'], 'https://localhost:18310/mcp');
    assert.ok(text.includes(token), 'asked for the token inline');
    // The token is in it now: the file is narrowed to its owner.
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it('refuses Zed without the token inline, an unknown member and Claude Code, writing nothing', async () => {
    await assert.rejects(
      install({ format: 'zed', server: 'memory', member: 'alice' }),
      (err: unknown) => err instanceof FleetError && err.code === 'invalid_input' && /Zed/.test(err.message),
    );
    await assert.rejects(
      install({ format: 'gemini', server: 'memory', member: 'mallory' }),
      (err: unknown) => err instanceof FleetError && err.code === 'not_found' && /mallory/.test(err.message),
    );
    await assert.rejects(
      install({ format: 'claude-code' as 'claude', server: 'memory', member: 'alice' }),
      (err: unknown) => err instanceof FleetError && err.code === 'invalid_input',
    );
    await assert.rejects(
      install({ format: 'gemini', server: '../memory', member: 'alice' }),
      (err: unknown) => err instanceof FleetError && err.code === 'invalid_input',
    );
    assert.deepEqual((await readdir(home)).sort(), ['.codex', '.cursor']);
  });
});
