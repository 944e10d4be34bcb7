// `npm run bench:health`: the health monitor against a simulated fleet, all on this machine.
//
// - Hosts: BENCH_HOSTS (default 10) sshd processes of the bench's own on loopback ports, each with its
//   own config and host key, letting in the testbed's user; the monitor reaches each over SSH, Docker
//   through a forwarded socket, the instances through SSH channels, exactly as for remote hosts.
// - Instances: BENCH_INSTANCES (default 200) containers labelled and recorded as instances, spread over
//   the hosts. A real bridge costs about 60 MB (plus its server), too much for 200 here, so each runs a
//   stand-in: a static C program (compiled here, in a FROM-scratch image, ~1 MB) that answers the same
//   /status, MCP initialize + ping (with a Bearer token) on keep-alive HTTP. The monitor does the same
//   work for it as for a bridge.
// - The app: a separate process (this file with --app) opens the store and runs the monitor: one cold
//   sweep (first sight: every container inspected, every MCP session opened), BENCH_SWEEPS warm sweeps,
//   then BENCH_WATCH_S seconds of monitoring at a 10 s interval for CPU and RSS.
// Needs the testbed (bash scripts/testbed/up.sh). Everything it made is removed afterwards.
// BENCH_KEEP=1 builds the fleet, prints BENCH_HOME and BENCH_KEY for running the app by hand (with
// --app, e.g. under --cpu-prof), and removes it all on Ctrl-C.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { readTestbed, TESTBED_MISSING_REASON } from '../../e2e/fixtures/env';
import { DefaultDockerClientFactory } from '../../src-main/services/docker/docker-client-factory';
import { EventBus } from '../../src-main/services/events';
import { HealthMonitor } from '../../src-main/services/health/health-monitor';
import { FleetHostAccess } from '../../src-main/services/bridge-client/host-access';
import { freeLoopbackPort, startPrivateSshd } from '../../src-main/test-support/private-sshd';
import type { PrivateSshd } from '../../src-main/test-support/private-sshd';
import { LABELS } from '../../src-main/services/instance-spec/constants';
import { Ssh2Connector } from '../../src-main/services/ssh/ssh-connector';
import { SshSessionRegistry } from '../../src-main/services/ssh/ssh-session-registry';
import { addTestbedHost } from '../../src-main/test-support/ssh-hosts';
import { StaticKeyProvider } from '../../src-main/services/store/key-providers';
import { Store } from '../../src-main/services/store/store';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const num = (name: string, fallback: number): number =>
  Number(process.env[name]) > 0 ? Number(process.env[name]) : fallback;
const HOSTS = num('BENCH_HOSTS', 10);
const INSTANCES = num('BENCH_INSTANCES', 200);
const SWEEPS = num('BENCH_SWEEPS', 5);
const WATCH_S = num('BENCH_WATCH_S', 60);
const INTERVAL_MS = 10_000;
const BENCH_LABEL = 'io.mcp-fleet.bench';

