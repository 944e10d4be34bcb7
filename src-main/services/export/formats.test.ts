// Each export format against a real parser or a real run: YAML (the `yaml` package, YAML 1.1 as
// Docker's and Kubernetes' Go parsers read it), JSON, the bridge's own argument and file parsers, and
// the firewall script run by dash against the real iptables in a private network namespace.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { buildBridgeBundle } from '../../../scripts/build-bundles.mjs';
import { parseCliArgs } from '../../../src-bridge/cli-args';
import { parseEnvFile } from '../../../src-bridge/env-file';
import { parseMembersJson } from '../../../src-bridge/members';
import { FleetError } from '../../shared/errors';
import { EventBus } from '../events';
import { repoRoot } from '../instance-spec/runtime-image.fixture';
import { repoRuntimePaths } from '../runtime-image/runtime-image-context';
import { ServerService } from '../server/server-service';
import { createTestStore, type TestStore } from '../store/test-store';
import { MCP_REMOTE_PACKAGE } from './client-config';
import { ExportService } from './export-service';
import { k8sName } from './k8s';
import { runtimeImageResolver, sourceImageInspector } from './runtime-image-ref';
import Docker from 'dockerode';

const run = promisify(execFile);
const SECRET = `ghp_${randomBytes(16).toString('hex')}`;
type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => {
  assert.ok(value !== null && typeof value === 'object', `expected an object, got ${JSON.stringify(value)}`);
  return value as Obj;
};

