// Each export format against a real parser or a real run: YAML (the `yaml` package, YAML 1.1 as
// Docker's and Kubernetes' Go parsers read it), JSON, the bridge's own argument and file parsers, and
// the firewall script run by dash against the real iptables in a private network namespace. TLS
// material is a CA and leaf made by the real openssl CLI; "memory" serves HTTPS, "Every.thing_" not.
// "reach" (Dedicated, alice and bob) binds host folders, has a volume per member and a shared one,
// joins a network and adds a host; the docker-run script is parsed by the real dash and bash.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { buildBridgeBundle } from '../../../scripts/build-bundles.mjs';
import { parseCliArgs } from '../../../src-bridge/ops/cli-args';
import { parseEnvFile } from '../../../src-bridge/child/env-file';
import { parseMembersJson } from '../../../src-bridge/access/members';
import { FleetError } from '../../shared/errors';
import { EMPTY_REACH, volumeName, type ServerReach } from '../../shared/server-mounts';
import { EventBus } from '../events';
import { containerName } from '../instance-spec/names';
import { repoRoot } from '../../test-support/runtime-image';
import type { TlsMaterial } from '../instance-spec/types';
import { repoRuntimePaths } from '../runtime-image/runtime-image-context';
import { ServerService } from '../server/server-service';
import { createTestStore, type TestStore } from '../../test-support/store';
import { MCP_REMOTE_PACKAGE } from './client-config';
import { ExportService, type TlsFor } from './export-service';
import { k8sName } from './k8s';
import { runtimeImageResolver, sourceImageInspector } from './runtime-image-ref';
import { makeTestCa, type TestCa } from '../../test-support/tls';
import { NO_TLS_WARNING } from './tls-notes';
import { renderAllFormats } from './reach.fixture';
import Docker from 'dockerode';

