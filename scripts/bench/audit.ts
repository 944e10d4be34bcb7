// `npm run bench:audit`: how fast the app collects the bridges' audit lines, and what they cost.
//
// - Fleet: BENCH_INSTANCES (default 20) containers on the testbed's Docker engine, from the local Node
//   base image, each writing audit lines in the bridge's exact format (src-bridge/ops/log.ts: one JSON
//   object per line, batched per event-loop turn) to stdout, together BENCH_RATE (default 2,000) lines
//   a second for BENCH_SECONDS (default 300) seconds: the first collections pay for the JIT and the
//   heap growing, so a steady figure needs minutes. Labelled with this run's id and removed afterwards.
// - The app: the real AuditCollector in this process, reaching Docker through the testbed's sshd (the
//   held SSH session, a forwarded socket), as the app does for a remote host.
// - Steady: the collector runs on the app's schedule (every BENCH_INTERVAL_S, default 10 s, the health
//   monitor's) while the fleet writes: lines/s collected, process CPU (process.cpuUsage) per 1,000 lines
//   and as % of one core, the same for the second half of the collections alone (warmed up), and the
//   longest collection.
// - Backlog: a second, fresh store collects the whole logs at once (every cursor at the start): the
//   most lines/s one collection takes, and its CPU per 1,000 lines.
// - Growth: that store's file (fleet.db, WAL checkpointed by close) before and after the backlog's N
//   rows, scaled to a million calls.
// No timed assertions: it prints figures (and writes out/bench/audit.json).
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import Dockerode from 'dockerode';
import { ensureLocalNodeBaseImage, NODE_BASE_IMAGE_UID } from '../../e2e/fixtures/base-image';
import { readTestbed, TESTBED_MISSING_REASON, type Testbed } from '../../e2e/fixtures/env';
import { AuditCollector } from '../../src-main/services/audit/audit-collector';
import { FleetHostAccess } from '../../src-main/services/bridge-client/host-access';
import { DefaultDockerClientFactory } from '../../src-main/services/docker/docker-client-factory';
import { LABELS } from '../../src-main/services/instance-spec/constants';
import { Ssh2Connector } from '../../src-main/services/ssh/ssh-connector';
import { SshSessionRegistry } from '../../src-main/services/ssh/ssh-session-registry';
import { STORE_FILE } from '../../src-main/services/store/database';
import { StaticKeyProvider } from '../../src-main/services/store/key-providers';
import { Store } from '../../src-main/services/store/store';
import { addTestbedHost } from '../../src-main/test-support/ssh-hosts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const num = (name: string, fallback: number): number =>
  Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback;
const INSTANCES = num('BENCH_INSTANCES', 20);
const RATE = num('BENCH_RATE', 2000);
const SECONDS = num('BENCH_SECONDS', 300);
const INTERVAL_MS = num('BENCH_INTERVAL_S', 10) * 1000;
const BENCH_LABEL = 'io.mcp-fleet.bench.audit';
/** The fleet rate the goal names: collection keeps up with it at < 5 % of one core. */
const GOAL_RATE = 2000;

// One container's writer: the bridge's audit line (createLogger's audit(): ts, level, event, member,
// session, method, tool, outcome, ms, cid; prompt and uri undefined, so JSON.stringify leaves them out),
// written in a batch per turn like the bridge's logger. After its quota it idles, so its log stays.
const WRITER = `
const { randomBytes, randomUUID } = require('node:crypto');
const rate = Number(process.env.RATE), total = rate * Number(process.env.SECS);
const members = ['alice', 'bob', 'carol'].map((m) => ({ m, s: randomUUID() }));
const tools = ['read_file', 'list_directory', 'search_files', 'write_file'];
const start = Date.now();
let n = 0;
const tick = () => {
  const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate));
  let out = '';
  for (; n < due; n++) {
    const who = members[n % members.length];
    out += JSON.stringify({ ts: new Date().toISOString(), level: 'info', event: 'audit', member: who.m,
      session: who.s, method: 'tools/call', tool: tools[n % tools.length], prompt: undefined, uri: undefined,
      outcome: n % 50 === 0 ? 'error' : 'ok', ms: Math.round(Math.random() * 4000) / 100,
      cid: randomBytes(9).toString('base64url') }) + '\\n';
  }
  if (out !== '') process.stdout.write(out);
  if (n < total) setTimeout(tick, 10);
  else setInterval(() => undefined, 1 << 30);
};
tick();
`;

