// The `export` and `servers import` commands over the real services (encrypted test store,
// ServerService, ExportService, ImportService); only the wiring of the channels is the lead's.
import assert from 'node:assert/strict';
import { FleetCa } from '../../services/tls/fleet-ca';
import { InstanceTls } from '../../services/tls/instance-tls';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { FleetError } from '../../shared/errors';
import { EventBus } from '../../services/events';
import { ExportService } from '../../services/export/export-service';
import { sourceImageInspector } from '../../services/export/runtime-image-ref';
import { ImportService } from '../../services/import/import-service';
import { ServerService } from '../../services/server/server-service';
import { createTestStore, type TestStore } from '../../test-support/store';
import type { CommandContext } from '../context';
import { exportCommand } from './export';
import { importCommand } from './import';

describe('export and servers import commands', () => {
  let t: TestStore;
  let dir = '';
  const printed: string[] = [];
  let ctx: CommandContext;
  let exports: ExportService;
  let imports: ImportService;

  before(async () => {
    t = await createTestStore();
    dir = await mkdtemp(path.join(os.tmpdir(), 'export-import-cli-'));
    imports = new ImportService(t.store, new ServerService(t.store, new EventBus(), 'cli:test'));
    exports = new ExportService({
      store: t.store,
      // Client snippets need no image; a resolver that is called would be a defect here.
      runtimeImage: () => Promise.reject(new FleetError('internal', 'no image expected')),
      inspectSourceImage: sourceImageInspector(new Docker()),
      tlsFor: (input) => new InstanceTls(t.store, new FleetCa({ store: t.store })).forExport(input),
    });
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
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a file, then exports a client snippet to a 0600 file', async () => {
    const file = path.join(dir, 'claude_desktop_config.json');
    await writeFile(
      file,
      JSON.stringify({
        mcpServers: {
          memory: {
            command: 'npx',
            args: ['-y', '@modelcontextprotocol/server-memory@2026.8.31'],
            env: { API_KEY: 'k' },
          },
        },
      }),
    );
    await importCommand(ctx, [file, '--mode', 'shared'], (input) =>
      Promise.resolve(imports.importText(input)),
    );
    assert.deepEqual(printed.splice(0), [
      'imported server memory (npx @modelcontextprotocol/server-memory@2026.8.31, shared), secret env: API_KEY',
    ]);

    const server = t.store.servers.getByName('memory');
    assert.ok(server);
    t.store.members.insert({
      serverId: server.id,
      name: 'alice',
      token: 'tok',
      tokenSha256: createHash('sha256').update('tok').digest('hex'),
      tools: ['*'],
    });
    const out = path.join(dir, 'mcp.json');
    await exportCommand(
      ctx,
      ['memory', '--format', 'vscode', '--port', '18300', '--inline-secrets', '--out', out],
      (input) => exports.render(input),
    );
    assert.equal((await stat(out)).mode & 0o777, 0o600);
    const config = JSON.parse(await readFile(out, 'utf8')) as {
      servers: Record<string, { url: string; headers: Record<string, string> }>;
    };
    assert.deepEqual(config.servers.memory, {
      type: 'http',
      url: 'https://localhost:18300/mcp',
      headers: { Authorization: 'Bearer tok' },
    });
  });

  it('refuses a bad format or port before calling the service', async () => {
    const never = () => Promise.reject(new Error('must not be called'));
    await assert.rejects(
      exportCommand(ctx, ['memory', '--format', 'helm'], never),
      /--format must be one of: docker-run, compose/,
    );
    await assert.rejects(
      exportCommand(ctx, ['memory', '--format', 'k8s', '--port', '0'], never),
      /--port must be 1-65535/,
    );
    await assert.rejects(
      importCommand(ctx, [path.join(dir, 'missing.json')], never),
      /could not read .*ENOENT/,
    );
  });
});
