// Per-member tool permissions in front of the real server-memory from npm: most read, a few write.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  connectClient,
  MCP_HEADERS,
  openRawSession,
  raw,
  serverCommand,
  sha256,
  startTestBridge,
  type TestBridge,
} from '../test-helpers';

const WRITER = 'writer-token-aaaaaaaaaaaa';
const READER = 'reader-token-bbbbbbbbbbbb';
const READ_TOOLS = ['open_nodes', 'read_graph', 'search_nodes'];

describe('members', () => {
  let bridge: TestBridge;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-memory-'));
    bridge = await startTestBridge({
      ...serverCommand('server-memory'),
      // The env file's variables reach the child; that is how this server finds its data file.
      env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') },
      members: [
        { name: 'writer', tokenSha256: sha256(WRITER), tools: ['*'] },
        { name: 'reader', tokenSha256: sha256(READER), tools: ['read_graph', 'search_*', 'open_nodes'] },
      ],
    });
  });
  after(async () => {
    await bridge.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists only the tools a member may use', async () => {
    const reader = await connectClient(bridge.url, READER);
    const writer = await connectClient(bridge.url, WRITER);
    try {
      const readerTools = (await reader.client.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(readerTools, READ_TOOLS);
      const writerTools = (await writer.client.listTools()).tools.map((t) => t.name);
      assert.ok(writerTools.includes('create_entities'));
      assert.ok(writerTools.length > readerTools.length);
    } finally {
      await Promise.all([reader.client.close(), writer.client.close()]);
    }
  });

  it('refuses a denied write tool before it reaches the server; read tools work', async () => {
    const reader = await connectClient(bridge.url, READER);
    const writer = await connectClient(bridge.url, WRITER);
    try {
      await writer.client.callTool({
        name: 'create_entities',
        arguments: { entities: [{ name: 'by-writer', entityType: 'note', observations: ['w'] }] },
      });
      await assert.rejects(
        reader.client.callTool({
          name: 'create_entities',
          arguments: { entities: [{ name: 'by-reader', entityType: 'note', observations: ['r'] }] },
        }),
        (err: unknown) =>
          err instanceof McpError &&
          err.code === -32003 &&
          /not available to member "reader"/.test(err.message),
      );
      const graph = JSON.stringify(await reader.client.callTool({ name: 'read_graph', arguments: {} }));
      assert.match(graph, /by-writer/);
      assert.doesNotMatch(graph, /by-reader/, 'the denied call never reached the server');
      const audit = bridge.logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === 'audit' && l.outcome === 'denied');
      assert.deepEqual(
        { member: audit?.member, tool: audit?.tool, method: audit?.method },
        { member: 'reader', tool: 'create_entities', method: 'tools/call' },
      );
      assert.ok(
        !bridge.logs.some((l) => l.includes('by-reader') || l.includes('by-writer')),
        'argument values never logged',
      );
    } finally {
      await Promise.all([reader.client.close(), writer.client.close()]);
    }
  });

  it('refuses a denied tool over raw HTTP with a JSON-RPC error under the client id', async () => {
    const session = await openRawSession(bridge.url, READER);
    const res = await raw(bridge.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${READER}`, 'mcp-session-id': session },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'x-1',
        method: 'tools/call',
        params: { name: 'delete_entities', arguments: { entityNames: ['by-writer'] } },
      }),
    });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.text) as { id: string; error: { code: number } };
    assert.equal(body.id, 'x-1');
    assert.equal(body.error.code, -32003);
  });
});
