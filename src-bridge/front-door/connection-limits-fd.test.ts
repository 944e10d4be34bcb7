// The bridge as a process under the descriptor limit issue 12 was found at, and the caps over HTTPS,
// in front of the real server-everything from npm.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ALICE,
  aliceCalls,
  endedCount,
  members,
  open,
  statusOf,
  type Probe,
} from './connection-test-helpers';
import type { ConnectionFigures } from '../access/fair-share-report';
import { certificateDir, makeTestCertificate } from '../test-certificates';
import { serverCommand, startTestBridge, waitFor } from '../test-helpers';

describe('connection caps: over HTTPS', () => {
  it('counts a TLS connection as authenticated from its first authenticated request', async () => {
    const folder = await certificateDir();
    const certificate = await makeTestCertificate(folder.dir);
    const bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      members,
      tls: { certFile: certificate.certFile, keyFile: certificate.keyFile },
    });
    try {
      // The request's socket is the TLS one; the caps count the TCP socket under it: both must match.
      const status = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
          `https://127.0.0.1:${bridge.port}/status`,
          { ca: certificate.cert, agent: false, headers: { authorization: `Bearer ${ALICE}` } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      const { connections } = JSON.parse(status) as { connections: ConnectionFigures };
      assert.equal(connections.open, 1);
      assert.equal(connections.unauthenticated, 0);
    } finally {
      await bridge.close();
      await folder.cleanup();
    }
  });
});

describe('connection caps: at a 300-descriptor limit (issue 12)', () => {
  it('keeps serving and restarts its child under 400 token-less sockets from 20 sources', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-fd-'));
    const membersFile = join(dir, 'members.json');
    writeFileSync(membersFile, JSON.stringify(members));
    const server = serverCommand('server-everything');
    // The CLI from source, under the descriptor limit the issue was found at.
    const child = spawn(
      'sh',
      [
        '-c',
        'ulimit -n 300 && exec "$@"',
        'sh',
        process.execPath,
        '--import',
        'tsx',
        'src-bridge/main.ts',
        ...['--port', '0', '--host', '127.0.0.1', '--members', membersFile],
        '--',
        server.command,
        ...server.args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const flood: Probe[] = [];
    try {
      await waitFor(() => stdout.includes('"event":"listening"'), 'the bridge to listen', 30_000);
      const line = stdout.split('\n').find((l) => l.includes('"event":"listening"')) ?? '{}';
      const listening = JSON.parse(line) as { port: number; maxConnections: number };
      // Half the descriptors, so that the other half stays free for the child and files.
      assert.equal(listening.maxConnections, 150);
      const url = `http://127.0.0.1:${listening.port}/mcp`;
      await waitFor(
        async () => (await statusOf(url).catch(() => undefined))?.child.state === 'ready',
        'the child',
      );
      // Sockets that never end their side, as in the issue: a half-closed one stays open for ever.
      for (let i = 0; i < 20; i++)
        flood.push(...open(listening.port, 20, `127.0.0.${10 + i}`, { allowHalfOpen: true }));
      await waitFor(
        () => endedCount(flood) >= 400 - 37,
        'the flood to be cut down to the unauthenticated share',
        30_000,
      );
      await aliceCalls(url, 'under-limit');
      const before = await statusOf(url);
      process.kill(before.child.pid, 'SIGKILL');
      await waitFor(async () => {
        const now = await statusOf(url);
        return now.child.state === 'ready' && now.child.pid !== before.child.pid;
      }, 'the child to be restarted under the flood');
      await aliceCalls(url, 'restarted');
      assert.doesNotMatch(stdout, /EMFILE/);
    } finally {
      for (const probe of flood) probe.socket.destroy();
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
