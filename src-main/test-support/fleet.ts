// Test helper: the `mcp-fleet` CLI as a subprocess against the testbed (sshd + dockerd), offline:
// servers are baked from this checkout's node_modules onto the local Node base image, with a bridge
// bundle built from the current source. Also MCP clients for the instances and cleanup of the host.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildBridgeBundle } from '../../scripts/build-bundles.mjs';
import { ensureLocalNodeBaseImage } from '../../e2e/fixtures/base-image';
import { testbedOrSkip, type Testbed } from '../../e2e/fixtures/env';
import { createServices, type Services } from '../app/composition-root';
import { dispatch } from '../ipc/handle';
import type { Channel, ChannelInput, ChannelOutput } from '../shared/contract';
import { LABELS } from '../services/instance-spec/constants';
import { StaticKeyProvider } from '../services/store/key-providers';
import { Store } from '../services/store/store';

const run = promisify(execFile);
export const repoRoot = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(repoRoot, 'bin', 'mcp-fleet.mjs');
export const PASSPHRASE = 'fleet deploy test passphrase';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface TestFleet {
  tb: Testbed;
  home: string;
  /** A suffix unique to this run, for server names. */
  run: string;
  env: NodeJS.ProcessEnv;
  docker: Dockerode;
  cli(args: string[], stdin?: string): CliResult;
  /** Starts the CLI without waiting; for killing it mid-way. */
  spawnCli(args: string[]): ReturnType<typeof spawn>;
  /** Asserts exit 0 and parses --json output. */
  json<T>(args: string[], stdin?: string): T;
  /** Removes every container, volume and instance folder of the given servers. */
  wipe(servers: string[]): Promise<void>;
  /** Names of containers labelled for the server, with their state. */
  containers(server: string): Promise<{ name: string; state: string; hash: string | undefined }[]>;
}

