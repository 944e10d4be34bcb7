// The noisy-neighbour row of `npm run bench:bridge`: one bridge in shared mode with two members on
// the per-member fair-share caps every bridge starts with (32 sessions, 16 calls in flight, 50 rps).
// Member A makes paced sequential echo calls, within its rate; its p50/p99 are measured alone, then
// while member B floods from a process of its own (flood-client.mjs): many clients, each in a loop of
// echo calls with a large message, first honouring Retry-After on a 429, then ignoring it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childAlone, type ChildAlone } from './child-alone';
import { pacedClient, type LoadResult } from './measure';
import { lastLine, processCpuSeconds, spawnDrained, waitForHttp, type Spawned } from './proc';
import { rawHttpSession, type EchoSession } from './sessions';
import { newToken, repoRoot, serverCommand, spawnBridgeProcess, startTimeoutMs } from './targets';

/** The MCP server behind the bridge: the floor-like echo server (echo-stdio-server.mjs) or server-everything. */
export type NoisyServer = 'echo' | 'everything';

export interface NoisySizes {
  server: NoisyServer;
  /** A's measured calls per phase, and how many it starts a second. */
  calls: number;
  perSecond: number;
  /** B's clients, and the size of each one's message. */
  clients: number;
  bodyBytes: number;
}

/** What B's flood was answered, as flood-client.mjs counts it. */
export interface FloodTally {
  requests: number;
  /** Echo answers carrying B's own message. */
  served: number;
  /** 429 answers by the limit they name (rps, inflight, queue, sessions). */
  refused: Record<string, number>;
  wrong: number;
  errors: number;
  firstError?: string;
  seconds: number;
}

export interface FloodRun {
  honoursRetryAfter: boolean;
  a: LoadResult;
  b?: FloodTally;
  /** CPU of the bridge process while A's calls were measured, as a share of one core. */
  bridgeCores?: number;
}

export interface NoisyNeighbour {
  sizes: NoisySizes;
  alone?: LoadResult;
  aloneBridgeCores?: number;
  floods: FloodRun[];
  /** One of B's messages through the server alone, no bridge: what A waits behind at the child. */
  childAlone?: ChildAlone;
  /** Set when the row could not run to the end. */
  error?: string;
}

const floodScript = path.join(repoRoot, 'scripts', 'bench', 'flood-client.mjs');
const echoServer = [process.execPath, path.join(repoRoot, 'scripts', 'bench', 'echo-stdio-server.mjs')];

/** Runs work() and returns its result with the bridge's CPU meanwhile, as a share of one core. */
async function withCores<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cores?: number }> {
  const before = processCpuSeconds(pid);
  const started = performance.now();
  const result = await work();
  const after = processCpuSeconds(pid);
  const seconds = (performance.now() - started) / 1000;
  return before === undefined || after === undefined
    ? { result }
    : { result, cores: (after - before) / seconds };
}

async function waitForReady(flood: Spawned, deadline: number): Promise<void> {
  for (;;) {
    const line = lastLine(flood.tail());
    if (line === 'ready') return;
    if (line.startsWith('error') || flood.child.exitCode !== null)
      throw new Error(`the flood did not start: ${line}`);
    if (Date.now() > deadline) throw new Error('the flood did not open its sessions in time');
    await sleep(50);
  }
}

/** A's paced calls while B floods; B's tally comes from the flood process once it is stopped. */
async function floodRun(
  pid: number,
  a: EchoSession,
  url: string,
  tokenB: string,
  sizes: NoisySizes,
  honoursRetryAfter: boolean,
  deadline: number,
): Promise<FloodRun> {
  const flood = spawnDrained(process.execPath, [
    floodScript,
    url,
    tokenB,
    String(sizes.clients),
    String(sizes.bodyBytes),
    honoursRetryAfter ? '1' : '0',
  ]);
  try {
    await waitForReady(flood, deadline);
    // Let the flood reach its stride before A's calls are timed.
    await sleep(1000);
    const { result, cores } = await withCores(pid, () => pacedClient(a, 0, sizes.calls, sizes.perSecond));
    await flood.stop();
    const last = lastLine(flood.tail());
    let b: FloodTally | undefined;
    try {
      b = JSON.parse(last) as FloodTally;
    } catch {
      b = undefined;
    }
    return {
      honoursRetryAfter,
      a: result,
      ...(b === undefined ? {} : { b }),
      ...(cores === undefined ? {} : { bridgeCores: cores }),
    };
  } finally {
    await flood.stop();
  }
}

/** The whole row: a bridge with members A and B, A alone, then A beside each kind of flood. */
export async function noisyNeighbour(
  bundlePath: string,
  sizes: NoisySizes,
  deadline: number,
): Promise<NoisyNeighbour> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bench-noisy-'));
  const result: NoisyNeighbour = { sizes, floods: [] };
  let bridge: Spawned | undefined;
  try {
    const tokenA = newToken();
    const tokenB = newToken();
    const membersFile = path.join(folder, 'members.json');
    await writeFile(
      membersFile,
      JSON.stringify([
        { name: 'A', tokenSha256: tokenA.hash, tools: ['*'] },
        { name: 'B', tokenSha256: tokenB.hash, tools: ['*'] },
      ]),
    );
    // No --member-* flags: both members get the caps every bridge starts with.
    const started = await spawnBridgeProcess(
      bundlePath,
      ['--members', membersFile],
      sizes.server === 'echo' ? echoServer : serverCommand,
    );
    bridge = started.spawned;
    const pid = bridge.child.pid ?? 0;
    await waitForHttp(`http://127.0.0.1:${started.port}/healthz`, startTimeoutMs, bridge);
    const url = `http://127.0.0.1:${started.port}/mcp`;
    const a = await rawHttpSession(url, { authorization: `Bearer ${tokenA.token}` });
    try {
      const alone = await withCores(pid, () => pacedClient(a, 20, sizes.calls, sizes.perSecond));
      result.alone = alone.result;
      if (alone.cores !== undefined) result.aloneBridgeCores = alone.cores;
      for (const honours of [true, false]) {
        if (Date.now() > deadline) throw new Error('out of time');
        result.floods.push(await floodRun(pid, a, url, tokenB.token, sizes, honours, deadline));
        // B's last calls drain and its rate refills before the next phase.
        await sleep(2000);
      }
      result.childAlone = await childAlone(
        sizes.server === 'echo' ? echoServer : serverCommand,
        sizes.bodyBytes,
        40,
      );
    } finally {
      await a.close();
    }
    return result;
  } catch (err) {
    return { ...result, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await bridge?.stop();
    await rm(folder, { recursive: true, force: true });
  }
}
