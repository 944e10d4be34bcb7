// Process and port helpers for the benchmark: Linux /proc only, loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A port the kernel just handed out on loopback; free again when this resolves. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of one process in MB (VmRSS), or undefined when it is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * CPU time pid has used so far, in seconds, all its threads together (OpenSSL and the libuv pool work
 * off the main thread): the sum of the first field of /proc/<pid>/task/<tid>/schedstat (nanoseconds
 * on a CPU). Undefined when the process is gone or the kernel has no schedstat.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended while we looked.
      }
    }
    return ns / 1e9;
  } catch {
    return undefined;
  }
}

// USER_HZ: the unit of /proc/<pid>/stat's times; 100 on every Linux the bench runs on (getconf CLK_TCK).
const TICKS_PER_SECOND = 100;

/**
 * CPU time pid has used so far, in seconds: utime + stime of /proc/<pid>/stat, which count all its
 * threads but none of its children (the MCP server a bridge runs is not in it). Ticks of 10 ms, so
 * measure over a few hundred milliseconds at least. Undefined when the process is gone.
 */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may hold spaces: count fields after the last ')'.
    // From there, field 0 is the state (the third of stat), so utime and stime are 11 and 12.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Every live descendant of pid (children, grandchildren, …), read from /proc/<pid>/stat. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name sits in parentheses and may hold spaces: parse after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const current = frontier.pop();
    for (const [child, parent] of parentOf) {
      if (parent === current) {
        found.push(child);
        frontier.push(child);
      }
    }
  }
  return found;
}

/** RSS of pid alone and of pid plus all its descendants, in MB. */
export function treeRssMb(pid: number): { self?: number; tree?: number; processes: number } {
  const self = rssMb(pid);
  if (self === undefined) return { processes: 0 };
  const others = descendants(pid);
  const tree = others.reduce((sum, child) => sum + (rssMb(child) ?? 0), self);
  return { self, tree, processes: 1 + others.length };
}

export interface Spawned {
  child: ChildProcess;
  /** The last few kB of stderr and stdout, for a failure report. */
  tail(): string;
  stop(): Promise<void>;
}

/** Starts a long-running program with its output drained (never blocked on a full pipe). */
export function spawnDrained(command: string, args: string[], env?: NodeJS.ProcessEnv): Spawned {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    child,
    tail: () => tail,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!done) {
        for (const pid of descendants(child.pid ?? 0)) killQuietly(pid);
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Polls url until it answers at all (any status), or throws after timeoutMs. */
export async function waitForHttp(url: string, timeoutMs: number, spawned: Spawned): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawned.child.exitCode !== null) {
      throw new Error(`exited with code ${spawned.child.exitCode}: ${lastLine(spawned.tail())}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`no answer at ${url} within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

/** waitForHttp for an HTTPS listener whose certificate is `ca` (self-signed). */
export async function waitForHttps(
  url: string,
  ca: string,
  timeoutMs: number,
  spawned: Spawned,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawned.child.exitCode !== null) {
      throw new Error(`exited with code ${spawned.child.exitCode}: ${lastLine(spawned.tail())}`);
    }
    const answered = await new Promise<boolean>((resolve) => {
      const req = https.get(url, { ca, agent: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`no answer at ${url} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}