// The stand-in bridge: one poll() loop, keep-alive HTTP/1.1, the token from STANDIN_TOKEN.
const STANDIN_C = String.raw`
#define _GNU_SOURCE
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#define MAXC 256
#define BUF 16384
static struct { int fd; int len; char buf[BUF]; } c[MAXC];
static const char *token; static time_t started; static long pings, inits, sessions, nextsid;
static void out(int fd, int code, const char *why, const char *extra, const char *body) {
  char head[512]; int bl = body ? (int)strlen(body) : 0;
  int hl = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n", code, why, bl, extra ? extra : "");
  if (write(fd, head, hl) < 0) return; if (bl && write(fd, body, bl) < 0) return;
}
static int authed(const char *h) {
  const char *a = strcasestr(h, "\r\nauthorization: Bearer "); if (!a) return 0; a += 24;
  size_t n = strlen(token); return strncmp(a, token, n) == 0 && a[n] == '\r';
}
static void handle(int fd, char *req, char *body) {
  char b[1024];
  if (strncmp(req, "GET /healthz", 12) == 0) { out(fd, 200, "OK", 0, "ok"); return; }
  if (!authed(req)) { out(fd, 401, "Unauthorized", 0, "{}"); return; }
  if (strncmp(req, "GET /status", 11) == 0) {
    snprintf(b, sizeof b, "{\"uptimeSeconds\":%ld,\"child\":{\"state\":\"ready\",\"pid\":1,\"restarts\":0,\"lastExit\":null},\"sessions\":%ld,\"requests\":{\"initialize\":{\"count\":%ld,\"errors\":0},\"ping\":{\"count\":%ld,\"errors\":0}},\"latencyMs\":{\"p50\":0.1,\"p99\":0.2,\"window\":%ld}}",
      (long)(time(0) - started), sessions, inits, pings, inits + pings);
    out(fd, 200, "OK", 0, b); return;
  }
  if (strncmp(req, "DELETE /mcp", 11) == 0) { if (sessions > 0) sessions--; out(fd, 200, "OK", 0, ""); return; }
  if (strncmp(req, "POST /mcp", 9) != 0) { out(fd, 404, "Not Found", 0, "{}"); return; }
  const char *idp = strstr(body, "\"id\":"); long id = idp ? atol(idp + 5) : 0;
  if (strstr(body, "\"initialize\"")) {
    char h[64]; snprintf(h, sizeof h, "Mcp-Session-Id: s%ld\r\n", ++nextsid); inits++; sessions++;
    snprintf(b, sizeof b, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"serverInfo\":{\"name\":\"standin\",\"version\":\"1\"}}}", id);
    out(fd, 200, "OK", h, b); return;
  }
  if (strstr(body, "notifications/")) { out(fd, 202, "Accepted", 0, ""); return; }
  if (strstr(body, "\"ping\"")) { pings++; snprintf(b, sizeof b, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":{}}", id); out(fd, 200, "OK", 0, b); return; }
  out(fd, 400, "Bad Request", 0, "{}");
}
static void stop(int s) { (void)s; _exit(0); }
int main(void) {
  signal(SIGTERM, stop); signal(SIGINT, stop); signal(SIGPIPE, SIG_IGN);
  token = getenv("STANDIN_TOKEN"); if (!token) token = ""; started = time(0);
  int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1; setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(8080);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 64)) return 1;
  for (int i = 0; i < MAXC; i++) c[i].fd = -1;
  for (;;) {
    struct pollfd p[MAXC + 1]; int map[MAXC + 1], n = 0;
    p[n].fd = ls; p[n].events = POLLIN; map[n++] = -1;
    for (int i = 0; i < MAXC; i++) if (c[i].fd >= 0) { p[n].fd = c[i].fd; p[n].events = POLLIN; map[n++] = i; }
    if (poll(p, n, -1) < 0) continue;
    if (p[0].revents & POLLIN) { int fd = accept(ls, 0, 0); int i = 0; while (i < MAXC && c[i].fd >= 0) i++; if (i == MAXC) close(fd); else { c[i].fd = fd; c[i].len = 0; } }
    for (int k = 1; k < n; k++) {
      if (!p[k].revents) continue; int i = map[k];
      int r = read(c[i].fd, c[i].buf + c[i].len, BUF - 1 - c[i].len);
      if (r <= 0) { close(c[i].fd); c[i].fd = -1; continue; }
      c[i].len += r; c[i].buf[c[i].len] = 0;
      for (;;) {
        char *end = strstr(c[i].buf, "\r\n\r\n"); if (!end) break;
        const char *cl = strcasestr(c[i].buf, "\r\ncontent-length:"); long blen = cl && cl < end ? atol(cl + 17) : 0;
        int total = (int)(end + 4 - c[i].buf) + (int)blen; if (total > c[i].len) break;
        char saved = c[i].buf[total]; c[i].buf[total] = 0; *end = 0;
        handle(c[i].fd, c[i].buf, end + 4);
        c[i].buf[total] = saved; memmove(c[i].buf, c[i].buf + total, c[i].len - total + 1); c[i].len -= total;
      }
    }
  }
}
`;

interface SweepFigures {
  ms: number;
  /** CPU time of the app process during the sweep. */
  cpuMs: number;
  sshOpened: number;
  lists: number;
  inspects: number;
}

interface AppResult {
  cold: SweepFigures;
  warm: SweepFigures[];
  counts: Record<string, number>;
  unhealthyReasons: string[];
  watch: {
    seconds: number;
    sweeps: number;
    cpuPercentOfOneCore: number;
    rssMb: { start: number; max: number; end: number };
  };
}