const run = promisify(execFile);
const SECRET = `ghp_${randomBytes(16).toString('hex')}`;
const REACH: ServerReach = {
  mounts: [
    { kind: 'bind', source: '/srv/reference docs', target: '/data', readOnly: true },
    { kind: 'bind', source: '/srv/out', target: '/out', readOnly: false },
    { kind: 'volume', source: 'cache', target: '/cache', readOnly: false, shared: false },
    { kind: 'volume', source: 'common', target: '/common', readOnly: true, shared: true },
  ],
  networks: ['db-net'],
  extraHosts: [
    { name: 'db.internal', ip: '10.1.2.3' },
    { name: 'v6.internal', ip: 'fd00::7' },
  ],
  allowDockerSocket: false,
};
const TESTDATA = path.join(import.meta.dirname, 'testdata', 'empty-reach');
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
  let ca: TestCa | undefined;
  const leaf = (): TlsMaterial => {
    assert.ok(ca);
    return ca.leaf;
  };
  /** Every request for TLS material, as "server host instance". */
  const tlsAsked: string[] = [];
  const tlsFor: TlsFor = ({ server, host, containerName }) => {
    tlsAsked.push(`${server.name} ${host?.name ?? '-'} ${containerName}`);
    return Promise.resolve(server.name === 'memory' ? leaf() : null);
  };
  const notAfter = () => new Date(new X509Certificate(leaf().certPem).validTo).toISOString().slice(0, 19);

  before(async () => {
    ca = await makeTestCa();
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
    servers.add({
      name: 'reach',
      // A command source: its image context carries no npm package, so it is quick to make.
      source: { kind: 'command', value: 'node /opt/server/index.js' },
      mode: 'dedicated',
      reach: REACH,
    });
    for (const server of ['memory', 'Every.thing_', 'reach']) {
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
      tlsFor,
      localHome: '/home/op',
    });
  });

  after(async () => {
    await ca?.dispose();
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
    const keyLine = leaf().keyPem.split('\n')[1] ?? '';
    assert.ok(keyLine.length > 20 && !result.content.includes(keyLine), 'no TLS key by reference');
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
    // With an allowlist the port is published on IPv4 only (the bridge sees IPv6 clients as the gateway).
    assert.deepEqual(svc.ports, [{ target: 8080, published: '18100', host_ip: '0.0.0.0', protocol: 'tcp' }]);
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
      'bind ./mcp-fleet-memory/tls.crt /run/mcp-fleet/tls.crt true',
      'bind ./mcp-fleet-memory/tls.key /run/mcp-fleet/tls.key true',
      'volume mcp-fleet-memory-state /var/lib/mcp-server false',
    ]);
    const cli = parseCliArgs(svc.command as string[]);
    assert.ok(cli.kind === 'run');
    assert.equal(cli.args.allowCidr.join(), '10.0.0.0/8');
    assert.equal(cli.args.allowGateway, true);
    assert.equal(cli.args.tlsCert, '/run/mcp-fleet/tls.crt');
    assert.equal(cli.args.tlsKey, '/run/mcp-fleet/tls.key');
    const prepare = obj(services['mcp-fleet-memory-prepare']);
    assert.equal(prepare.restart, 'no');
    const handed = (prepare.command as string[]).filter((w) => w.startsWith('/mcp-fleet/config/'));
    assert.deepEqual(handed, [
      '/mcp-fleet/config/env',
      '/mcp-fleet/config/members.json',
      '/mcp-fleet/config/tls.crt',
      '/mcp-fleet/config/tls.key',
    ]);
    assert.deepEqual(obj(doc.volumes), { 'mcp-fleet-memory-state': { name: 'mcp-fleet-memory-state' } });
    assert.match(result.content, /^# \.\/mcp-fleet-memory\/members\.json \(mode 0600\):$/m);
    assert.match(result.content, /GITHUB_TOKEN/);
    assert.match(result.content, /^# \.\/mcp-fleet-memory\/tls\.crt \(mode 0600\):$/m);
    for (const line of leaf().certPem.trimEnd().split('\n'))
      assert.ok(result.content.includes(`\n#   ${line}\n`), `the certificate to write: ${line}`);
    assert.match(result.content, /^# \.\/mcp-fleet-memory\/tls\.key \(mode 0600\):$/m);
    const expiry = `instance mcp-fleet-memory: HTTPS with the certificate for IP Address:127.0.0.1, DNS:localhost, valid until ${notAfter()}Z.`;
    assert.deepEqual(result.notes, [expiry]);
    assert.ok(result.content.includes(`# ${expiry}\n`), 'the expiry in the file too');

    const inline = await render({ server: 'memory', format: 'compose', host: 'db-2', inlineSecrets: true });
    assert.equal(inline.containsSecrets, true);
    assert.ok(inline.content.includes(SECRET), 'inline: the env file to write is shown in full');
    for (const line of leaf().keyPem.trimEnd().split('\n'))
      assert.ok(inline.content.includes(`\n#   ${line}\n`), 'inline: the TLS key to write is shown in full');
  });

  it('swarm: a stack whose instances read Docker secrets owned by the container user', async () => {
    const result = await render({ server: 'memory', format: 'swarm', host: 'db-2' });
    const doc = obj(parse(result.content, { version: '1.1' }));
    assert.equal(doc.version, '3.9');
    const svc = obj(obj(doc.services)['mcp-fleet-memory']);
    const secrets = obj(doc.secrets);
    const names = Object.keys(secrets).sort();
    assert.equal(names.length, 4);
    const version = names[0]?.slice(-12) ?? '';
    assert.match(version, /^[0-9a-f]{12}$/);
    assert.deepEqual(
      names.map((name) => [name, obj(secrets[name]).file]),
      [
        [`mcp-fleet-memory-env-${version}`, './mcp-fleet-memory/env'],
        [`mcp-fleet-memory-members-${version}`, './mcp-fleet-memory/members.json'],
        [`mcp-fleet-memory-tls-crt-${version}`, './mcp-fleet-memory/tls.crt'],
        [`mcp-fleet-memory-tls-key-${version}`, './mcp-fleet-memory/tls.key'],
      ],
    );
    assert.deepEqual(
      (svc.secrets as Obj[]).map((s) => [s.source, s.target, s.uid, s.gid, s.mode]),
      [
        [`mcp-fleet-memory-env-${version}`, 'mcp-fleet-env', '10001', '10001', 0o400],
        [`mcp-fleet-memory-members-${version}`, 'mcp-fleet-members.json', '10001', '10001', 0o400],
        [`mcp-fleet-memory-tls-crt-${version}`, 'mcp-fleet-tls.crt', '10001', '10001', 0o400],
        [`mcp-fleet-memory-tls-key-${version}`, 'mcp-fleet-tls.key', '10001', '10001', 0o400],
      ],
    );
    const cli = parseCliArgs(svc.command as string[]);
    assert.ok(cli.kind === 'run');
    assert.equal(cli.args.envFile, '/run/secrets/mcp-fleet-env');
    assert.equal(cli.args.membersFile, '/run/secrets/mcp-fleet-members.json');
    assert.equal(cli.args.tlsCert, '/run/secrets/mcp-fleet-tls.crt');
    assert.equal(cli.args.tlsKey, '/run/secrets/mcp-fleet-tls.key');
    assert.deepEqual(svc.ports, [{ target: 8080, published: 18100, protocol: 'tcp', mode: 'host' }]);
    assert.deepEqual(obj(obj(svc.deploy).resources), { limits: { cpus: '1', memory: '512m', pids: 256 } });
    assert.ok(!result.content.includes(SECRET));
    assert.ok(!result.content.includes(leaf().keyPem.split('\n')[1] ?? ''), 'no TLS key by reference');
    assert.match(result.content, /^# \.\/mcp-fleet-memory\/tls\.key \(mode 0600\):$/m);
    assert.match(result.content, /^# {3}the private key of the certificate above .*--inline-secrets/m);
    assert.match(result.notes?.[0] ?? '', /^instance mcp-fleet-memory: HTTPS .* valid until /);

    // Without TLS: the two files only, and the warning in the notes and the header.
    const plain = await render({ server: 'Every.thing_', format: 'swarm', member: 'bob', port: 18250 });
    const plainDoc = obj(parse(plain.content, { version: '1.1' }));
    const bob = containerName('Every.thing_', 'bob');
    assert.deepEqual(
      Object.keys(obj(plainDoc.secrets)).map((n) => n.replace(/-[0-9a-f]{12}$/, '')),
      [`${bob}-env`, `${bob}-members`],
    );
    const plainCli = parseCliArgs(obj(obj(plainDoc.services)[bob]).command as string[]);
    assert.ok(plainCli.kind === 'run');
    assert.equal(plainCli.args.tlsCert, undefined);
    assert.equal(plain.notes?.[0], `instance ${bob}: ${NO_TLS_WARNING}`);
    assert.ok(plain.content.includes(`\n# instance ${bob}: ${NO_TLS_WARNING}\n`));
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
    const args = parseCliArgs(container.args as string[]);
    assert.ok(args.kind === 'run');
    assert.equal(args.args.tlsCert, '/run/mcp-fleet/tls.crt');
    assert.equal(args.args.tlsKey, '/run/mcp-fleet/tls.key');
    // Both Secrets projected, read-only, into the folder the bridge's arguments name.
    assert.deepEqual(obj((pod.volumes as unknown[])[0]), {
      name: 'config',
      projected: {
        defaultMode: 0o440,
        sources: [
          { secret: { name: 'mcp-fleet-memory-config' } },
          { secret: { name: 'mcp-fleet-memory-tls' } },
        ],
      },
    });
    assert.deepEqual(obj((container.volumeMounts as unknown[])[0]), {
      name: 'config',
      mountPath: '/run/mcp-fleet',
      readOnly: true,
    });
    assert.deepEqual(obj(container.readinessProbe), {
      httpGet: { path: '/readyz', port: 'mcp', scheme: 'HTTPS' },
      periodSeconds: 5,
    });
    assert.equal(obj(obj(container.livenessProbe).httpGet).scheme, 'HTTPS');
    // By reference the key stays out: the header says how to make the TLS Secret, with the certificate.
    assert.ok(!shared.content.includes(leaf().keyPem.split('\n')[1] ?? ''));
    assert.match(
      shared.content,
      /^# .*then: kubectl create secret tls mcp-fleet-memory-tls --cert \.\/mcp-fleet-memory\/tls\.crt --key \.\/mcp-fleet-memory\/tls\.key$/m,
    );
    for (const line of leaf().certPem.trimEnd().split('\n'))
      assert.ok(shared.content.includes(`\n#   ${line}\n`));
    assert.equal(shared.containsSecrets, false);
    assert.match(
      shared.content,
      new RegExp(`^# instance mcp-fleet-memory: HTTPS .* valid until ${notAfter()}Z\\.$`, 'm'),
    );
    assert.deepEqual(obj(service.spec).loadBalancerSourceRanges, ['10.0.0.0/8', '2001:db8::/32']);
    const ingress = obj((obj(policy.spec).ingress as unknown[])[0]);
    assert.deepEqual(ingress.from, [
      { ipBlock: { cidr: '10.0.0.0/8' } },
      { ipBlock: { cidr: '2001:db8::/32' } },
    ]);

    const inline = await render({ server: 'memory', format: 'k8s', inlineSecrets: true });
    const inlineDocs = parseAllDocuments(inline.content, { version: '1.1' }).map((d) => obj(d.toJS()));
    const inlineSecret = obj(inlineDocs[0]);
    assert.equal(parseEnvFile(String(obj(inlineSecret.stringData).env), 'env').GITHUB_TOKEN, SECRET);
    assert.deepEqual(inlineDocs.map((d) => `${String(d.kind)} ${String(obj(d.metadata).name)}`).slice(0, 2), [
      'Secret mcp-fleet-memory-config',
      'Secret mcp-fleet-memory-tls',
    ]);
    const tlsSecret = obj(inlineDocs[1]);
    assert.equal(tlsSecret.type, 'kubernetes.io/tls');
    assert.deepEqual(tlsSecret.stringData, { 'tls.crt': leaf().certPem, 'tls.key': leaf().keyPem });
    assert.equal(inline.containsSecrets, true);
    assert.ok(!inline.content.includes('kubectl create secret tls'));

    const asked = tlsAsked.length;
    const dedicated = await render({ server: 'Every.thing_', format: 'k8s', port: 18200 });
    assert.deepEqual(tlsAsked.slice(asked), [
      `Every.thing_ - ${containerName('Every.thing_', 'alice')}`,
      `Every.thing_ - ${containerName('Every.thing_', 'bob')}`,
    ]);
    const plainDocs = parseAllDocuments(dedicated.content, { version: '1.1' }).map((d) => obj(d.toJS()));
    assert.ok(
      !plainDocs.some((d) => d.type === 'kubernetes.io/tls' || /-tls$/.test(String(obj(d.metadata).name))),
    );
    const plainPod = obj(obj(obj(plainDocs.find((d) => d.kind === 'Deployment')?.spec).template).spec);
    assert.deepEqual(obj((plainPod.volumes as unknown[])[0]).secret, {
      secretName: obj(plainDocs[0]?.metadata).name,
      defaultMode: 0o440,
    });
    const plainContainer = obj((plainPod.containers as unknown[])[0]);
    assert.deepEqual(obj(plainContainer.readinessProbe).httpGet, { path: '/readyz', port: 'mcp' });
    assert.equal(dedicated.notes?.length, 2);
    for (const note of dedicated.notes ?? []) assert.match(note, /: WARNING: plain HTTP/);
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
    const asked = tlsAsked.length;
    const result = await render({
      server: 'memory',
      format: 'firewall',
      allowCidrs: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'],
    });
    assert.equal(tlsAsked.length, asked, 'no certificate is asked for firewall rules');
    assert.equal(result.containsSecrets, false);
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
      tlsFor,
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
    const url = 'https://203.0.113.9:18100/mcp';
    const token = `memory-${tokens.alice}`;
    const caFile = '/home/op/mcp-fleet-ca.pem';

    const claudeResult = await render({
      server: 'memory',
      format: 'claude',
      member: 'alice',
      host: 'db-2',
      inlineSecrets: true,
    });
    const entry = obj(obj(obj(JSON.parse(claudeResult.content)).mcpServers).memory);
    assert.equal(entry.command, 'npx');
    // https: no --allow-http; mcp-remote (Node) trusts the fleet CA through NODE_EXTRA_CA_CERTS.
    assert.deepEqual(entry.args, [
      '-y',
      MCP_REMOTE_PACKAGE,
      url,
      '--transport',
      'http-only',
      '--header',
      'Authorization:${AUTH_HEADER}',
    ]);
    assert.deepEqual(entry.env, { AUTH_HEADER: `Bearer ${token}`, NODE_EXTRA_CA_CERTS: caFile });
    assert.deepEqual(claudeResult.notes, [
      `mcp-remote trusts the fleet CA through NODE_EXTRA_CA_CERTS=${caFile}: save the fleet CA there with \`mcp-fleet tls ca --out ${caFile}\` (for another path or machine, export with --ca-file PATH).`,
      `instance mcp-fleet-memory: HTTPS with the certificate for IP Address:127.0.0.1, DNS:localhost, valid until ${notAfter()}Z.`,
    ]);
    const audit = store?.store.audit.list(1)[0];
    assert.equal(audit?.action, 'servers.export');
    assert.equal(audit?.detail, 'claude for alice, secrets inline');
    assert.ok(!JSON.stringify(audit).includes(token), 'the audit log names the export, never the token');
    assert.ok(tlsAsked.includes('memory db-2 mcp-fleet-memory'));

    const claudeElsewhere = await render({
      server: 'memory',
      format: 'claude',
      member: 'alice',
      host: 'db-2',
      caFile: 'C:\\Users\\Op Name\\fleet-ca.pem',
    });
    assert.equal(
      obj(obj(obj(obj(JSON.parse(claudeElsewhere.content)).mcpServers).memory).env).NODE_EXTRA_CA_CERTS,
      'C:\\Users\\Op Name\\fleet-ca.pem',
    );
    assert.match(
      claudeElsewhere.notes?.[0] ?? '',
      /`mcp-fleet tls ca --out 'C:\\Users\\Op Name\\fleet-ca\.pem'`/,
    );
    for (const bad of ['fleet-ca.pem', '~/fleet-ca.pem', '/tmp/a\nb.pem']) {
      await assert.rejects(
        render({ server: 'memory', format: 'claude', member: 'alice', caFile: bad }),
        (err: unknown) =>
          err instanceof FleetError &&
          err.code === 'invalid_input' &&
          /--ca-file must be an absolute path/.test(err.message),
      );
    }

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
    assert.equal(
      vscodeRef.notes?.[0],
      `VS Code checks the server's certificate against the operating system's trust store: add the fleet CA there (save the fleet CA there with \`mcp-fleet tls ca --out ${caFile}\`); Node-based clients take NODE_EXTRA_CA_CERTS=${caFile} instead.`,
    );

    const cursorResult = await render({
      server: 'memory',
      format: 'cursor',
      member: 'bob',
      host: 'db-2',
      inlineSecrets: true,
    });
    assert.deepEqual(obj(obj(JSON.parse(cursorResult.content)).mcpServers).memory, {
      url,
      headers: { Authorization: `Bearer memory-${tokens.bob}` },
    });
    assert.match(
      cursorResult.notes?.[0] ?? '',
      /^Cursor checks the server's certificate against the operating system's trust store/,
    );
    const cursorRef = obj(
      JSON.parse(
        (await render({ server: 'memory', format: 'cursor', member: 'bob', publishAddress: '127.0.0.1' }))
          .content,
      ),
    );
    assert.deepEqual(obj(cursorRef.mcpServers).memory, {
      url: 'https://localhost:18100/mcp',
      headers: { Authorization: 'Bearer ${env:MCP_FLEET_MEMORY_TOKEN}' },
    });
  });

  it('claude, vscode, cursor without TLS: http, --allow-http off loopback only, and the plain-HTTP warning', async () => {
    const url = 'http://203.0.113.9:18200/mcp';
    const claude = await render({
      server: 'Every.thing_',
      format: 'claude',
      member: 'alice',
      host: 'db-2',
      port: 18200,
    });
    const entry = obj(obj(obj(JSON.parse(claude.content)).mcpServers)['Every.thing_']);
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
    assert.deepEqual(Object.keys(obj(entry.env)), ['AUTH_HEADER'], 'no CA without TLS');
    assert.ok(
      tlsAsked.includes(`Every.thing_ db-2 ${containerName('Every.thing_', 'alice')}`),
      'the member’s own instance',
    );
    const loopback = await render({
      server: 'Every.thing_',
      format: 'claude',
      member: 'alice',
      port: 18200,
    });
    assert.ok(!loopback.content.includes('--allow-http'), 'mcp-remote allows plain http to localhost');
    for (const format of ['claude', 'vscode', 'cursor'] as const) {
      const result = await render({
        server: 'Every.thing_',
        format,
        member: 'bob',
        host: 'db-2',
        port: 18200,
      });
      assert.ok(result.content.includes('"http://203.0.113.9:18200/mcp"'), format);
      assert.ok(!result.content.includes('https://'), format);
      assert.deepEqual(result.notes, [
        'WARNING: plain HTTP: this server runs without TLS (--no-tls), so bearer tokens travel in clear text unless a TLS terminator (a reverse proxy, a tunnel) stands in front of the bridge.',
      ]);
      assert.equal(result.notes?.[0], NO_TLS_WARNING);
    }
  });
  it('an empty reach renders every format byte for byte as before reaches existed', async () => {
    const rendered = renderAllFormats(EMPTY_REACH);
    assert.equal(rendered.length, 16);
    for (const { file, content } of rendered) {
      assert.equal(content, await readFile(path.join(TESTDATA, file), 'utf8'), file);
    }
  });

  it('docker-run with a reach: the mounts, hosts and networks in a script dash and bash parse', async () => {
    const result = await render({ server: 'reach', format: 'docker-run', port: 18300 });
    const script = path.join(workDir, 'reach-docker-run.sh');
    await writeFile(script, result.content);
    for (const shell of ['dash', 'bash']) await run(shell, ['-n', script]);
    const text = result.content;
    const alice = containerName('reach', 'alice');
    const bob = containerName('reach', 'bob');
    // Checked once, before any file is written or image built.
    const check = text.indexOf('docker network inspect db-net >/dev/null 2>&1 || {');
    assert.ok(check > 0 && check < text.indexOf('mkdir -p'), 'the network check comes first');
    assert.equal(text.split('docker network inspect db-net').length, 2, 'one check per network');
    for (const [member, name] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const block = text.slice(text.indexOf(`docker create \\\n    --name ${name}`));
      assert.ok(block.length < text.length, `${name} is created, not run`);
      const create = block.slice(0, block.indexOf('\n  docker network connect'));
      assert.match(
        create,
        /\n {4}--mount 'type=bind,source=\/srv\/reference docs,target=\/data,readonly' \\\n/,
      );
      assert.match(create, /\n {4}--mount type=bind,source=\/srv\/out,target=\/out \\\n/);
      assert.ok(
        create.includes(`--mount type=volume,source=mcp-fleet-reach-${member}-cache,target=/cache \\\n`),
      );
      assert.ok(create.includes('--mount type=volume,source=mcp-fleet-reach-common,target=/common,readonly'));
      assert.ok(create.includes('--add-host db.internal:10.1.2.3 \\\n'));
      assert.ok(create.includes('--add-host v6.internal:fd00::7 \\\n'));
      assert.ok(!create.includes('--detach'));
      assert.ok(
        block.includes(
          `\n  docker network connect db-net ${name} || { docker rm --force ${name} >/dev/null 2>&1; exit 1; }\n  docker start ${name} >/dev/null\nfi\n`,
        ),
        `${name} joins db-net before it starts`,
      );
    }
  });

  it('compose, swarm and k8s with a reach: mounts, a volume per member or one shared, networks, hosts', async () => {
    const alice = containerName('reach', 'alice');
    const bob = containerName('reach', 'bob');
    const perMember = (m: string) => volumeName('reach', { source: 'cache', shared: false }, m);
    const common = volumeName('reach', { source: 'common', shared: true }, 'alice');
    assert.notEqual(perMember('alice'), perMember('bob'));
    assert.equal(common, volumeName('reach', { source: 'common', shared: true }, 'bob'));
    const mountsOf = (svc: Obj) =>
      (svc.volumes as Obj[])
        .filter((v) => v.type !== 'tmpfs' && !String(v.target).startsWith('/run/mcp-fleet'))
        .map((v) => `${String(v.type)} ${String(v.source)} ${String(v.target)} ${String(v.read_only)}`);
    const reachMounts = (member: string) => [
      'bind /srv/reference docs /data true',
      'bind /srv/out /out false',
      `volume ${perMember(member)} /cache false`,
      `volume ${common} /common true`,
    ];

    const compose = await render({ server: 'reach', format: 'compose', port: 18300 });
    const composeDoc = obj(parse(compose.content, { version: '1.1' }));
    for (const [member, name] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const svc = obj(obj(composeDoc.services)[name]);
      assert.deepEqual(mountsOf(svc), reachMounts(member));
      assert.deepEqual(svc.networks, ['default', 'db-net'], 'the default network keeps the port');
      assert.equal(svc.network_mode, undefined);
      assert.deepEqual(svc.extra_hosts, ['db.internal:10.1.2.3', 'v6.internal:fd00::7']);
      // The prepare service hands the server's volumes to the container user first.
      const prepare = obj(obj(composeDoc.services)[`${name}-prepare`]);
      assert.deepEqual(
        (prepare.volumes as Obj[]).filter((v) => v.type === 'volume').map((v) => v.source),
        [perMember(member), common],
      );
    }
    assert.deepEqual(obj(composeDoc.volumes), {
      [perMember('alice')]: { name: perMember('alice') },
      [common]: { name: common },
      [perMember('bob')]: { name: perMember('bob') },
    });
    assert.deepEqual(obj(composeDoc.networks), { 'db-net': { external: true } });
    assert.match(
      compose.content,
      /^# Host paths .*must exist.*: \/srv\/reference docs \(read-only\), \/srv\/out \(read-write\)$/m,
    );
    assert.match(compose.content, /^# Docker networks .*must exist \(external\): db-net$/m);

    const swarm = await render({ server: 'reach', format: 'swarm', port: 18300 });
    const swarmDoc = obj(parse(swarm.content, { version: '1.1' }));
    for (const [member, name] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const svc = obj(obj(swarmDoc.services)[name]);
      assert.deepEqual(mountsOf(svc), reachMounts(member));
      assert.deepEqual(svc.networks, ['default', 'db-net']);
      assert.deepEqual(svc.extra_hosts, ['db.internal:10.1.2.3', 'v6.internal:fd00::7']);
    }
    assert.deepEqual(Object.keys(obj(swarmDoc.volumes)), [perMember('alice'), common, perMember('bob')]);
    assert.deepEqual(obj(swarmDoc.networks), { 'db-net': { external: true } });
    assert.match(
      swarm.content,
      /^# Networks are external and must be attachable overlay networks .*: db-net\.$/m,
    );
    assert.match(
      swarm.content,
      /^# Bind mounts need their host paths on every node .*: \/srv\/reference docs, \/srv\/out\.$/m,
    );

    const k8s = await render({ server: 'reach', format: 'k8s', port: 18300 });
    const docs = parseAllDocuments(k8s.content, { version: '1.1' }).map((d) => obj(d.toJS()));
    const claims = docs.filter((d) => d.kind === 'PersistentVolumeClaim').map((d) => obj(d.metadata));
    assert.deepEqual(
      claims.map((m) => obj(m.annotations)['io.mcp-fleet.volume']),
      [perMember('alice'), common, perMember('bob')],
      'one claim per member volume, one for the shared volume',
    );
    for (const m of claims) assert.match(String(m.name), /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    for (const [member, name] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const deployment = docs.find((d) => d.kind === 'Deployment' && obj(d.metadata).name === k8sName(name));
      const pod = obj(obj(obj(deployment?.spec).template).spec);
      const claimOf = (source: string) =>
        claims.find((m) => obj(m.annotations)['io.mcp-fleet.volume'] === source)?.name;
      assert.deepEqual((pod.volumes as Obj[]).slice(2), [
        { name: 'bind-1', hostPath: { path: '/srv/reference docs', type: 'Directory' } },
        { name: 'bind-2', hostPath: { path: '/srv/out', type: 'Directory' } },
        { name: 'volume-1', persistentVolumeClaim: { claimName: claimOf(perMember(member)) } },
        { name: 'volume-2', persistentVolumeClaim: { claimName: claimOf(common) } },
      ]);
      const container = obj((pod.containers as unknown[])[0]);
      assert.deepEqual((container.volumeMounts as Obj[]).slice(2), [
        { name: 'bind-1', mountPath: '/data', readOnly: true },
        { name: 'bind-2', mountPath: '/out', readOnly: false },
        { name: 'volume-1', mountPath: '/cache', readOnly: false },
        { name: 'volume-2', mountPath: '/common', readOnly: true },
      ]);
      assert.deepEqual(pod.hostAliases, [
        { ip: '10.1.2.3', hostnames: ['db.internal'] },
        { ip: 'fd00::7', hostnames: ['v6.internal'] },
      ]);
    }
    const header = k8s.content.slice(0, k8s.content.indexOf('\napiVersion:'));
    assert.match(header, /hostPath ties each pod to a node/);
    assert.match(header, /restricted Pod Security levels refuse it/);
    assert.match(header, new RegExp(`${String(claims[1]?.name)} is shared by 2 instances`));
    assert.match(header, /Docker networks have no Kubernetes counterpart and are left out \(db-net\)/);
  });
});
