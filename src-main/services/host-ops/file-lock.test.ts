// Real processes and a real folder: a second Node process holds the lock as the CLI would while the
// app deploys, and a process that has exited stands for a killed CLI.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { FileLocks, type LockHolder } from './file-lock';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-locks-'));
const LOCK_MODULE = path.join(import.meta.dirname, 'file-lock.ts');

const lockPid = (key: string): number =>
  (JSON.parse(readFileSync(path.join(dir, `${key}.lock`), 'utf8')) as LockHolder).pid;

/** A Node process that takes `key` and holds it until its stdin closes. */
async function holderProcess(key: string): Promise<{ pid: number; release: () => Promise<void> }> {
  const script = `
    const { FileLocks } = await import(${JSON.stringify(LOCK_MODULE)});
    const release = await new FileLocks(${JSON.stringify(dir)}).acquire(${JSON.stringify(key)}, 'the CLI deploy');
    process.stdout.write('held\\n');
    process.stdin.resume();
    process.stdin.on('end', async () => { await release(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('held')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return {
    pid: child.pid ?? 0,
    release: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

void describe('FileLocks (one lock per server across the processes of this machine)', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  const locks = new FileLocks(dir);

  void it('makes a second taker wait for the first, says so once, and then hands the lock over', async () => {
    const first = await locks.acquire('server-a', 'a deploy of a');
    const waits: LockHolder[] = [];
    let second: (() => Promise<void>) | null = null;
    const pending = locks.acquire('server-a', 'a deploy of a', { onWait: (h) => waits.push(h), pollMs: 20 });
    void pending.then((r) => (second = r));
    // Not a wait for something: several of its 20 ms polls pass, and it must still wait, having said so once.
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(second, null, 'the second taker is still waiting');
    assert.equal(waits.length, 1);
    assert.equal(waits[0]?.pid, process.pid);
    assert.equal(waits[0]?.what, 'a deploy of a');
    await first();
    const release = await pending;
    await release();
    assert.equal(existsSync(path.join(dir, 'server-a.lock')), false);
  });

  void it('waits for another live process that holds it, and takes it once that one lets go', async () => {
    const other = await holderProcess('server-b');
    const waits: LockHolder[] = [];
    const pending = locks.acquire('server-b', 'a deploy of b', { onWait: (h) => waits.push(h), pollMs: 20 });
    // As above: several polls pass while the other process holds it; it says so once.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      waits.map((w) => [w.pid, w.what]),
      [[other.pid, 'the CLI deploy']],
    );
    await other.release();
    const release = await pending;
    assert.equal(lockPid('server-b'), process.pid);
    await release();
  });

  void it('takes over at once a lock whose process is gone (a killed CLI)', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadPid = Number(gone.stdout);
    assert.ok(deadPid > 0);
    const stale = { pid: deadPid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00Z', what: 'x' };
    writeFileSync(path.join(dir, 'server-c.lock'), JSON.stringify(stale));
    const waits: LockHolder[] = [];
    const release = await locks.acquire('server-c', 'a deploy of c', { onWait: (h) => waits.push(h) });
    assert.deepEqual(waits, []);
    assert.equal(lockPid('server-c'), process.pid);
    await release();
  });

  void it('gives up after its timeout with a conflict naming the holder, and leaves the holder’s lock', async () => {
    const other = await holderProcess('server-d');
    try {
      await assert.rejects(
        locks.acquire('server-d', 'a deploy of d', { timeoutMs: 100, pollMs: 20 }),
        (err: Error & { code?: string }) =>
          err.code === 'conflict' && err.message.includes(`the CLI deploy (pid ${other.pid}`),
      );
      assert.equal(lockPid('server-d'), other.pid);
    } finally {
      await other.release();
    }
  });

  void it('lets many takers in one process, started in the same millisecond, hold it one at a time', async () => {
    // CI caught two topologies started by Promise.all sharing a temporary file: the lock then carried
    // the loser's identity and no one could release it. Each round starts its takers together.
    for (let round = 0; round < 20; round += 1) {
      let inside = 0;
      let most = 0;
      const takers = Array.from({ length: 6 }, async () => {
        const release = await locks.acquire('server-e', 'a topology', { timeoutMs: 10_000, pollMs: 2 });
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((r) => setImmediate(r));
        inside -= 1;
        await release();
      });
      await Promise.all(takers);
      assert.equal(most, 1, `round ${round}: never two holders at once`);
      assert.equal(existsSync(path.join(dir, 'server-e.lock')), false, `round ${round}: released`);
    }
  });

  void it('refuses a lock name that could leave its folder', async () => {
    await assert.rejects(locks.acquire('../escape', 'x'), /bad lock name/);
    assert.equal(existsSync(path.join(dir, '..', 'escape.lock')), false);
  });
});
