// Integration: importPinning over the real encrypted store and ServerService, against an HTTP package
// registry (the boundary), here a local stand-in speaking npm's packument JSON and PyPI's Simple API.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { FleetError } from '../../shared/errors';
import { EventBus } from '../events';
import { SourcePinner } from '../registry/source-pinner';
import { ServerService } from '../server/server-service';
import { deadRegistryUrl, startRegistryStub, type RegistryStub } from '../../test-support/registry-stub';
import { createTestStore, type TestStore } from '../../test-support/store';
import { ImportService } from './import-service';

const CONFIG = JSON.stringify({
  mcpServers: {
    memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] },
    pinned: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31'] },
    fetch: { command: 'uvx', args: ['mcp-server-fetch'] },
  },
});

describe('servers import: unpinned packages', () => {
  let t: TestStore;
  let stub: RegistryStub;
  let dead: string;

  before(async () => {
    stub = await startRegistryStub({
      npm: {
        '@modelcontextprotocol/server-memory': { tags: { latest: '2026.8.31' }, versions: ['2026.8.31'] },
      },
      pypi: { 'mcp-server-fetch': { files: [{ filename: 'mcp_server_fetch-2025.4.7.tar.gz' }] } },
    });
    dead = await deadRegistryUrl();
  });
  after(() => stub.close());
  beforeEach(async () => {
    t = await createTestStore();
  });
  afterEach(() => t.cleanup());

  const importer = (npm: string, pypi: string) => {
    const pinner = new SourcePinner({ settings: () => ({ npm, npmScopes: {}, pypi }), timeoutMs: 2_000 });
    return new ImportService(
      t.store,
      new ServerService(t.store, new EventBus(), 'test', undefined, pinner),
      pinner,
    );
  };

  it('are pinned to the registry’s newest version, with a warning that says so', async () => {
    const result = await importer(stub.npm, stub.pypi).importPinning({
      text: CONFIG,
      fileName: 'claude.json',
    });
    assert.deepEqual(
      result.servers.map((s) => s.source.value),
      [
        '@modelcontextprotocol/server-memory@2026.8.31',
        '@modelcontextprotocol/server-everything@2026.8.31',
        'mcp-server-fetch@2025.4.7',
      ],
    );
    assert.deepEqual(result.warnings, [
      `memory: no version given; pinned @modelcontextprotocol/server-memory@2026.8.31, from ${stub.npm}`,
      `fetch: no version given; pinned mcp-server-fetch@2025.4.7, from ${stub.pypi}`,
    ]);
  });

  it('save nothing when a registry cannot be asked, and name the entry', async () => {
    await assert.rejects(
      importer(stub.npm, `${dead}simple/`).importPinning({ text: CONFIG }),
      (err: FleetError) =>
        err.code === 'unavailable' &&
        /^entry "fetch": could not resolve the latest version of mcp-server-fetch from /.test(err.message),
    );
    assert.deepEqual(t.store.servers.list(), []);
  });
});
