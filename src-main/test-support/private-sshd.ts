/**
 * An sshd of a test's own on a loopback port (own config, own host key, under a temp folder), letting
 * the testbed's user in with the testbed's keys. Stopping it ends its connections too, as a host that
 * went away would; the testbed's own sshd, which other tests use, is never touched.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Testbed } from '../../e2e/fixtures/env';
import { descendants, freePort } from '../../scripts/bench/proc';
import { GiveUp, waitFor } from './wait-for';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

export interface PrivateSshd {
  port: number;
  /** Stops the listener and every connection it serves. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same host key. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/** A free loopback port; the benchmark's helper, under the name the health tests use. */
export { freePort as freeLoopbackPort };

/** Starts an sshd for tb's user on a free loopback port. */
export async function startPrivateSshd(tb: Testbed): Promise<PrivateSshd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mcp-fleet-sshd-'));
  const key = path.join(dir, 'host_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${key}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'AuthorizedKeysFile .ssh/authorized_keys',
      `AllowUsers ${tb.ssh.username}`,
      'PermitRootLogin no',
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'AllowTcpForwarding yes',
      'AllowStreamLocalForwarding yes',
      'X11Forwarding no',
      'PrintMotd no',
      'UseDNS no',
      'MaxStartups 100:30:200',
      'MaxSessions 100',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    // -D: stays in the foreground as our child, so it is stopped by its own pid and nothing else.
    const proc = spawn(SSHD, ['-D', '-f', config, '-E', path.join(dir, 'sshd.log')], { stdio: 'ignore' });
    child = proc;
    await waitForListen(port, proc, dir);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc?.pid || proc.exitCode !== null) return;
    const pid = proc.pid;
    // Connection handlers are its children (and theirs): ended by pid, as a dead host would drop them.
    const tree = descendants(pid);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    for (const p of tree) killQuietly(p);
    await exited;
  };
  await start();
  return {
    port,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForListen(port: number, proc: ChildProcess, dir: string): Promise<void> {
  await waitFor(
    async () => {
      if (proc.exitCode !== null) {
        const log = await readFile(path.join(dir, 'sshd.log'), 'utf8').catch(() => '');
        throw new GiveUp(
          `sshd exited with code ${proc.exitCode}: ${log.trim().split('\n').slice(-3).join(' | ')}`,
        );
      }
      return new Promise<boolean>((resolve) => {
        const s = createConnection({ host: '127.0.0.1', port }, () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
    },
    { timeoutMs: 5_000, intervalMs: 25, what: `sshd to listen on 127.0.0.1:${port}` },
  );
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
