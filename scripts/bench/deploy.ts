// `npm run bench:deploy`: deploy over SSH on loopback against the testbed (sshd + dockerd), with the
// runtime image already on the host:
//   1. Shared server-everything: from "deploy" to "tools listed" (the deploy ends with initialize +
//      tools/list through the auth layer), the container absent before each run; held SSH session.
//   2. The same with a fresh SSH login per run (what a one-shot CLI deploy pays).
//   3. Dedicated server-memory, 10 members at once, from nothing to all 10 tools-listed.
//   4. One Docker API call over the held session (GET /_ping, and the label query reconcile makes).
// Needs the testbed: `bash scripts/testbed/up.sh`. BENCH_DEPLOY_RUNS (default 5), BENCH_DEPLOY_MEMBERS
// (default 10), BENCH_DOCKER_CALLS (default 200), MCP_FLEET_BRIDGE_BUNDLE (a bridge build to use instead
// of bundling src-bridge). Results also go to out/bench/deploy.json.
import { FleetCa } from '../../src-main/services/tls/fleet-ca';
import { InstanceTls } from '../../src-main/services/tls/instance-tls';
import { FleetHostAccess } from '../../src-main/services/bridge-client/host-access';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ensureLocalNodeBaseImage } from '../../e2e/fixtures/base-image';
import { readTestbed, TESTBED_MISSING_REASON } from '../../e2e/fixtures/env';
import { DeployService } from '../../src-main/services/deploy/deploy-service';
import { HostTargets } from '../../src-main/services/host-ops/host-targets';
import { RuntimeImages } from '../../src-main/services/deploy/runtime-images';
import { DefaultDockerClientFactory } from '../../src-main/services/docker/docker-client-factory';
import { EventBus } from '../../src-main/services/events';
import { LABELS } from '../../src-main/services/instance-spec/constants';
import { newToken } from '../../src-main/services/member/member-service';
import { repoRuntimePaths } from '../../src-main/services/runtime-image/runtime-image-context';
import { SshSessionRegistry } from '../../src-main/services/ssh/ssh-session-registry';
import { addTestbedHost } from '../../src-main/test-support/ssh-hosts';
import { createTestStore } from '../../src-main/test-support/store';
import { buildBridgeBundle } from '../build-bundles.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = positive(process.env.BENCH_DEPLOY_RUNS, 5);
const memberCount = positive(process.env.BENCH_DEPLOY_MEMBERS, 10);
const calls = positive(process.env.BENCH_DOCKER_CALLS, 200);

