// Integration, real parts: the `mcp-fleet` CLI as a subprocess, the testbed's sshd (key login) and
// dockerd, and three real npm MCP servers (baked into the runtime image from node_modules). It proves
// that definitions imported from a claude_desktop_config.json and from a registry server.json deploy.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeployResult, MemberAdded, ServersImportResult } from '../../shared/contract';
import { addHost, installedVersion, listTools, testFleet, type TestFleet } from '../../test-support/fleet';

void describe('imported definitions deploy (testbed sshd + dockerd, real npm MCP servers)', () => {
  let f: TestFleet | undefined;
  const deployed: string[] = [];
  const files = mkdtempSync(path.join(tmpdir(), 'fleet-import-'));

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
  });

  after(async () => {
    await f?.wipe(deployed);
    rmSync(files, { recursive: true, force: true });
  });

  /** Adds a member, deploys the server over SSH, and returns the tools listed through its port. */
  async function deployAndList(fl: TestFleet, server: string): Promise<string[]> {
    const member = fl.json<MemberAdded>(['members', 'add', server, 'ops']);
    deployed.push(server);
    const result = fl.json<DeployResult>(['deploy', server, '--host', 'tb']);
    const url = result.instances[0]?.url;
    assert.ok(url, `deploy of ${server} gave no URL`);
    return listTools(url, member.token);
  }

  void it('a claude_desktop_config.json with three servers imports and every one deploys', async (t) => {
    if (!f) return t.skip('no testbed with Docker');
    const fl = f;
    addHost(fl, 'tb', 'key');
    const pin = (name: string) =>
      `@modelcontextprotocol/${name}@${installedVersion(`@modelcontextprotocol/${name}`)}`;
    const config = {
      mcpServers: {
        [`memory-${fl.run}`]: { command: 'npx', args: ['-y', pin('server-memory')] },
        [`everything-${fl.run}`]: { command: 'npx', args: ['-y', pin('server-everything')] },
        [`thinking-${fl.run}`]: {
          command: 'npx',
          args: ['-y', pin('server-sequential-thinking')],
          env: { DISABLE_THOUGHT_LOGGING: 'true' },
        },
      },
    };
    const file = path.join(files, 'claude_desktop_config.json');
    writeFileSync(file, JSON.stringify(config, null, 2));
    const imported = fl.json<ServersImportResult>(['servers', 'import', file]);
    assert.deepEqual(imported.servers.map((s) => s.name).sort(), Object.keys(config.mcpServers).sort());
    assert.ok(imported.servers.every((s) => s.source.kind === 'npx'));

    const memoryTools = await deployAndList(fl, `memory-${fl.run}`);
    assert.ok(memoryTools.includes('create_entities'), memoryTools.join(','));
    const everythingTools = await deployAndList(fl, `everything-${fl.run}`);
    assert.ok(everythingTools.includes('echo'), everythingTools.join(','));
    const thinkingTools = await deployAndList(fl, `thinking-${fl.run}`);
    assert.deepEqual(thinkingTools, ['sequentialthinking']);
  });

  void it('a registry server.json imports and deploys', async (t) => {
    if (!f) return t.skip('no testbed with Docker');
    const fl = f;
    const version = installedVersion('@modelcontextprotocol/server-memory');
    const serverJson = {
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json',
      name: 'io.github.modelcontextprotocol/server-memory',
      description: 'Knowledge graph memory',
      version,
      packages: [
        {
          registryType: 'npm',
          identifier: '@modelcontextprotocol/server-memory',
          version,
          transport: { type: 'stdio' },
          environmentVariables: [
            { name: 'MEMORY_FILE_PATH', description: 'Where the graph is kept', isRequired: false },
          ],
        },
      ],
    };
    const file = path.join(files, 'server.json');
    writeFileSync(file, JSON.stringify(serverJson));
    const name = `registry-${fl.run}`;
    const imported = fl.json<ServersImportResult>(['servers', 'import', file, '--name', name]);
    assert.deepEqual(
      imported.servers.map((s) => [s.name, s.source.kind, s.source.value]),
      [[name, 'npx', `@modelcontextprotocol/server-memory@${version}`]],
    );
    const tools = await deployAndList(fl, name);
    assert.ok(tools.includes('read_graph'), tools.join(','));
  });
});