describe('export formats', () => {
  let store: TestStore | undefined;
  let workDir = '';
  let exports: ExportService | undefined;
  const tokens = { alice: randomBytes(32).toString('base64url'), bob: randomBytes(32).toString('base64url') };
  const render = (input: Parameters<ExportService['render']>[0]) => {
    assert.ok(exports);
    return exports.render(input);
  };

  before(async () => {
    store = await createTestStore();
    workDir = await mkdtemp(path.join(os.tmpdir(), 'export-formats-'));
    const bridgeBundle = await buildBridgeBundle({ outfile: path.join(workDir, 'bridge.mjs'), quiet: true });
    const servers = new ServerService(store.store, new EventBus(), 'test');
    servers.add({
      name: 'memory',
      source: { kind: 'npx', value: '@modelcontextprotocol/server-memory@2026.8.31' },
      env: [
        { key: 'LOG', value: 'info', secret: false },
        { key: 'GITHUB_TOKEN', value: SECRET, secret: true },
      ],
      mode: 'shared',
      port: 18100,
    });
    servers.add({
      name: 'Every.thing_',
      source: { kind: 'npx', value: '@modelcontextprotocol/server-everything@2026.8.31' },
      mode: 'dedicated',
    });
    for (const server of ['memory', 'Every.thing_']) {
      const record = store.store.servers.getByName(server);
      assert.ok(record);
      for (const [name, token] of Object.entries(tokens)) {
        store.store.members.insert({
          serverId: record.id,
          name,
          token: `${server}-${token}`,
          tokenSha256: createHash('sha256').update(`${server}-${token}`).digest('hex'),
          tools: name === 'alice' ? ['*'] : ['read_graph', 'search_*'],
        });
      }
    }
    store.store.hosts.insert(
      {
        name: 'db-2',
        kind: 'ssh',
        user: 'ops',
        address: '203.0.113.9',
        port: 22,
        auth: 'agent',
        hostKeySha256: null,
      },
      null,
    );
    exports = new ExportService({
      store: store.store,
      runtimeImage: runtimeImageResolver({
        ...repoRuntimePaths(repoRoot),
        bridgeBundle,
        baseImage: 'mcp-fleet-test/node-base:22',
        bake: { kind: 'copy-installed', root: repoRoot },
        withUv: false,
      }),
      inspectSourceImage: sourceImageInspector(new Docker()),
    });
  });

  after(async () => {
    store?.cleanup();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('compose: the prepare and instance services with the hardened fields, secrets only beside it', async () => {
    const result = await render({
      server: 'memory',
      format: 'compose',
      host: 'db-2',
      allowCidrs: ['10.0.0.0/8'],
    });
    assert.equal(result.containsSecrets, false);
    assert.ok(!result.content.includes(SECRET));
    const doc = obj(parse(result.content, { version: '1.1' }));
    const services = obj(doc.services);
    assert.deepEqual(Object.keys(services).sort(), ['mcp-fleet-memory', 'mcp-fleet-memory-prepare']);
    const svc = obj(services['mcp-fleet-memory']);
    assert.equal(svc.user, '10001:10001');
    assert.equal(svc.read_only, true);
    assert.equal(svc.init, true);
    assert.deepEqual(svc.cap_drop, ['ALL']);
    assert.deepEqual(svc.security_opt, ['no-new-privileges']);
    assert.deepEqual(svc.tmpfs, ['/tmp:rw,noexec,nosuid,size=64m']);
    assert.equal(svc.pids_limit, 256);
    assert.equal(svc.mem_limit, '512m');
    assert.equal(svc.cpus, '1');
    assert.equal(svc.restart, 'unless-stopped');
    assert.deepEqual(svc.ports, [{ target: 8080, published: '18100', protocol: 'tcp' }]);
    assert.deepEqual(svc.depends_on, {
      'mcp-fleet-memory-prepare': { condition: 'service_completed_successfully' },
    });
    assert.match(String(obj(svc.labels)['io.mcp-fleet.config-hash']), /^[0-9a-f]{64}$/);
    const volumes = (svc.volumes as Obj[]).map(
      (v) => `${String(v.type)} ${String(v.source)} ${String(v.target)} ${String(v.read_only)}`,
    );
    assert.deepEqual(volumes, [
      'bind ./mcp-fleet-memory/env /run/mcp-fleet/env true',
      'bind ./mcp-fleet-memory/members.json /run/mcp-fleet/members.json true',
      'volume mcp-fleet-memory-state /var/lib/mcp-server false',
    ]);
    const cli = parseCliArgs(svc.command as string[]);
    assert.equal(cli.kind === 'run' && cli.args.allowCidr.join(), '10.0.0.0/8');
    assert.equal(obj(services['mcp-fleet-memory-prepare']).restart, 'no');
    assert.deepEqual(obj(doc.volumes), { 'mcp-fleet-memory-state': { name: 'mcp-fleet-memory-state' } });
    assert.match(result.content, /^# \.\/mcp-fleet-memory\/members\.json \(mode 0600\):$/m);
    assert.match(result.content, /GITHUB_TOKEN/);

    const inline = await render({ server: 'memory', format: 'compose', host: 'db-2', inlineSecrets: true });
    assert.equal(inline.containsSecrets, true);
    assert.ok(inline.content.includes(SECRET), 'inline: the env file to write is shown in full');
  });

  it('swarm: a stack whose instances read Docker secrets owned by the container user', async () => {
    const result = await render({ server: 'memory', format: 'swarm', host: 'db-2' });
    const doc = obj(parse(result.content, { version: '1.1' }));
    assert.equal(doc.version, '3.9');
    const svc = obj(obj(doc.services)['mcp-fleet-memory']);
    const secrets = obj(doc.secrets);
    const names = Object.keys(secrets).sort();
    assert.equal(names.length, 2);
    for (const name of names) assert.match(name, /^mcp-fleet-memory-(env|members)-[0-9a-f]{12}$/);
    assert.deepEqual(
      (svc.secrets as Obj[]).map((s) => [s.target, s.uid, s.gid, s.mode]),
      [
        ['mcp-fleet-env', '10001', '10001', 0o400],
        ['mcp-fleet-members.json', '10001', '10001', 0o400],
      ],
    );
    const cli = parseCliArgs(svc.command as string[]);
    assert.ok(cli.kind === 'run');
    assert.equal(cli.args.envFile, '/run/secrets/mcp-fleet-env');
    assert.equal(cli.args.membersFile, '/run/secrets/mcp-fleet-members.json');
    assert.deepEqual(svc.ports, [{ target: 8080, published: 18100, protocol: 'tcp', mode: 'host' }]);
    assert.deepEqual(obj(obj(svc.deploy).resources), { limits: { cpus: '1', memory: '512m', pids: 256 } });
    assert.ok(!result.content.includes(SECRET));
  });

  it('k8s: Secret, PVC, Deployment, Service and NetworkPolicy per instance, one set per Dedicated member', async () => {
    const shared = await render({
      server: 'memory',
      format: 'k8s',
      allowCidrs: ['10.0.0.0/8', '2001:db8::/32'],
    });
    const docs = parseAllDocuments(shared.content, { version: '1.1' }).map((d) => obj(d.toJS()));
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['Secret', 'PersistentVolumeClaim', 'Deployment', 'Service', 'NetworkPolicy'],
    );
    for (const d of docs) {
      assert.equal(typeof d.apiVersion, 'string');
      assert.match(String(obj(d.metadata).name), /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    }
    const [secret, , deployment, service, policy] = docs as [Obj, Obj, Obj, Obj, Obj];
    const data = obj(secret.stringData);
    assert.equal(
      parseEnvFile(String(data.env), 'env').GITHUB_TOKEN,
      '',
      'by reference: left for the operator',
    );
    assert.ok(!shared.content.includes(SECRET));
    assert.equal(parseMembersJson(String(data['members.json']), 'members').length, 2);
    const pod = obj(obj(obj(deployment.spec).template).spec);
    assert.deepEqual(obj(pod.securityContext).runAsUser, 10001);
    const container = obj((pod.containers as unknown[])[0]);
    assert.deepEqual(obj(container.securityContext), {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    assert.equal(parseCliArgs(container.args as string[]).kind, 'run');
    assert.deepEqual(obj(service.spec).loadBalancerSourceRanges, ['10.0.0.0/8', '2001:db8::/32']);
    const ingress = obj((obj(policy.spec).ingress as unknown[])[0]);
    assert.deepEqual(ingress.from, [
      { ipBlock: { cidr: '10.0.0.0/8' } },
      { ipBlock: { cidr: '2001:db8::/32' } },
    ]);

    const inline = await render({ server: 'memory', format: 'k8s', inlineSecrets: true });
    const inlineSecret = obj(parseAllDocuments(inline.content, { version: '1.1' })[0]?.toJS());
    assert.equal(parseEnvFile(String(obj(inlineSecret.stringData).env), 'env').GITHUB_TOKEN, SECRET);

    const dedicated = await render({ server: 'Every.thing_', format: 'k8s', port: 18200 });
    const kinds = parseAllDocuments(dedicated.content, { version: '1.1' }).map(
      (d) => `${String(obj(d.toJS()).kind)} ${String(obj(obj(d.toJS()).metadata).name)}`,
    );
    assert.equal(kinds.filter((k) => k.startsWith('Deployment ')).length, 2, kinds.join('\n'));
    assert.equal(new Set(kinds).size, kinds.length, 'names are unique');
    assert.equal(k8sName('mcp-fleet-memory'), 'mcp-fleet-memory');
    assert.match(
      k8sName('mcp-fleet-Every.thing_-alice-1234abcd'),
      /^mcp-fleet-every-thing-alice-1234abcd-[0-9a-f]{8}$/,
    );
  });

  it('firewall: admits the port only from the allowed ranges, in the real iptables DOCKER-USER chain', async (t) => {
    await assert.rejects(
      render({ server: 'memory', format: 'firewall' }),
      (err: unknown) => err instanceof FleetError && /--allow-cidr/.test(err.message),
    );
    const result = await render({
      server: 'memory',
      format: 'firewall',
      allowCidrs: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'],
    });
    const script = path.join(workDir, 'firewall.sh');
    await writeFile(script, result.content);
    const probe = await run('unshare', ['-n', 'iptables', '-L']).catch(() => null);
    if (probe === null) return t.skip('no network namespaces here (unshare -n)');
    // A fresh namespace with Docker's chain as dockerd creates it; run the script twice (idempotent).
    const { stdout } = await run('unshare', [
      '-n',
      'sh',
      '-c',
      `for t in iptables ip6tables; do $t -N DOCKER-USER && $t -A DOCKER-USER -j RETURN; done
       dash "$1" iptables && dash "$1" && iptables -S DOCKER-USER && ip6tables -S DOCKER-USER`,
      'sh',
      script,
    ]);
    const rules = stdout.trim().split('\n');
    const match = '-p tcp -m conntrack --ctorigdstport 18100 --ctdir ORIGINAL';
    assert.deepEqual(rules, [
      '-N DOCKER-USER',
      `-A DOCKER-USER -s 192.168.1.7/32 ${match} -j RETURN`,
      `-A DOCKER-USER -s 10.0.0.0/8 ${match} -j RETURN`,
      `-A DOCKER-USER ${match} -j DROP`,
      '-A DOCKER-USER -j RETURN',
      '-N DOCKER-USER',
      `-A DOCKER-USER -s fd00::/8 ${match} -j RETURN`,
      `-A DOCKER-USER ${match} -j DROP`,
      '-A DOCKER-USER -j RETURN',
    ]);
    assert.match(result.content, /ufw route allow proto tcp from 10\.0\.0\.0\/8 to any port 8080/);
    assert.match(result.content, /ufw deny proto tcp from any to any port 18100/);
  });

  it('refuses a server without members before it packs an image context for it', async () => {
    assert.ok(store);
    new ServerService(store.store, new EventBus(), 'test').add({
      name: 'lonely',
      source: { kind: 'npx', value: '@modelcontextprotocol/server-memory@2026.8.31' },
      mode: 'shared',
    });
    let packed = 0;
    const resolver = runtimeImageResolver({
      ...repoRuntimePaths(repoRoot),
      bridgeBundle: path.join(workDir, 'bridge.mjs'),
      baseImage: 'mcp-fleet-test/node-base:22',
      bake: { kind: 'copy-installed', root: repoRoot },
      withUv: false,
    });
    const counting = new ExportService({
      store: store.store,
      runtimeImage: (...args: Parameters<typeof resolver>) => {
        packed += 1;
        return resolver(...args);
      },
      inspectSourceImage: sourceImageInspector(new Docker()),
    });
    for (const format of ['docker-run', 'compose', 'k8s'] as const) {
      await assert.rejects(
        counting.render({ server: 'lonely', format }),
        /server "lonely" has no members, so no token could reach it: add one with `mcp-fleet members add lonely NAME`/,
      );
    }
    assert.equal(packed, 0);
  });

  it('claude, vscode, cursor: the URL and Authorization header in each client’s format', async () => {
    await assert.rejects(render({ server: 'memory', format: 'cursor' }), /--member alice \| bob/);
    const url = 'http://203.0.113.9:18100/mcp';
    const token = `memory-${tokens.alice}`;

    const claude = obj(
      JSON.parse(
        (
          await render({
            server: 'memory',
            format: 'claude',
            member: 'alice',
            host: 'db-2',
            inlineSecrets: true,
          })
        ).content,
      ),
    );
    const entry = obj(obj(claude.mcpServers).memory);
    assert.equal(entry.command, 'npx');
    assert.deepEqual(entry.args, [
      '-y',
      MCP_REMOTE_PACKAGE,
      url,
      '--transport',
      'http-only',
      '--allow-http',
      '--header',
      'Authorization:${AUTH_HEADER}',
    ]);
    assert.deepEqual(entry.env, { AUTH_HEADER: `Bearer ${token}` });
    const audit = store?.store.audit.list(1)[0];
    assert.equal(audit?.action, 'servers.export');
    assert.equal(audit?.detail, 'claude for alice, secrets inline');
    assert.ok(!JSON.stringify(audit).includes(token), 'the audit log names the export, never the token');

    const vscodeRef = await render({ server: 'memory', format: 'vscode', member: 'alice', host: 'db-2' });
    assert.equal(vscodeRef.containsSecrets, false);
    assert.ok(!vscodeRef.content.includes(token));
    const vscode = obj(JSON.parse(vscodeRef.content));
    assert.deepEqual(vscode.inputs, [
      {
        type: 'promptString',
        id: 'mcp-fleet-memory-token',
        description: 'MCP Fleet token of alice for memory',
        password: true,
      },
    ]);
    assert.deepEqual(obj(vscode.servers).memory, {
      type: 'http',
      url,
      headers: { Authorization: 'Bearer ${input:mcp-fleet-memory-token}' },
    });

    const cursor = obj(
      JSON.parse(
        (
          await render({
            server: 'memory',
            format: 'cursor',
            member: 'bob',
            host: 'db-2',
            inlineSecrets: true,
          })
        ).content,
      ),
    );
    assert.deepEqual(obj(cursor.mcpServers).memory, {
      url,
      headers: { Authorization: `Bearer memory-${tokens.bob}` },
    });
    const cursorRef = obj(
      JSON.parse(
        (await render({ server: 'memory', format: 'cursor', member: 'bob', publishAddress: '127.0.0.1' }))
          .content,
      ),
    );
    assert.deepEqual(obj(cursorRef.mcpServers).memory, {
      url: 'http://localhost:18100/mcp',
      headers: { Authorization: 'Bearer ${env:MCP_FLEET_MEMORY_TOKEN}' },
    });
  });
});