function positive(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

function version(name: string): string {
  return (
    JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

async function main(): Promise<void> {
  const tb = readTestbed();
  if (!tb?.docker) {
    console.error(`bench:deploy: ${tb ? 'the testbed has no Docker engine' : TESTBED_MISSING_REASON}`);
    process.exit(1);
  }
  const ts = await createTestStore();
  const { store } = ts;
  const baseImage = await ensureLocalNodeBaseImage();
  // The bridge as in this checkout, unless MCP_FLEET_BRIDGE_BUNDLE names a build to use.
  const bridgeBundle =
    process.env.MCP_FLEET_BRIDGE_BUNDLE ||
    (await buildBridgeBundle({
      outfile: path.join(os.tmpdir(), `bench-deploy-${process.pid}.mjs`),
      quiet: true,
    }));
  const images = new RuntimeImages({
    ...repoRuntimePaths(root),
    bridgeBundle,
    baseImage,
    bake: { kind: 'copy-installed', root },
    withUv: false,
  });
  const host = addTestbedHost(store, tb, 'key', { name: 'bench' });
  const run = Date.now().toString(36);
  const shared = store.servers.insert({
    name: `bench-every-${run}`,
    sourceKind: 'npx',
    sourceValue: `@modelcontextprotocol/server-everything@${version('@modelcontextprotocol/server-everything')}`,
    args: [],
    env: [],
    mode: 'shared',
    port: null,
  });
  store.members.insert({ serverId: shared.id, name: 'ops', tools: ['*'], ...newToken() });
  const dedicated = store.servers.insert({
    name: `bench-mem-${run}`,
    sourceKind: 'npx',
    sourceValue: `@modelcontextprotocol/server-memory@${version('@modelcontextprotocol/server-memory')}`,
    args: [],
    env: [],
    mode: 'dedicated',
    port: null,
  });
  for (let i = 0; i < memberCount; i += 1) {
    store.members.insert({ serverId: dedicated.id, name: `m${i}`, tools: ['*'], ...newToken() });
  }

  const make = (): { ssh: SshSessionRegistry; deploy: DeployService; targets: HostTargets } => {
    const ssh = new SshSessionRegistry({ store });
    const dockerClients = new DefaultDockerClientFactory({ store, ssh });
    const targets = new HostTargets(store, ssh, dockerClients, new FleetHostAccess(ssh, dockerClients));
    return {
      ssh,
      targets,
      deploy: new DeployService({
        store,
        events: new EventBus(),
        actor: 'bench',
        targets,
        images,
        concurrency: memberCount,
        tls: new InstanceTls(store, new FleetCa({ store })),
      }),
    };
  };
  const held = make();
  const target = await held.targets.target(host);
  const clear = async (server: string): Promise<void> => {
    for (const c of await target.docker.listByLabel({ [LABELS.server]: server }))
      await target.docker.remove(c.Id);
  };
  const figures: Record<string, unknown> = {};
  const built: string[] = [];
  try {
    process.stderr.write('bench:deploy: building the runtime images (not measured)…\n');
    for (const server of [shared.name, dedicated.name]) {
      const r = await held.deploy.deploy(server, host.name);
      if (r.imageBuilt) built.push(r.image);
    }

    const warm: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      await clear(shared.name);
      const started = performance.now();
      const r = await held.deploy.deploy(shared.name, host.name);
      warm.push(performance.now() - started);
      if (!r.instances[0]?.tools?.length) throw new Error('no tools listed');
    }
    const cold: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      await clear(shared.name);
      const fresh = make();
      const started = performance.now();
      await fresh.deploy.deploy(shared.name, host.name);
      cold.push(performance.now() - started);
      await fresh.ssh.dispose();
    }
    const noop: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      await held.deploy.deploy(shared.name, host.name);
      noop.push(performance.now() - started);
    }
    const fleet: number[] = [];
    for (let i = 0; i < Math.max(1, Math.ceil(runs / 2)); i += 1) {
      await clear(dedicated.name);
      const started = performance.now();
      const r = await held.deploy.deploy(dedicated.name, host.name);
      fleet.push(performance.now() - started);
      if (r.instances.filter((x) => x.action === 'created').length !== memberCount)
        throw new Error('not all members deployed');
    }
    const ping: number[] = [];
    const list: number[] = [];
    for (let i = 0; i < calls + 10; i += 1) {
      let t0 = performance.now();
      await target.docker.ping();
      if (i >= 10) ping.push(performance.now() - t0);
      t0 = performance.now();
      await target.docker.listByLabel({ [LABELS.server]: shared.name });
      if (i >= 10) list.push(performance.now() - t0);
    }
    Object.assign(figures, {
      sharedDeployMs: { median: median(warm), runs: warm },
      sharedDeployFreshLoginMs: { median: median(cold), runs: cold },
      unchangedRedeployMs: { median: median(noop), runs: noop },
      dedicatedDeployMs: { members: memberCount, median: median(fleet), runs: fleet },
      dockerCallMs: { calls, pingMedian: median(ping), labelListMedian: median(list) },
    });
    const f = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `Deploy over SSH on loopback (testbed), runtime image present, ${runs} runs each; load ${os.loadavg()[0]?.toFixed(1)}`,
    );
    console.log(
      `  Shared server-everything, deploy -> tools listed, held session:  median ${f(median(warm))}  (goal <= 3 s)`,
    );
    console.log(
      `  the same with a fresh SSH login each run:                        median ${f(median(cold))}`,
    );
    console.log(
      `  the same deploy again, nothing to change:                       median ${median(noop).toFixed(1)} ms`,
    );
    console.log(
      `  Dedicated server-memory, ${memberCount} members at once, -> all tools listed: median ${f(median(fleet))}`,
    );
    console.log(
      `  one Docker API call over the held session: GET /_ping median ${median(ping).toFixed(2)} ms, label query ${median(list).toFixed(2)} ms (goal <= 20 ms)`,
    );
  } finally {
    await clear(shared.name).catch(() => undefined);
    await clear(dedicated.name).catch(() => undefined);
    const { Volumes } = await target.docker.docker.listVolumes({
      filters: { label: [`${LABELS.server}=${dedicated.name}`] },
    });
    for (const v of Volumes ?? []) await target.docker.removeVolume(v.Name).catch(() => false);
    await target.files
      .removeDir(path.posix.join(target.home, '.mcp-fleet', 'instances', `mcp-fleet-${shared.name}`))
      .catch(() => undefined);
    await held.ssh
      .exec(host.id, [
        'sh',
        '-c',
        'rm -rf -- "$1"/mcp-fleet-"$2"-*',
        'sh',
        path.posix.join(target.home, '.mcp-fleet', 'instances'),
        dedicated.name,
      ])
      .catch(() => undefined);
    // Images this run built (their tags hash this checkout's bridge) go with it.
    for (const tag of built) await target.docker.removeImage(tag).catch(() => false);
    await held.ssh.dispose();
    ts.cleanup();
  }
  const outDir = path.join(root, 'out', 'bench');
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'deploy.json'), `${JSON.stringify(figures, null, 2)}\n`);
}

await main();