/** The testbed with Docker and a fresh data directory, or undefined after marking the test skipped. */
export async function testFleet(
  t: TestContext | { skip(reason: string): void },
): Promise<TestFleet | undefined> {
  const tb = testbedOrSkip(t as TestContext);
  if (!tb) return undefined;
  if (!tb.docker) {
    t.skip('the testbed has no Docker engine (see .testbed/dockerd.log)');
    return undefined;
  }
  const home = mkdtempSync(path.join(tmpdir(), 'fleet-deploy-'));
  const baseImage = await ensureLocalNodeBaseImage();
  // The bridge as it is in this checkout; MCP_FLEET_BRIDGE_BUNDLE picks another (a known-good build).
  const bundle =
    process.env.MCP_FLEET_BRIDGE_BUNDLE ||
    (await buildBridgeBundle({ outfile: path.join(home, 'bundle', 'bridge.mjs'), quiet: true }));
  const imagesBefore = new Set((await new Dockerode().listImages()).map((i) => i.Id));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MCP_FLEET_PASSPHRASE: PASSPHRASE,
    MCP_FLEET_BASE_IMAGE: baseImage,
    MCP_FLEET_BAKE: 'copy-installed',
    MCP_FLEET_BAKE_ROOT: repoRoot,
    MCP_FLEET_WITH_UV: '0',
    MCP_FLEET_BRIDGE_BUNDLE: bundle,
  };
  const docker = new Dockerode();
  let trusted = false;
  const cli = (args: string[], stdin = ''): CliResult => {
    const r = spawnSync(process.execPath, [BIN, '--home', path.join(home, 'data'), ...args], {
      env,
      input: stdin,
      encoding: 'utf8',
      timeout: 240_000,
    });
    // Once a command made the store, this process trusts its fleet CA, as a member's machine would.
    if (!trusted && existsSync(path.join(home, 'data', 'fleet.db'))) {
      trusted = true;
      trustCa(cli(['tls', 'ca']).stdout);
    }
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const fleet: TestFleet = {
    tb,
    home: path.join(home, 'data'),
    run: randomBytes(3).toString('hex'),
    env,
    docker,
    cli,
    spawnCli: (args) =>
      spawn(process.execPath, [BIN, '--home', path.join(home, 'data'), ...args], { env, stdio: 'pipe' }),
    json<T>(args: string[], stdin?: string): T {
      const r = cli(['--json', ...args], stdin);
      if (r.code !== 0) throw new Error(`mcp-fleet ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async containers(server) {
      const list = await docker.listContainers({
        all: true,
        filters: { label: [`${LABELS.server}=${server}`] },
      });
      return list
        .map((c) => ({
          name: (c.Names[0] ?? '').replace(/^\//, ''),
          state: c.State,
          hash: c.Labels[LABELS.configHash],
        }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    },
    async wipe(servers) {
      for (const server of servers) {
        for (const c of await docker.listContainers({
          all: true,
          filters: { label: [`${LABELS.server}=${server}`] },
        })) {
          await docker
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined);
        }
        const { Volumes } = await docker.listVolumes({ filters: { label: [`${LABELS.server}=${server}`] } });
        for (const v of Volumes ?? [])
          await docker
            .getVolume(v.Name)
            .remove()
            .catch(() => undefined);
        await run('sh', [
          '-c',
          'rm -rf -- "$1"/mcp-fleet-"$2" "$1"/mcp-fleet-"$2"-*',
          'sh',
          instancesDir(tb),
          server,
        ]);
      }
    },
  };
  t2after(t, async () => {
    rmSync(home, { recursive: true, force: true });
    // Runtime images this file built (their tags hash this run's bridge): gone with it.
    for (const image of await docker.listImages({ filters: { label: ['org.mcp-fleet.runtime=1'] } })) {
      if (!imagesBefore.has(image.Id))
        await docker
          .getImage(image.Id)
          .remove({ force: true })
          .catch(() => undefined);
    }
  });
  return fleet;
}

/**
 * Makes this test process trust a fleet CA, as a member's machine does with NODE_EXTRA_CA_CERTS: the
 * SDK clients and fetch below then verify the instances' https URLs against it.
 */
export function trustCa(pem: string): void {
  if (!pem.includes('BEGIN CERTIFICATE')) throw new Error('mcp-fleet tls ca printed no certificate');
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), pem]);
}

function t2after(t: unknown, fn: () => Promise<void>): void {
  const ctx = t as { after?: (fn: () => Promise<void>) => void };
  if (typeof ctx.after === 'function') ctx.after(fn);
}

/** Where the testbed login's instance folders live. */
export function instancesDir(tb: Testbed): string {
  return path.posix.join('/home', tb.ssh.username, '.mcp-fleet', 'instances');
}

/** Adds the testbed as a host through the CLI with the given login. */
export function addHost(f: TestFleet, name: string, login: 'password' | 'key', extra: string[] = []): void {
  const target = `${f.tb.ssh.username}@${f.tb.ssh.host}:${f.tb.ssh.port}`;
  const r =
    login === 'password'
      ? f.cli(['hosts', 'add', name, '--ssh', target, '--password-stdin', ...extra], f.tb.ssh.password + '\n')
      : f.cli(['hosts', 'add', name, '--ssh', target, '--key', f.tb.ssh.keyPath, ...extra]);
  if (r.code !== 0) throw new Error(`hosts add ${name}: ${r.stderr}`);
}

/** The version of an npm MCP server in node_modules (what copy-installed bakes). */
export function installedVersion(name: string): string {
  return (
    JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

/** initialize + tools/list through the bridge with a token; resolves to the tool names. */
export async function listTools(url: string, token: string): Promise<string[]> {
  const client = new Client({ name: 'deploy-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    return (await client.listTools()).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

/** The HTTP status of an initialize POST with the given token. */
export async function initializeStatus(url: string, token: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  });
  await res.body?.cancel();
  return res.status;
}

/** The token line `members add` prints. */
export function tokenFrom(stdout: string): string {
  const m = /^token \(shown this once[^:]*\): (\S+)$/m.exec(stdout);
  if (!m?.[1]) throw new Error(`no token in: ${stdout}`);
  return m[1];
}

/** The services in this process on the fleet's data folder, as the UI calls them through the contract. */
export interface InProcessFleet {
  services: Services;
  /** A second handle on the same store, for reading what the services recorded. */
  store: Store;
  /** dispatch(), as the renderer's transport does; a refusal throws with its FleetError code. */
  call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  close(): void;
}

/** Services in this process with the testbed added as host "tb" (key login). */
export async function inProcessFleet(f: TestFleet): Promise<InProcessFleet> {
  for (const [k, v] of Object.entries(f.env)) if (k.startsWith('MCP_FLEET_')) process.env[k] = v;
  const keyProvider = new StaticKeyProvider(randomBytes(32));
  const services = await createServices({ home: f.home, keyProvider, transport: 'web', actor: 'test' });
  trustCa(await services.fleet.ca.caPem());
  const store = await Store.open({ home: f.home, keyProvider });
  const call = async <C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> => {
    const r = await dispatch(services.handlers, channel, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.data as ChannelOutput<C>;
  };
  const ssh = f.tb.ssh;
  await call('hosts:add', {
    kind: 'ssh',
    name: 'tb',
    user: ssh.username,
    address: ssh.host,
    port: ssh.port,
    credential: { kind: 'key', privateKey: readFileSync(ssh.keyPath, 'utf8') },
  });
  return {
    services,
    store,
    call,
    close: () => {
      services.close();
      store.close();
    },
  };
}
