// Integration: the real `mcp-fleet` CLI (a subprocess) in a fresh encrypted store, against an HTTP package
// registry (the boundary): a local stand-in speaking npm's packument JSON and PyPI's Simple API, named to
// the CLI as npm and uv are told theirs (npm_config_registry, UV_DEFAULT_INDEX). `servers add` pins an
// unpinned package, a registry that is down saves nothing, `servers outdated` and `servers list` tell
// which server has a newer version.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deadRegistryUrl, startRegistryStub, type RegistryStub } from '../../test-support/registry-stub';

const BIN = resolve(import.meta.dirname, '../../../bin/mcp-fleet.mjs');
const MEMORY = '@modelcontextprotocol/server-memory';

/** Runs the CLI without blocking this process, which serves the registry the CLI asks. */
function cli(home: string, registry: { npm: string; pypi: string }, args: string[]) {
  const env = {
    ...process.env,
    MCP_FLEET_PASSPHRASE: 'correct horse battery staple',
    npm_config_registry: registry.npm,
    UV_DEFAULT_INDEX: registry.pypi,
  };
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const child = execFile(process.execPath, [BIN, '--home', home, ...args], { env }, (err, stdout, stderr) =>
      done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe('mcp-fleet servers add / outdated / list: versions from the registry', () => {
  let stub: RegistryStub;
  let home: string;
  before(async () => {
    stub = await startRegistryStub({
      npm: { [MEMORY]: { tags: { latest: '1.0.0' }, versions: ['0.9.0', '1.0.0'] } },
      pypi: { 'mcp-server-fetch': { files: [{ filename: 'mcp_server_fetch-2025.4.7-py3-none-any.whl' }] } },
    });
    home = mkdtempSync(join(tmpdir(), 'fleet-cli-versions-'));
  });
  after(async () => {
    await stub.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('pins what has no version, saves nothing when the registry is down, lists what is outdated', async () => {
    const mem = await cli(home, stub, ['servers', 'add', 'mem', '--npx', MEMORY, '--mode', 'shared']);
    assert.equal(mem.code, 0, mem.stderr);
    assert.equal(
      mem.stdout,
      `pinned ${MEMORY} to 1.0.0, the latest version on ${stub.npm}\n` +
        `added server mem (npx ${MEMORY}@1.0.0, shared)\n`,
    );

    const dead = await deadRegistryUrl();
    const down = await cli(home, { npm: dead, pypi: `${dead}simple/` }, [
      ...['servers', 'add', 'down', '--npx', 'other-server', '--mode', 'shared'],
    ]);
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      /^mcp-fleet: could not resolve the latest version of other-server from http:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED.*; give an exact version with other-server@1\.2\.3\n$/,
    );

    const fetch = await cli(home, stub, [
      'servers',
      'add',
      'fetch',
      '--uvx',
      'mcp-server-fetch',
      '--mode',
      'shared',
    ]);
    assert.match(
      fetch.stdout,
      /^pinned mcp-server-fetch to 2025\.4\.7, the newest release on http:\S+\/simple\/\n/,
    );

    // A newer version is published: only mem is behind.
    stub.packages.npm[MEMORY] = { tags: { latest: '1.1.0' }, versions: ['0.9.0', '1.0.0', '1.1.0'] };
    const outdated = await cli(home, stub, ['servers', 'outdated']);
    assert.equal(outdated.code, 0, outdated.stderr);
    assert.deepEqual(
      outdated.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/\s{2,}/)),
      [
        ['NAME', 'PACKAGE', 'PINNED', 'LATEST'],
        ['mem', `npx ${MEMORY}`, '1.0.0', '1.1.0'],
      ],
    );

    const list = await cli(home, stub, ['servers', 'list']);
    const [header = '', ...rows] = list.stdout.trimEnd().split('\n');
    const at = header.indexOf('UPDATE');
    assert.ok(at > 0, header);
    assert.deepEqual(
      rows.map((row) => [row.split(' ')[0], row.slice(at)]),
      [
        ['fetch', ''],
        ['mem', '1.1.0 available'],
      ],
      'the failed add saved nothing',
    );
  });
});
