// `npm run bench:bridge`: tools/call echo of server-everything directly over stdio, through the
// mcp-fleet bridge, through supergateway and through mcp-proxy, beside two floors (a canned HTTP answer,
// and a bare relay to one stdio child), in one run on this machine, with the SDK's client and with a raw
// one, and the CPU per call of each front process; for 2026-07-28, the v2 client (and a raw stateless
// one) through the bridge and against a native v2 createMcpHandler server; the TLS row; and the
// noisy-neighbour row (noisy.ts). Prints tables and writes out/bench/bridge.json. Loopback only; every
// phase has a time limit, so a peer that hangs is reported, not waited for.
// Usage: bridge.ts [target-name-fragment...]   (BENCH_* variables below change the sizes)
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildBridgeBundle } from '../build-bundles.mjs';
import {
  closeAll,
  concurrentClients,
  idleSessionsMemory,
  openSessions,
  pipelined,
  singleClient,
  type LoadResult,
  type MemoryResult,
} from './measure';
import { noisyNeighbour, type NoisyNeighbour, type NoisySizes } from './noisy';
import { rssMb } from './proc';
import {
  formatNoisy,
  formatReport,
  formatTls,
  type LoadPhases,
  type PhaseOutcome,
  type TargetResult,
} from './report';
import type { ClientKind, EchoSession } from './sessions';
import {
  directStdio,
  fleetBridge,
  httpFloor,
  mcpProxy,
  nativeV2,
  relayFloor,
  repoRoot,
  SESSION_KINDS,
  STATELESS_KINDS,
  supergateway,
  type Running,
  type TargetSpec,
} from './targets';
import { tlsComparison, type TlsComparison } from './tls';

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const params = {
  // Long enough that V8 has compiled the hot paths before the clock (and the CPU meter) starts: with
  // 200, the bridge's optimizing compiler was still busy in the measured calls.
  warmup: envNumber('BENCH_WARMUP', 1000),
  calls: envNumber('BENCH_CALLS', 2000),
  clients: envNumber('BENCH_CLIENTS', 32),
  callsEach: envNumber('BENCH_CALLS_EACH', 200),
  idleSessions: envNumber('BENCH_IDLE_SESSIONS', 100),
};
const phaseLimitMs = envNumber('BENCH_PHASE_LIMIT_MS', 60_000);
const tlsRounds = envNumber('BENCH_TLS_ROUNDS', 5);
const TLS_ROW = 'mcp-fleet bridge TLS';
const NOISY_ROW = 'mcp-fleet bridge noisy neighbour';
const noisySizes: NoisySizes = {
  server: process.env.BENCH_NOISY_SERVER === 'everything' ? 'everything' : 'echo',
  calls: envNumber('BENCH_NOISY_CALLS', 600),
  perSecond: envNumber('BENCH_NOISY_RATE', 40),
  clients: envNumber('BENCH_NOISY_CLIENTS', 32),
  bodyBytes: envNumber('BENCH_NOISY_BYTES', 1024 * 1024),
};