interface Collection {
  added: number;
  ms: number;
  cpuMs: number;
}

interface Fleet {
  store: Store;
  ssh: SshSessionRegistry;
  access: FleetHostAccess;
  collector: AuditCollector;
}

/** A store with the testbed host and one Shared server and instance per container; the collector on it. */
async function openFleet(home: string, key: Buffer, tb: Testbed, names: string[]): Promise<Fleet> {
  const store = await Store.open({ home, keyProvider: new StaticKeyProvider(key) });
  if (store.hosts.list().length === 0) {
    const host = addTestbedHost(store, tb, 'key', { name: 'bench-audit' });
    for (const name of names) {
      const server = store.servers.insert({
        name,
        sourceKind: 'image',
        sourceValue: 'bench',
        args: [],
        env: [],
        mode: 'shared',
        port: null,
      });
      store.instances.upsert({
        serverId: server.id,
        memberId: null,
        hostId: host.id,
        containerName: `mcp-fleet-${name}`,
        port: 18080,
        configHash: 'bench',
        status: 'running',
      });
    }
  }
  const ssh = new SshSessionRegistry({ store, connector: new Ssh2Connector() });
  const factory = new DefaultDockerClientFactory({ store, ssh, log: () => undefined });
  const access = new FleetHostAccess(ssh, factory);
  const collector = new AuditCollector({
    store,
    access,
    retentionDays: () => 30,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  return { store, ssh, access, collector };
}

async function timedCollect(collector: AuditCollector): Promise<Collection> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const r = await collector.collect();
  const used = process.cpuUsage(cpu);
  if (r.failed.length > 0) throw new Error(`collection failed: ${r.failed[0]?.message ?? ''}`);
  return { added: r.added, ms: performance.now() - t0, cpuMs: (used.user + used.system) / 1000 };
}

async function fileBytes(home: string): Promise<number> {
  let bytes = 0;
  for (const suffix of ['', '-wal'])
    bytes += await stat(path.join(home, STORE_FILE + suffix)).then(
      (s) => s.size,
      () => 0,
    );
  return bytes;
}

/** With BENCH_CPU_PROFILE=DIR, each phase's CPU profile is written to DIR/<phase>.cpuprofile. */
async function profiled<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${phase}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const tb = readTestbed();
  if (!tb?.docker) {
    console.error(`bench:audit: ${tb ? 'the testbed has no Docker engine' : TESTBED_MISSING_REASON}`);
    process.exitCode = 1;
    return;
  }
  const docker = new Dockerode();
  const runId = randomBytes(3).toString('hex');
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-audit-'));
  const log = (line: string) => console.log(`[bench:audit] ${line}`);
  const names = Array.from({ length: INSTANCES }, (_, i) => `ba${runId}-${i}`);
  const total = Math.floor(RATE / INSTANCES) * INSTANCES * SECONDS;
  const fleets: Fleet[] = [];
  try {
    const image = await ensureLocalNodeBaseImage();
    log(`creating ${INSTANCES} writers from ${image} (${RATE / INSTANCES} lines/s each for ${SECONDS} s)`);
    const containers = await Promise.all(
      names.map((name) =>
        docker.createContainer({
          name: `mcp-fleet-${name}`,
          Image: image,
          User: `${NODE_BASE_IMAGE_UID}:${NODE_BASE_IMAGE_UID}`,
          Entrypoint: ['node', '-e', WRITER],
          Cmd: [],
          Env: [`RATE=${Math.floor(RATE / INSTANCES)}`, `SECS=${SECONDS}`],
          Labels: { [LABELS.server]: name, [LABELS.instance]: `mcp-fleet-${name}`, [BENCH_LABEL]: runId },
          HostConfig: { Memory: 128 * 1024 * 1024, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
        }),
      ),
    );

    const key = randomBytes(32);
    const steadyHome = path.join(work, 'steady');
    const steady = await openFleet(steadyHome, key, tb, names);
    fleets.push(steady);
    // The app holds its SSH session already: the first contact is not part of the figures.
    await timedCollect(steady.collector);

    log(`writing; collecting every ${INTERVAL_MS / 1000} s as the app does`);
    await Promise.all(containers.map((c) => c.start()));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const rounds: Collection[] = [];
    let collected = 0;
    await profiled('steady', async () => {
      // Until every line is in: the writers' time plus the collections that take the last ones.
      while (collected < total && performance.now() - t0 < (SECONDS + 120) * 1000) {
        // As AuditCollector.start does: the next collection an interval after the previous one ends.
        await sleep(INTERVAL_MS);
        const round = await timedCollect(steady.collector);
        rounds.push(round);
        collected += round.added;
        log(
          `  collection ${rounds.length}: ${round.added} lines in ${round.ms.toFixed(0)} ms, ${round.cpuMs.toFixed(0)} ms CPU`,
        );
      }
    });
    const steadyWallMs = performance.now() - t0;
    const steadyCpu = process.cpuUsage(cpu0);
    const steadyCpuMs = (steadyCpu.user + steadyCpu.system) / 1000;
    const steadyCollectCpuMs = rounds.reduce((n, r) => n + r.cpuMs, 0);
    // Warmed up: the second half of the collections, without the last one (the writers' tail).
    const warm = rounds.slice(Math.floor(rounds.length / 2), -1);
    const warmCpuMsPer1000 =
      (warm.reduce((n, r) => n + r.cpuMs, 0) /
        Math.max(
          1,
          warm.reduce((n, r) => n + r.added, 0),
        )) *
      1000;
    // What a collection costs when nothing is new: the list, and an inspect and a log request per container.
    const idle = await timedCollect(steady.collector);
    steady.store.close();
    await steady.ssh.dispose();
    fleets.pop();

    log(`backlog: a fresh store collects all ${total} lines at once`);
    const backlogHome = path.join(work, 'backlog');
    const records = await openFleet(backlogHome, key, tb, names);
    records.store.close();
    await records.ssh.dispose();
    const bytesBefore = await fileBytes(backlogHome);
    const again = await openFleet(backlogHome, key, tb, names);
    fleets.push(again);
    // The SSH session and Docker first, as the app would have them.
    for (const host of again.store.hosts.list()) {
      await again.access.reach(host);
      await again.access.docker(host);
    }
    const big = await profiled('backlog', () => timedCollect(again.collector));
    const rowsN = again.store.auditCalls.count();
    again.store.close();
    await again.ssh.dispose();
    fleets.pop();
    const bytesAfter = await fileBytes(backlogHome);

    const figures = {
      instances: INSTANCES,
      rate: RATE,
      seconds: SECONDS,
      intervalS: INTERVAL_MS / 1000,
      linesWritten: total,
      steady: {
        collected,
        wallS: steadyWallMs / 1000,
        linesPerS: collected / (steadyWallMs / 1000),
        collections: rounds.length,
        longestCollectionMs: Math.max(...rounds.map((r) => r.ms)),
        processCpuMs: steadyCpuMs,
        collectionCpuMs: steadyCollectCpuMs,
        cpuMsPer1000: (steadyCpuMs / collected) * 1000,
        cpuPercentOfOneCore: (steadyCpuMs / steadyWallMs) * 100,
        warmCollections: warm.length,
        warmCpuMsPer1000,
        idleCollectionCpuMs: idle.cpuMs,
        idleCollectionMs: idle.ms,
      },
      backlog: {
        lines: big.added,
        ms: big.ms,
        linesPerS: big.added / (big.ms / 1000),
        cpuMsPer1000: (big.cpuMs / big.added) * 1000,
      },
      growth: {
        rows: rowsN,
        bytesBefore,
        bytesAfter,
        bytesPerCall: (bytesAfter - bytesBefore) / rowsN,
        mbPerMillion: (((bytesAfter - bytesBefore) / rowsN) * 1e6) / 1024 / 1024,
      },
    };
    report(figures);
    await mkdir(path.join(root, 'out', 'bench'), { recursive: true });
    await writeFile(path.join(root, 'out', 'bench', 'audit.json'), JSON.stringify(figures, null, 2) + '\n');
  } finally {
    log('cleaning up');
    for (const f of fleets) {
      f.store.close();
      await f.ssh.dispose();
    }
    const leftovers = await docker.listContainers({
      all: true,
      filters: { label: [`${BENCH_LABEL}=${runId}`] },
    });
    for (const c of leftovers)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

function report(f: {
  instances: number;
  rate: number;
  seconds: number;
  intervalS: number;
  linesWritten: number;
  steady: Record<string, number>;
  backlog: Record<string, number>;
  growth: Record<string, number>;
}): void {
  const s = f.steady;
  const b = f.backlog;
  const g = f.growth;
  const n = (v: number | undefined, digits = 0) => (v === undefined ? '—' : v.toFixed(digits));
  // Per second at the goal rate: the lines' own cost (from the backlog) plus the fixed cost of one
  // collection (an idle one) per interval.
  const perCoreAtGoal =
    ((b.cpuMsPer1000 ?? 0) * (GOAL_RATE / 1000) + (s.idleCollectionCpuMs ?? 0) / f.intervalS) / 10;
  const rows: [string, string][] = [
    [
      'fleet',
      `${f.instances} containers writing ${f.rate} audit lines/s together for ${f.seconds} s (${f.linesWritten} lines)`,
    ],
    [
      'steady: lines collected',
      `${n(s.collected)} in ${n(s.wallS, 1)} s (${n(s.collections)} collections every ${f.intervalS} s)`,
    ],
    ['steady: lines/s collected', n(s.linesPerS)],
    ['steady: longest collection', `${n(s.longestCollectionMs)} ms`],
    ['steady: app CPU per 1,000 lines', `${n(s.cpuMsPer1000, 1)} ms`],
    ['steady: app CPU, % of one core', `${n(s.cpuPercentOfOneCore, 2)} % (measured at ${f.rate} lines/s)`],
    [
      'warmed up: CPU per 1,000 lines',
      `${n(s.warmCpuMsPer1000, 1)} ms in the last ${n(s.warmCollections)} full collections = ${n(((s.warmCpuMsPer1000 ?? 0) * (GOAL_RATE / 1000)) / 10, 2)} % of one core at ${GOAL_RATE}/s (collections only)`,
    ],
    [
      'fixed cost of one collection',
      `${n(s.idleCollectionCpuMs, 0)} ms CPU, ${n(s.idleCollectionMs, 0)} ms (nothing new, ${f.instances} containers)`,
    ],
    [
      `app CPU at ${GOAL_RATE} calls/s`,
      `${perCoreAtGoal.toFixed(2)} % of one core from backlog cost per line + fixed cost per ${f.intervalS} s (goal < 5 %)`,
    ],
    ['backlog: one collection', `${n(b.lines)} lines in ${n(b.ms)} ms = ${n(b.linesPerS)} lines/s`],
    ['backlog: app CPU per 1,000 lines', `${n(b.cpuMsPer1000, 1)} ms`],
    [
      'store growth',
      `${n(g.bytesPerCall, 1)} bytes per call = ${n(g.mbPerMillion, 0)} MB per million calls (N = ${n(g.rows)} rows)`,
    ],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(['', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`), ''].join('\n'));
}

await main();
