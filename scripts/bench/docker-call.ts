// `npm run bench:docker`: the cost of one Docker API call (GET /_ping, GET /version) to the testbed's
// engine over SSH — on the held ssh2 session with a forwarded /var/run/docker.sock (idle channels
// kept, and one fresh channel per request), against dockerode's own `protocol: 'ssh'` (an SSH login
// and a `docker system dial-stdio` process per request) — and over this machine's socket for scale.
// Needs the testbed: `bash scripts/testbed/up.sh`. BENCH_DOCKER_CALLS sets N (default 200).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
import { readTestbed, TESTBED_MISSING_REASON } from '../../e2e/fixtures/env';
import { DefaultDockerClientFactory } from '../../src-main/services/docker/docker-client-factory';
import { Ssh2Connector } from '../../src-main/services/ssh/ssh-connector';
import { SshSessionRegistry } from '../../src-main/services/ssh/ssh-session-registry';
import { addTestbedHost } from '../../src-main/test-support/ssh-hosts';
import { createTestStore } from '../../src-main/test-support/store';

const calls = Number(process.env.BENCH_DOCKER_CALLS) > 0 ? Number(process.env.BENCH_DOCKER_CALLS) : 200;
const warmup = 10;

interface Figures {
  transport: string;
  call: string;
  n: number;
  medianMs: number;
  p90Ms: number;
}

function percentile(sorted: number[], fraction: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN
  );
}

async function measure(transport: string, call: string, fn: () => Promise<unknown>): Promise<Figures> {
  for (let i = 0; i < warmup; i += 1) await fn();
  const times: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { transport, call, n: calls, medianMs: percentile(times, 0.5), p90Ms: percentile(times, 0.9) };
}

async function main(): Promise<void> {
  const tb = readTestbed();
  if (!tb?.docker) {
    console.error(`bench:docker: ${tb ? 'the testbed has no Docker engine' : TESTBED_MISSING_REASON}`);
    process.exit(1);
  }
  const ts = await createTestStore();
  const connector = new Ssh2Connector();
  const ssh = new SshSessionRegistry({ store: ts.store, connector });
  const results: Figures[] = [];
  let heldLogins = 0;
  try {
    const host = addTestbedHost(ts.store, tb, 'key');
    const kept = await new DefaultDockerClientFactory({ store: ts.store, ssh }).host(host.id);
    const fresh = await new DefaultDockerClientFactory({ store: ts.store, ssh, keepAlive: false }).host(
      host.id,
    );
    const local = new Dockerode({ socketPath: '/var/run/docker.sock' });
    // The same login and pinned key as the held session, through dockerode's own SSH transport.
    const dialStdio = new Dockerode({
      protocol: 'ssh',
      host: tb.ssh.host,
      port: tb.ssh.port,
      username: tb.ssh.username,
      sshOptions: { privateKey: ts.store.hosts.credential(host.id)?.secret ?? '' },
    });
    const variants: [string, Dockerode][] = [
      ['held SSH session, forwarded socket, idle channels kept', kept.docker],
      ['held SSH session, forwarded socket, one channel per request', fresh.docker],
      ["dockerode protocol: 'ssh' (login + dial-stdio per request)", dialStdio],
      ['local socket (no SSH), for scale', local],
    ];
    const loginsBefore = connector.opened;
    for (const [transport, docker] of variants) {
      for (const [call, fn] of [
        ['GET /_ping', () => docker.ping()],
        ['GET /version', () => docker.version()],
      ] as const) {
        process.stderr.write(`bench:docker: ${transport}, ${call} ×${calls}…\n`);
        results.push(await measure(transport, call, fn));
      }
      if (transport.startsWith('held')) heldLogins = connector.opened - loginsBefore;
    }
  } finally {
    await ssh.dispose();
    ts.cleanup();
  }

  const rows = results.map((r) => [r.transport, r.call, r.medianMs.toFixed(2), r.p90Ms.toFixed(2)]);
  const header = ['transport', 'call', 'median ms', 'p90 ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(
    `One Docker API call to the testbed engine over SSH on loopback, N=${calls} after ${warmup} warm-up calls`,
  );
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log(`SSH logins by the held session while it was measured: ${heldLogins}`);

  const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'out', 'bench');
  await mkdir(outDir, { recursive: true });
  await writeFile(
    path.join(outDir, 'docker-call.json'),
    `${JSON.stringify({ calls, warmup, heldLogins, results }, null, 2)}\n`,
  );
}

await main();