async function phase<T>(work: (deadline: number) => Promise<T>, note?: string): Promise<PhaseOutcome<T>> {
  const deadline = Date.now() + phaseLimitMs;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${phaseLimitMs / 1000} s`)), phaseLimitMs);
  });
  try {
    const result = await Promise.race([work(deadline), limit]);
    return { ok: true, result, ...(note === undefined ? {} : { note }) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

async function withSession<T>(
  running: Running,
  kind: ClientKind,
  work: (session: EchoSession) => Promise<T>,
): Promise<T> {
  const session = await running.connect(kind);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

async function loadPhases(running: Running, kind: ClientKind): Promise<LoadPhases> {
  if (STATELESS_KINDS.includes(kind)) {
    // No sessions to open: each client is set up beforehand (the v2 client probes server/discover once).
    const single = await phase(() =>
      withSession(running, kind, (session) =>
        singleClient(session, params.warmup, params.calls, running.pid),
      ),
    );
    const concurrent = await phase(async (deadline) => {
      const clients = await openSessions(() => running.connect(kind), params.clients, 8, deadline);
      try {
        return await concurrentClients(clients, params.callsEach, running.pid);
      } finally {
        await closeAll(clients);
      }
    });
    return { single, concurrent };
  }
  const single = await phase(() =>
    withSession(running, kind, (session) => singleClient(session, params.warmup, params.calls, running.pid)),
  );
  let concurrent: PhaseOutcome<LoadResult>;
  if (running.pid === undefined) {
    concurrent = await phase(
      () => withSession(running, kind, (session) => pipelined(session, params.clients, params.callsEach)),
      `one stdio session with ${params.clients} calls in flight (there is nothing to share)`,
    );
  } else {
    concurrent = await phase(async (deadline) => {
      const sessions = await openSessions(() => running.connect(kind), params.clients, 8, deadline);
      try {
        return await concurrentClients(sessions, params.callsEach, running.pid);
      } finally {
        await closeAll(sessions);
      }
    });
  }
  return { single, concurrent };
}

/** Direct stdio has no proxy: its memory row is the server child itself, for reference. */
async function directMemory(running: Running): Promise<MemoryResult> {
  return withSession(running, 'sdk', async (session) => {
    const self = session.pid === undefined ? undefined : rssMb(session.pid);
    return { sessions: 1, processes: 1, ...(self === undefined ? {} : { selfMb: self, treeMb: self }) };
  });
}

async function runTarget(spec: TargetSpec): Promise<TargetResult> {
  process.stderr.write(`bench: ${spec.name}…\n`);
  const base = { target: spec.name, describe: spec.describe };
  let running: Running;
  try {
    running = await spec.start();
  } catch (err) {
    return {
      ...base,
      start: err instanceof Error ? err.message : String(err),
      load: {},
      memory: { ok: false },
    };
  }
  try {
    const load: TargetResult['load'] = {};
    for (const kind of spec.kinds ?? SESSION_KINDS) load[kind] = await loadPhases(running, kind);
    let memory: PhaseOutcome<MemoryResult>;
    if (spec.measureMemory === false) {
      memory = { ok: false, note: 'n/a' };
    } else if (running.pid === undefined) {
      memory = await phase(() => directMemory(running), 'the server-everything child itself, for reference');
    } else {
      memory = await phase(async (deadline) => {
        // A fresh process, so the heap grown by the load phases is not counted.
        await running.stop();
        running = await spec.start();
        const fresh = running;
        if (fresh.pid === undefined) throw new Error('no process to measure');
        return idleSessionsMemory(fresh.pid, () => fresh.connect('sdk'), params.idleSessions, deadline);
      });
    }
    return { ...base, load, memory };
  } finally {
    await running.stop();
  }
}

/** Builds the bridge bundle once for the bridge row and the TLS row; `error` says why it did not build. */
async function bridgeBundle(): Promise<{ path: string } | { error: string }> {
  try {
    return { path: await buildBridgeBundle({ quiet: true }) };
  } catch (err) {
    const first = (err as { errors?: { text?: string; location?: { file?: string; line?: number } }[] })
      .errors?.[0];
    const where =
      first?.location?.file === undefined ? '' : ` (${first.location.file}:${first.location.line})`;
    const text = first?.text ?? (err instanceof Error ? err.message : String(err));
    return { error: `bundle did not build: ${text}${where}` };
  }
}

function bridgeSpec(bundle: { path: string } | { error: string }): TargetSpec {
  if ('path' in bundle) return fleetBridge(bundle.path);
  return { ...fleetBridge(''), start: () => Promise.reject(new Error(bundle.error)) };
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).map((name) => name.toLowerCase());
  const picked = (name: string): boolean =>
    only.length === 0 || only.some((fragment) => name.toLowerCase().includes(fragment));
  const bundle = await bridgeBundle();
  const specs = [
    directStdio,
    httpFloor,
    relayFloor,
    bridgeSpec(bundle),
    nativeV2,
    supergateway,
    mcpProxy,
  ].filter((spec) => picked(spec.name));
  const started = Date.now();
  const results: TargetResult[] = [];
  for (const spec of specs) results.push(await runTarget(spec));
  let tls: TlsComparison | undefined;
  if (picked(TLS_ROW)) {
    process.stderr.write(`bench: ${TLS_ROW}…\n`);
    // Two phases per scheme and round, each within the phase limit.
    const deadline = Date.now() + phaseLimitMs * 4 * tlsRounds;
    tls =
      'path' in bundle
        ? await tlsComparison(bundle.path, params, tlsRounds, deadline)
        : { rounds: tlsRounds, samples: [], error: bundle.error };
  }
  let noisy: NoisyNeighbour | undefined;
  if (picked(NOISY_ROW)) {
    process.stderr.write(`bench: ${NOISY_ROW}…\n`);
    // Three phases of A's paced calls, each within the phase limit.
    const deadline = Date.now() + phaseLimitMs * 3;
    noisy =
      'path' in bundle
        ? await noisyNeighbour(bundle.path, noisySizes, deadline)
        : { sizes: noisySizes, floods: [], error: bundle.error };
  }

  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown cpu',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  const seconds = Math.round((Date.now() - started) / 1000);
  if (results.length > 0)
    process.stdout.write(`\n${formatReport(results, params, [...SESSION_KINDS, ...STATELESS_KINDS])}\n`);
  if (tls !== undefined) process.stdout.write(`\n${formatTls(tls, params)}\n`);
  if (noisy !== undefined) process.stdout.write(`\n${formatNoisy(noisy)}\n`);
  process.stdout.write('\n');
  process.stdout.write(`${machine.cpus} × ${machine.cpu}, node ${machine.node}, ${seconds} s\n`);

  const outFile = path.join(repoRoot, 'out', 'bench', 'bridge.json');
  await mkdir(path.dirname(outFile), { recursive: true });
  const document = { date: new Date().toISOString(), machine, params, seconds, results, tls, noisy };
  await writeFile(outFile, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`results: ${path.relative(process.cwd(), outFile)}\n`);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
