// The three measurements: one client in a loop, many clients at once, and memory with idle sessions.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuSeconds, treeRssMb } from './proc';
import type { EchoSession } from './sessions';

export interface LoadResult {
  calls: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers whose echo was another call's message: delivered to the wrong caller. */
  wrongAnswers: number;
  /** Calls that failed outright (error, timeout, malformed answer). */
  errors: number;
  firstError?: string;
  /**
   * CPU time of the front process (the bridge, proxy or floor, not the MCP server behind it) over the
   * measured calls, per call, in µs: utime + stime of /proc/<pid>/stat. Absent for direct stdio.
   */
  frontCpuUsPerCall?: number;
}

export interface MemoryResult {
  sessions: number;
  /** The bridge/proxy process alone, children excluded. */
  selfMb?: number;
  /** The bridge/proxy with every descendant (the MCP server children). */
  treeMb?: number;
  processes: number;
  idleSelfMb?: number;
}

interface Tally {
  latencies: number[];
  wrong: number;
  errors: number;
  firstError?: string;
}

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** One tools/call echo with a message nobody else sends, checked against the answer. */
async function echoOnce(session: EchoSession, tag: string, tally: Tally, record: boolean): Promise<void> {
  const message = `${tag}-${randomBytes(6).toString('hex')}`;
  const started = performance.now();
  try {
    const text = await session.echo(message);
    const elapsed = performance.now() - started;
    if (text === `Echo: ${message}`) {
      if (record) tally.latencies.push(elapsed);
    } else if (text?.startsWith('Echo: ')) {
      tally.wrong += 1;
    } else {
      tally.errors += 1;
      tally.firstError ??= `unexpected answer: ${JSON.stringify(text).slice(0, 160)}`;
    }
  } catch (err) {
    tally.errors += 1;
    tally.firstError ??= err instanceof Error ? err.message.slice(0, 160) : String(err);
  }
}

/** Figures from the measured calls; failures during warmup still count as failures. */
function summarize(
  tally: Tally,
  warmup: Tally,
  calls: number,
  elapsedMs: number,
  cpu?: CpuMeter,
): LoadResult {
  const sorted = tally.latencies.slice().sort((a, b) => a - b);
  const firstError = warmup.firstError ?? tally.firstError;
  const cpuSeconds = cpu?.();
  return {
    ...(cpuSeconds === undefined ? {} : { frontCpuUsPerCall: (cpuSeconds * 1e6) / calls }),
    calls,
    callsPerSecond: (calls - tally.errors - tally.wrong) / (elapsedMs / 1000),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    wrongAnswers: tally.wrong + warmup.wrong,
    errors: tally.errors + warmup.errors,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

const newTally = (): Tally => ({ latencies: [], wrong: 0, errors: 0 });

/** Reads the CPU seconds a process has used since the meter was started; undefined when it cannot. */
type CpuMeter = () => number | undefined;

function startCpuMeter(pid: number | undefined): CpuMeter | undefined {
  if (pid === undefined) return undefined;
  const before = processCpuSeconds(pid);
  return () => {
    const after = processCpuSeconds(pid);
    return before === undefined || after === undefined ? undefined : after - before;
  };
}

/**
 * Sequential calls from one session after a warmup that is not counted. With `frontPid`, that
 * process's CPU time over the measured calls goes in the result too.
 */
export async function singleClient(
  session: EchoSession,
  warmup: number,
  calls: number,
  frontPid?: number,
): Promise<LoadResult> {
  const warm = newTally();
  for (let i = 0; i < warmup; i += 1) await echoOnce(session, `w${i}`, warm, false);
  const tally = newTally();
  const cpu = startCpuMeter(frontPid);
  const started = performance.now();
  for (let i = 0; i < calls; i += 1) await echoOnce(session, `s${i}`, tally, true);
  return summarize(tally, warm, calls, performance.now() - started, cpu);
}

/**
 * Sequential calls at a steady pace (one started every 1/perSecond s, or at once when the previous
 * one ran late), as an agent that stays within its rate makes them: latency without queueing of its
 * own. No call is started after twice the planned time, so a stalled peer cannot stretch the phase
 * without end; `calls` in the result says how many were made.
 */
export async function pacedClient(
  session: EchoSession,
  warmup: number,
  calls: number,
  perSecond: number,
): Promise<LoadResult> {
  const warm = newTally();
  for (let i = 0; i < warmup; i += 1) await echoOnce(session, `pw${i}`, warm, false);
  const tally = newTally();
  const gapMs = 1000 / perSecond;
  const started = performance.now();
  const stopAt = started + 2 * calls * gapMs;
  let made = 0;
  while (made < calls && performance.now() < stopAt) {
    const wait = started + made * gapMs - performance.now();
    if (wait > 0) await sleep(wait);
    await echoOnce(session, `p${made}`, tally, true);
    made += 1;
  }
  return summarize(tally, warm, made, performance.now() - started);
}

/** Uncounted calls each client makes before concurrentClients starts its clock. */
export const CONCURRENT_WARMUP = 10;

/**
 * Every client runs its own sequential loop at the same time; the clients were connected beforehand,
 * so session set-up is not in the figure. Each message names its client, so a crossed answer shows.
 */
export async function concurrentClients(
  clients: EchoSession[],
  callsEach: number,
  frontPid?: number,
): Promise<LoadResult> {
  const warm = newTally();
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < CONCURRENT_WARMUP; i += 1) await echoOnce(client, `cw${c}-${i}`, warm, false);
    }),
  );
  const tally = newTally();
  const cpu = startCpuMeter(frontPid);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < callsEach; i += 1) await echoOnce(client, `c${c}-${i}`, tally, true);
    }),
  );
  return summarize(tally, warm, clients.length * callsEach, performance.now() - started, cpu);
}

