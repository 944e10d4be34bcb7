/**
 * Instances for the health tests, made the way deploy makes them but without deploy: the runtime image
 * (local base, the npm package copied from node_modules), the instance spec, its files, the prepare
 * container, the hardened container from toDockerCreateOptions, and the InstanceRecord in the store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { runtimeImageOptions } from '../services/instance-spec/image-plan';
import { buildInstanceSpec } from '../services/instance-spec/instance-spec';
import { toDockerCreateOptions } from '../services/instance-spec/render-docker';
import { testImageInputs } from './runtime-image';
import type { TestImageInputs } from './runtime-image';
import type { InstanceSpec } from '../services/instance-spec/types';
import { buildRuntimeImage } from '../services/runtime-image/build-runtime-image';
import { runtimeImageContext } from '../services/runtime-image/runtime-image-context';
import type { NewServer } from '../services/store/server-repository';
import type { Store } from '../services/store/store';
import type { HostRecord, InstanceRecord, MemberRecord, ServerRecord } from '../services/store/types';
import { freeLoopbackPort } from './private-sshd';

/**
 * A tiny stdio MCP server (raw newline JSON-RPC) whose one tool, `sleep`, answers after `ms`:
 * the "bridge that answers slowly" of the fault tests.
 */
export const SLEEPY_SERVER = [
  "const rl = require('node:readline').createInterface({ input: process.stdin });",
  'rl.on("line", (line) => {',
  '  let m; try { m = JSON.parse(line); } catch { return; }',
  '  if (m.id === undefined) return;',
  '  const reply = (r) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: m.id, ...r }) + "\\n");',
  '  if (m.method === "initialize") reply({ result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "sleepy", version: "1.0.0" } } });',
  '  else if (m.method === "tools/list") reply({ result: { tools: [{ name: "sleep", description: "Answers after ms milliseconds", inputSchema: { type: "object", properties: { ms: { type: "number" } } } }] } });',
  '  else if (m.method === "tools/call") setTimeout(() => reply({ result: { content: [{ type: "text", text: "slept" }] } }), Number(m.params.arguments?.ms ?? 1000));',
  '  else if (m.method === "ping") reply({ result: {} });',
  '  else reply({ error: { code: -32601, message: "no such method" } });',
  '});',
].join(' ');

export interface TestInstance {
  record: InstanceRecord;
  server: ServerRecord;
  members: MemberRecord[];
  spec: InstanceSpec;
  containerName: string;
  port: number;
}

export interface TestFleet {
  docker: Dockerode;
  /**
   * A server in the store with its members, and its instance running on `host` (this machine's
   * engine, which every test host reaches). `source` is an npm package installed here, or "sleepy".
   */
  instance(
    store: Store,
    host: HostRecord,
    o: { source: string; mode: 'shared' | 'dedicated'; members: string[] },
  ): Promise<TestInstance>;
  /** Removes every container, volume, image and folder it made. */
  dispose(): Promise<void>;
}

export async function createTestFleet(): Promise<TestFleet> {
  const docker = new Dockerode();
  const run = randomBytes(3).toString('hex');
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-fleet-health-'));
  const containers: string[] = [];
  const images = new Map<string, string>();
  let inputs: TestImageInputs | undefined;
  let counter = 0;

  const imageFor = async (server: ServerRecord): Promise<string> => {
    const key = `${server.sourceKind}:${server.sourceValue}:${JSON.stringify(server.args)}`;
    const known = images.get(key);
    if (known) return known;
    inputs ??= await testImageInputs(docker);
    const context = await runtimeImageContext(runtimeImageOptions({ server, ...inputs.resolver }));
    try {
      const { tag } = await buildRuntimeImage(docker, context);
      images.set(key, tag);
      return tag;
    } finally {
      await context.dispose();
    }
  };

  return {
    docker,
    async instance(store, host, o) {
      counter += 1;
      const name = `hk${run}-${counter}`;
      const port = await freeLoopbackPort();
      const sleepy = o.source === 'sleepy';
      const definition: NewServer = {
        name,
        sourceKind: sleepy ? 'command' : 'npx',
        sourceValue: sleepy ? 'node' : o.source,
        args: sleepy ? ['-e', SLEEPY_SERVER] : [],
        env: [],
        mode: o.mode,
        port,
      };
      const server = store.servers.insert(definition);
      const members = o.members.map((m) => {
        const token = randomBytes(24).toString('base64url');
        const tokenSha256 = createHash('sha256').update(token).digest('hex');
        return store.members.insert({ serverId: server.id, name: m, token, tokenSha256, tools: ['*'] });
      });
      const image = await imageFor(server);
      const serving = o.mode === 'dedicated' ? members.slice(0, 1) : members;
      const spec = buildInstanceSpec({
        server,
        members: serving,
        image,
        port,
        // Loopback only: the monitor reaches it through the host's SSH session anyway.
        publishAddress: '127.0.0.1',
        configDir: path.join(workDir, name),
      });
      await mkdir(spec.configDir, { recursive: true, mode: 0o700 });
      for (const file of [spec.files.env, spec.files.members]) {
        await writeFile(file.hostPath, file.content, { mode: file.mode });
      }
      const prepare = await docker.createContainer(toDockerCreateOptions(spec.prepare));
      const done = prepare.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
      await prepare.start();
      const { StatusCode } = await done;
      if (StatusCode !== 0) throw new Error(`the prepare container of ${name} exited with ${StatusCode}`);
      const containerName = spec.container.name ?? name;
      containers.push(containerName);
      const container = await docker.createContainer(toDockerCreateOptions(spec.container));
      await container.start();
      const record = store.instances.upsert({
        serverId: server.id,
        memberId: o.mode === 'dedicated' ? (members[0]?.id ?? null) : null,
        hostId: host.id,
        containerName,
        port,
        configHash: spec.configHash,
        status: 'running',
      });
      return { record, server, members, spec, containerName, port };
    },
    async dispose() {
      for (const name of containers) {
        await docker
          .getContainer(name)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      }
      for (const tag of images.values()) {
        await docker
          .getImage(tag)
          .remove({ force: true })
          .catch(() => undefined);
      }
      await inputs?.dispose();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