async function app(): Promise<void> {
  const home = process.env.BENCH_HOME ?? '';
  const key = Buffer.from(process.env.BENCH_KEY ?? '', 'hex');
  const store = await Store.open({ home, keyProvider: new StaticKeyProvider(key) });
  const connector = new Ssh2Connector();
  const ssh = new SshSessionRegistry({ store, connector });
  const factory = new DefaultDockerClientFactory({ store, ssh, log: () => undefined });
  const events = new EventBus();
  const monitor = new HealthMonitor({
    store,
    access: new FleetHostAccess(ssh, factory),
    events,
    options: { intervalMs: INTERVAL_MS },
    log: (line) => process.stderr.write(line + '\n'),
  });
  const one = async () => {
    const before = connector.opened;
    const cpu = process.cpuUsage();
    const r = await monitor.sweep();
    const used = process.cpuUsage(cpu);
    return {
      ms: r.durationMs,
      cpuMs: (used.user + used.system) / 1000,
      sshOpened: connector.opened - before,
      lists: r.dockerLists,
      inspects: r.dockerInspects,
    };
  };
  const cold = await one();
  const warm = [];
  for (let i = 0; i < SWEEPS; i++) warm.push(await one());
  const summary = monitor.summary();
  let sweeps = 0;
  const rss = () => process.memoryUsage().rss / 1024 / 1024;
  const rssStart = rss();
  let rssMax = rssStart;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let last = monitor.lastSweep;
  monitor.start();
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, rss());
    if (monitor.lastSweep !== last) sweeps++;
    last = monitor.lastSweep;
  }, 1000);
  await new Promise((resolve) => setTimeout(resolve, WATCH_S * 1000));
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const rssEnd = rss();
  await monitor.stop();
  await ssh.dispose();
  store.close();
  const result: AppResult = {
    cold,
    warm,
    counts: summary.counts,
    unhealthyReasons: [
      ...new Set(summary.instances.filter((i) => i.state !== 'healthy').map((i) => i.reason)),
    ].slice(0, 5),
    watch: {
      seconds: WATCH_S,
      sweeps,
      cpuPercentOfOneCore: ((cpu.user + cpu.system) / 1000 / wall) * 100,
      rssMb: { start: rssStart, max: rssMax, end: rssEnd },
    },
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function main(): Promise<void> {
  const tb = readTestbed();
  if (!tb?.docker) {
    console.error(`bench:health: ${tb ? 'the testbed has no Docker engine' : TESTBED_MISSING_REASON}`);
    process.exitCode = 1;
    return;
  }
  const docker = new Dockerode();
  const runId = randomBytes(3).toString('hex');
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-health-'));
  const image = `mcp-fleet-bench/standin:${runId}`;
  const sshds: PrivateSshd[] = [];
  const log = (line: string) => console.log(`[bench:health] ${line}`);
  try {
    log(`building the stand-in (gcc -static) and its image ${image}`);
    await writeFile(path.join(work, 'standin.c'), STANDIN_C);
    await run('gcc', ['-O2', '-static', '-o', path.join(work, 'standin'), path.join(work, 'standin.c')]);
    await writeFile(
      path.join(work, 'Dockerfile'),
      'FROM scratch\nCOPY standin /standin\nUSER 10001:10001\nENTRYPOINT ["/standin"]\n',
    );
    await run('docker', ['build', '-q', '-t', image, work]);

    log(`starting ${HOSTS} sshd processes on loopback`);
    for (let i = 0; i < HOSTS; i++) sshds.push(await startPrivateSshd(tb));

    const home = path.join(work, 'home');
    await mkdir(home, { recursive: true });
    const key = randomBytes(32);
    const store = await Store.open({ home, keyProvider: new StaticKeyProvider(key) });
    const hosts = sshds.map((s, i) =>
      addTestbedHost(store, tb, 'key', { name: `bench-${i + 1}`, port: s.port }),
    );

    log(`creating ${INSTANCES} containers (16 MB memory limit each)`);
    let made = 0;
    const createOne = async (i: number): Promise<void> => {
      const host = hosts[i % hosts.length];
      if (!host) return;
      const name = `b${runId}-${i}`;
      const token = randomBytes(24).toString('base64url');
      const server = store.servers.insert({
        name,
        sourceKind: 'image',
        sourceValue: image,
        args: [],
        env: [],
        mode: 'shared',
        port: null,
      });
      store.members.insert({
        serverId: server.id,
        name: 'alice',
        token,
        tokenSha256: createHash('sha256').update(token).digest('hex'),
        tools: ['*'],
      });
      const containerName = `mcp-fleet-${name}`;
      let port: number;
      // A port free a moment ago may be taken by the time Docker binds it (other tests run here too).
      for (let attempt = 1; ; attempt++) {
        port = await freeLoopbackPort();
        const container = await docker.createContainer({
          name: containerName,
          Image: image,
          Env: [`STANDIN_TOKEN=${token}`],
          Labels: { [LABELS.server]: name, [LABELS.instance]: containerName, [BENCH_LABEL]: runId },
          ExposedPorts: { '8080/tcp': {} },
          HostConfig: {
            PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
            Memory: 16 * 1024 * 1024,
            PidsLimit: 16,
            CapDrop: ['ALL'],
            ReadonlyRootfs: true,
            SecurityOpt: ['no-new-privileges'],
          },
        });
        try {
          await container.start();
          break;
        } catch (err) {
          await container.remove({ force: true });
          if (attempt >= 5) throw err;
        }
      }
      store.instances.upsert({
        serverId: server.id,
        memberId: null,
        hostId: host.id,
        containerName,
        port,
        configHash: 'bench',
        status: 'running',
      });
      made += 1;
    };
    const queue = Array.from({ length: INSTANCES }, (_, i) => i);
    // Every worker stops at the first failure and all have stopped before cleanup lists what to remove.
    const workers = await Promise.allSettled(
      Array.from({ length: 8 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          try {
            await createOne(i);
          } catch (err) {
            queue.length = 0;
            throw err;
          }
        }
      }),
    );
    const failed = workers.find((w) => w.status === 'rejected');
    if (failed) throw failed.reason;
    store.close();
    log(
      `${made} instances on ${HOSTS} hosts; the app process monitors them now (${SWEEPS} warm sweeps, then ${WATCH_S} s at a ${INTERVAL_MS / 1000} s interval)`,
    );

    if (process.env.BENCH_KEEP === '1') {
      log(`kept: BENCH_HOME=${home} BENCH_KEY=${key.toString('hex')}; press Ctrl-C to clean up`);
      await new Promise((resolve) => process.once('SIGINT', resolve));
      return;
    }
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--app'],
      {
        cwd: root,
        env: { ...process.env, BENCH_HOME: home, BENCH_KEY: key.toString('hex') },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as AppResult;
    report(result, made);
    await mkdir(path.join(root, 'out', 'bench'), { recursive: true });
    await writeFile(
      path.join(root, 'out', 'bench', 'health.json'),
      JSON.stringify(
        { hosts: HOSTS, instances: made, standIn: 'static C /status + MCP ping', ...result },
        null,
        2,
      ) + '\n',
    );
  } finally {
    log('cleaning up');
    const leftovers = await docker.listContainers({
      all: true,
      filters: { label: [`${BENCH_LABEL}=${runId}`] },
    });
    for (const c of leftovers)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    for (const s of sshds) await s.dispose();
    await rm(work, { recursive: true, force: true });
  }
}

function report(r: AppResult, instances: number): void {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const warm = [...r.warm].sort((a, b) => a.ms - b.ms);
  const median = warm[Math.floor(warm.length / 2)];
  const worst = warm[warm.length - 1];
  const lines = [
    '',
    `health sweep of ${instances} instances on ${HOSTS} hosts (SSH + forwarded Docker socket + SSH channels to each bridge)`,
    `  cold sweep (first sight: ${r.cold.inspects} inspects, MCP sessions opened): ${ms(r.cold.ms)}, SSH connections opened: ${r.cold.sshOpened}, Docker list calls: ${r.cold.lists}`,
    `  warm sweep: median ${ms(median?.ms ?? Number.NaN)} (app CPU ${ms(median?.cpuMs ?? Number.NaN)}), worst ${ms(worst?.ms ?? Number.NaN)} over ${warm.length}; SSH connections opened per sweep: ${warm.map((w) => w.sshOpened).join(', ')}; Docker list calls ${median?.lists ?? '-'}, inspects ${median?.inspects ?? '-'}`,
    `  states after the sweeps: ${Object.entries(r.counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}${r.unhealthyReasons.length ? ` (${r.unhealthyReasons.join(' | ')})` : ''}`,
    `  monitoring at a ${INTERVAL_MS / 1000} s interval for ${r.watch.seconds} s: CPU ${r.watch.cpuPercentOfOneCore.toFixed(2)} % of one core; RSS ${r.watch.rssMb.start.toFixed(0)} MB at start, ${r.watch.rssMb.max.toFixed(0)} MB max, ${r.watch.rssMb.end.toFixed(0)} MB at end`,
    '',
  ];
  console.log(lines.join('\n'));
}

if (process.argv.includes('--app')) await app();
else await main();