/**
 * Many calls in flight on one session: what a single stdio pipe delivers when it is kept busy,
 * the ceiling a multiplexing bridge works against.
 */
export async function pipelined(
  session: EchoSession,
  inFlight: number,
  callsEach: number,
): Promise<LoadResult> {
  const lanes = Array.from({ length: inFlight }, (_, lane) => lane);
  return concurrentClients(
    lanes.map(() => session),
    callsEach,
  );
}

/** Opens sessions in small batches, so a proxy that spawns a child per session is not stampeded. */
export async function openSessions(
  connect: () => Promise<EchoSession>,
  count: number,
  batch: number,
  deadline: number,
): Promise<EchoSession[]> {
  const clients: EchoSession[] = [];
  while (clients.length < count) {
    if (Date.now() > deadline) {
      await closeAll(clients);
      throw new Error(`only ${clients.length} of ${count} sessions opened in time`);
    }
    const size = Math.min(batch, count - clients.length);
    const opened = await Promise.allSettled(Array.from({ length: size }, () => connect()));
    for (const outcome of opened) {
      if (outcome.status === 'fulfilled') clients.push(outcome.value);
    }
    const failed = opened.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) {
      await closeAll(clients);
      const reason: unknown = failed.reason;
      throw new Error(
        `opening a session failed: ${reason instanceof Error ? reason.message : String(reason)}`,
      );
    }
  }
  return clients;
}

/**
 * RSS of a freshly started bridge/proxy, then again after opening sessions and letting them sit
 * idle for a moment, so load from earlier phases (a grown heap) is not in the figure.
 */
export async function idleSessionsMemory(
  pid: number,
  connect: () => Promise<EchoSession>,
  sessions: number,
  deadline: number,
): Promise<MemoryResult> {
  await sleep(500);
  const idle = treeRssMb(pid).self;
  const clients = await openSessions(connect, sessions, 10, deadline);
  try {
    await sleep(1500);
    const measured = treeRssMb(pid);
    return {
      sessions: clients.length,
      ...(measured.self === undefined ? {} : { selfMb: measured.self }),
      ...(measured.tree === undefined ? {} : { treeMb: measured.tree }),
      processes: measured.processes,
      ...(idle === undefined ? {} : { idleSelfMb: idle }),
    };
  } finally {
    await closeAll(clients);
  }
}

export async function closeAll(sessions: EchoSession[]): Promise<void> {
  await Promise.allSettled(sessions.map((session) => session.close()));
}
