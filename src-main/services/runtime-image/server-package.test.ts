// Real parts: @modelcontextprotocol/server-memory as installed in node_modules, copied out and run
// with Node from the copy alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstat, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FleetError } from '../../shared/errors';
import {
  assertPinnedPackage,
  bakedServerCommand,
  copyInstalledPackage,
  SERVER_DIR_IN_IMAGE,
} from './server-package';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVER = '@modelcontextprotocol/server-memory';

/** Sends one initialize to a stdio server and resolves to its first JSON line. */
async function initializeOverStdio(command: string, args: string[], cwd: string): Promise<unknown> {
  const child = spawn(command, args, {
    cwd,
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { PATH: process.env.PATH },
  });
  const message = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
  };
  child.stdin.write(`${JSON.stringify(message)}\n`);
  let buffer = '';
  try {
    return await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server exited with ${code} before answering`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const line = buffer.split('\n').find((candidate) => candidate.startsWith('{'));
        if (line !== undefined && buffer.includes('\n')) resolve(JSON.parse(line));
      });
    });
  } finally {
    child.kill();
  }
}

describe('baking an npm server into the build context (server-memory from node_modules)', () => {
  let serverDir = '';
  before(async () => {
    serverDir = await mkdtemp(path.join(os.tmpdir(), 'server-package-test-'));
  });
  after(async () => {
    await rm(serverDir, { recursive: true, force: true });
  });

  it('copies the package with its dependency closure, so it runs from the copy alone', async () => {
    const version = await copyInstalledPackage(serverDir, SERVER, repoRoot);
    const manifest = JSON.parse(await readFile(path.join(serverDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    assert.deepEqual(manifest.dependencies, { [SERVER]: version });
    // The SDK is a dependency, and zod one of the SDK's: both must have come along.
    await lstat(path.join(serverDir, 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'));
    await lstat(path.join(serverDir, 'node_modules', 'zod', 'package.json'));
    // Nothing unrelated: the benchmark's peers are installed here but are not server-memory's.
    await assert.rejects(lstat(path.join(serverDir, 'node_modules', 'supergateway')));
    const bin = path.join(serverDir, 'node_modules', '.bin', 'mcp-server-memory');
    assert.match(await readlink(bin), /^\.\.\/@modelcontextprotocol\/server-memory\//);

    const command = await bakedServerCommand(serverDir, SERVER);
    assert.equal(command[0], 'node');
    const inImage = command[1] ?? '';
    assert.ok(inImage.startsWith(`${SERVER_DIR_IN_IMAGE}/node_modules/${SERVER}/`), inImage);
    // Run it from the copy, outside the repo, so only the copied tree can satisfy its imports.
    const onHost = path.join(serverDir, path.relative(SERVER_DIR_IN_IMAGE, inImage));
    const answer = (await initializeOverStdio(process.execPath, [onHost], serverDir)) as {
      result?: { serverInfo?: { name?: string } };
    };
    assert.equal(answer.result?.serverInfo?.name, 'memory-server');
  });

  it('refuses a package that is not installed, naming it', async () => {
    await assert.rejects(
      copyInstalledPackage(serverDir, '@modelcontextprotocol/server-nope', repoRoot),
      (err) => {
        assert.ok(err instanceof FleetError);
        assert.equal(err.code, 'not_found');
        assert.match(err.message, /server-nope is not installed/);
        return true;
      },
    );
  });

  it('accepts only exact versions and real package names', () => {
    assert.doesNotThrow(() => assertPinnedPackage('@scope/pkg', '1.2.3'));
    assert.doesNotThrow(() => assertPinnedPackage('pkg', '2026.8.31-beta.1'));
    for (const [name, version] of [
      ['pkg', '^1.2.3'],
      ['pkg', 'latest'],
      ['pkg', '1.2'],
      ['Pkg With Spaces', '1.2.3'],
      ['pkg; rm -rf /', '1.2.3'],
      ['@scope/pkg', '1.2.3 || 2'],
    ] as const) {
      assert.throws(
        () => assertPinnedPackage(name, version),
        (err: unknown) => err instanceof FleetError && err.code === 'invalid_input',
        `${name}@${version}`,
      );
    }
  });
});
