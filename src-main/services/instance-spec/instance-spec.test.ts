import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEnvFile } from '../../../src-bridge/child/env-file';
import { parseMembersJson } from '../../../src-bridge/access/members';
import { parseCliArgs } from '../../../src-bridge/ops/cli-args';
import { Name } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { LABELS } from './constants';
import { buildInstanceSpec, type InstanceSpecInput } from './instance-spec';
import { containerName, instanceConfigDir } from './names';
import { memberRecord, serverRecord } from '../../test-support/records';
import { cpusText, memoryText, toDockerCreateOptions, toDockerRunArgv } from './render-docker';

const IMAGE = 'mcp-fleet/runtime:0123456789abcdef';
const alice = memberRecord('alice', ['*']);
const bob = memberRecord('bob', ['read_graph', 'search_*']);

function input(overrides: Partial<InstanceSpecInput> = {}): InstanceSpecInput {
  return {
    server: serverRecord({ env: [{ key: 'API_KEY', value: 's3cr3t "x"\nline', secret: true }] }),
    members: [alice, bob],
    image: IMAGE,
    port: 18080,
    configDir: '/home/ops/.mcp-fleet/instances/mcp-fleet-memory',
    ...overrides,
  };
}

describe('buildInstanceSpec', () => {
  it('describes a hardened Shared instance whose bridge argv the bridge itself accepts', () => {
    const spec = buildInstanceSpec(input({ allowCidrs: ['10.0.0.0/8', '192.168.1.7'] }));
    const c = spec.container;
    assert.equal(c.name, 'mcp-fleet-memory');
    assert.equal(c.user, '10001:10001');
    assert.deepEqual(c.capDrop, ['ALL']);
    assert.deepEqual(c.securityOpt, ['no-new-privileges']);
    assert.equal(c.readOnlyRootfs, true);
    assert.deepEqual(c.tmpfs, { '/tmp': 'rw,noexec,nosuid,size=64m' });
    assert.equal(c.init, true);
    assert.equal(c.pidsLimit, 256);
    assert.equal(c.memoryBytes, 512 * 1024 * 1024);
    assert.equal(c.nanoCpus, 1e9);
    assert.equal(c.restart, 'unless-stopped');
    // With an allowlist, IPv4 only: docker-proxy would relay IPv6 clients from the gateway's address.
    assert.deepEqual(c.ports, [{ hostIp: '0.0.0.0', hostPort: 18080, containerPort: 8080 }]);
    assert.deepEqual(c.env, {}, 'no container env: secrets stay in the file');
    assert.equal(c.labels[LABELS.server], 'memory');
    assert.equal(c.labels[LABELS.instance], 'mcp-fleet-memory');
    assert.equal(c.labels[LABELS.member], undefined);
    assert.equal(c.labels[LABELS.configHash], spec.configHash);
    assert.match(spec.configHash, /^[0-9a-f]{64}$/);

    // The bridge's own parser reads the command the container gets.
    const parsed = parseCliArgs(c.cmd);
    assert.equal(parsed.kind, 'run');
    if (parsed.kind !== 'run') return;
    assert.equal(parsed.args.mode, 'shared');
    assert.equal(parsed.args.membersFile, '/run/mcp-fleet/members.json');
    assert.equal(parsed.args.envFile, '/run/mcp-fleet/env');
    assert.deepEqual(parsed.args.allowCidr, ['10.0.0.0/8', '192.168.1.7/32']);
    assert.equal(parsed.args.allowGateway, true, 'the app reaches the bridge from the host itself');
    assert.equal(parsed.args.command, 'npx');
    assert.deepEqual(parsed.args.args, ['-y', '@modelcontextprotocol/server-memory@2026.8.31']);
    assert.ok(!c.cmd.join(' ').includes('s3cr3t'), 'no secret on the command line');
  });

  it('writes files the bridge reads back exactly: secrets in the env file, only hashes in members', () => {
    const spec = buildInstanceSpec(input());
    const env = parseEnvFile(spec.files.env.content, 'env');
    assert.equal(env.API_KEY, 's3cr3t "x"\nline');
    // server-memory keeps its graph in a named volume, not in the read-only root.
    assert.equal(env.MEMORY_FILE_PATH, '/var/lib/mcp-server/memory.json');
    assert.deepEqual(spec.stateVolume, { name: 'mcp-fleet-memory-state', target: '/var/lib/mcp-server' });
    assert.equal(spec.files.env.mode, 0o600);
    assert.deepEqual(spec.files.env.secretKeys, ['API_KEY']);
    assert.ok(!spec.files.env.plainContent.includes('s3cr3t'));
    const members = parseMembersJson(spec.files.members.content, 'members');
    assert.deepEqual(
      members.map((m) => [m.name, m.tokenSha256, m.tools]),
      [
        ['alice', [alice.tokenSha256], ['*']],
        ['bob', [bob.tokenSha256], ['read_graph', 'search_*']],
      ],
    );
    assert.ok(!spec.files.members.content.includes(alice.token), 'no token in the container, only its hash');
    const mounts = spec.container.mounts.map((m) => `${m.type} ${m.source} ${m.target} ${m.readOnly}`);
    assert.deepEqual(mounts, [
      'bind /home/ops/.mcp-fleet/instances/mcp-fleet-memory/env /run/mcp-fleet/env true',
      'bind /home/ops/.mcp-fleet/instances/mcp-fleet-memory/members.json /run/mcp-fleet/members.json true',
      'volume mcp-fleet-memory-state /var/lib/mcp-server false',
    ]);
  });

  it('publishes on every interface and admits no gateway when there is no allowlist', () => {
    const spec = buildInstanceSpec(input());
    assert.deepEqual(spec.container.ports, [{ hostIp: '', hostPort: 18080, containerPort: 8080 }]);
    assert.ok(!spec.container.cmd.includes('--allow-gateway'));
  });

  it('hands the bridge its certificate and key as read-only files of mode 0600, the key a secret', () => {
    const certPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const keyPem = '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n';
    const plain = buildInstanceSpec(input());
    assert.equal(plain.tls, false);
    assert.equal(plain.files.tls, null);
    const spec = buildInstanceSpec(input({ tls: { certPem, keyPem } }));
    assert.equal(spec.tls, true);
    assert.deepEqual(
      [spec.files.tls?.cert, spec.files.tls?.key].map((f) => [f?.containerPath, f?.mode, f?.secret]),
      [
        ['/run/mcp-fleet/tls.crt', 0o600, false],
        ['/run/mcp-fleet/tls.key', 0o600, true],
      ],
    );
    assert.equal(spec.files.tls?.key.content, keyPem);
    const parsed = parseCliArgs(spec.container.cmd);
    assert.equal(parsed.kind, 'run');
    if (parsed.kind !== 'run') return;
    assert.equal(parsed.args.tlsCert, '/run/mcp-fleet/tls.crt');
    assert.equal(parsed.args.tlsKey, '/run/mcp-fleet/tls.key');
    assert.ok(!spec.container.cmd.join(' ').includes('MIGH'), 'no key material on the command line');
    const mounts = spec.container.mounts.filter((m) => m.target.startsWith('/run/mcp-fleet/tls'));
    assert.deepEqual(
      mounts.map((m) => `${m.source} ${m.target} ${m.readOnly}`),
      [
        '/home/ops/.mcp-fleet/instances/mcp-fleet-memory/tls.crt /run/mcp-fleet/tls.crt true',
        '/home/ops/.mcp-fleet/instances/mcp-fleet-memory/tls.key /run/mcp-fleet/tls.key true',
      ],
    );
    // The prepare container hands all four files to the container user.
    assert.deepEqual(
      spec.prepare.cmd.filter((w) => w.startsWith('/mcp-fleet/config/')),
      ['env', 'members.json', 'tls.crt', 'tls.key'].map((f) => `/mcp-fleet/config/${f}`),
    );
    // A renewed certificate is a changed definition: the instance is replaced to serve it.
    const renewed = buildInstanceSpec(input({ tls: { certPem: certPem.replace('MIIB', 'MIIC'), keyPem } }));
    assert.notEqual(renewed.configHash, spec.configHash);
    assert.notEqual(plain.configHash, spec.configHash);
    assert.throws(
      () => buildInstanceSpec(input({ tls: { certPem: 'not a certificate', keyPem } })),
      /the TLS certificate is not PEM/,
    );
  });

  it('gives a Dedicated member its own instance, name and member label', () => {
    const server = serverRecord({
      mode: 'dedicated',
      sourceValue: '@modelcontextprotocol/server-everything@2026.8.31',
    });
    const spec = buildInstanceSpec(input({ server, members: [bob] }));
    assert.equal(spec.member, 'bob');
    assert.equal(spec.container.labels[LABELS.member], 'bob');
    assert.match(spec.container.name ?? '', /^mcp-fleet-memory-bob-[0-9a-f]{8}$/);
    assert.ok(spec.container.cmd.includes('dedicated'));
    assert.equal(spec.stateVolume, null, 'server-everything keeps no state');
    assert.throws(() => buildInstanceSpec(input({ server, members: [alice, bob] })), /exactly one member/);
  });

  it('keeps container names apart where joining server and member names would collide', () => {
    assert.notEqual(containerName('a', 'b-c'), containerName('a-b', 'c'));
    assert.notEqual(containerName('github-alice', null), containerName('github', 'alice'));
    assert.match(containerName('github', 'alice'), /^mcp-fleet-github-alice-[0-9a-f]{8}$/);
  });

  it('changes the config hash when a secret rotates or a token changes, not otherwise', () => {
    const base = buildInstanceSpec(input()).configHash;
    assert.equal(buildInstanceSpec(input()).configHash, base, 'deterministic');
    const rotated = input({
      server: serverRecord({ env: [{ key: 'API_KEY', value: 'other', secret: true }] }),
    });
    assert.notEqual(buildInstanceSpec(rotated).configHash, base);
    const newToken = memberRecord('alice', ['*']);
    assert.notEqual(buildInstanceSpec(input({ members: [newToken, bob] })).configHash, base);
    assert.notEqual(buildInstanceSpec(input({ port: 18081 })).configHash, base);
    assert.notEqual(
      buildInstanceSpec(input({ limits: { memoryBytes: 256 * 1024 * 1024 } })).configHash,
      base,
    );
  });

  it('lets limits change per server and opens /tmp for exec for uvx servers', () => {
    const spec = buildInstanceSpec(
      input({ limits: { memoryBytes: 1024 * 1024 * 1024, nanoCpus: 1_500_000_000, pidsLimit: 64 } }),
    );
    assert.equal(memoryText(spec.container.memoryBytes), '1024m');
    assert.equal(cpusText(spec.container.nanoCpus), '1.5');
    assert.equal(spec.container.pidsLimit, 64);
    const uvx = buildInstanceSpec(
      input({ server: serverRecord({ sourceKind: 'uvx', sourceValue: 'mcp-server-fetch==2025.4.7' }) }),
    );
    assert.equal(uvx.container.tmpfs['/tmp'], 'rw,nosuid,size=512m');
    assert.deepEqual(uvx.container.cmd.slice(uvx.container.cmd.indexOf('--') + 1), [
      'uvx',
      'mcp-server-fetch@2025.4.7',
    ]);
  });

  it("runs an image source's own command from its own folder, with its ENV through the file", () => {
    const server = serverRecord({
      sourceKind: 'image',
      sourceValue: 'ghcr.io/acme/mcp:1.2',
      args: ['--verbose'],
    });
    const spec = buildInstanceSpec(
      input({
        server,
        imageConfig: {
          entrypoint: ['/app/server'],
          cmd: ['--default'],
          workingDir: '/app',
          env: ['PATH=/app/bin:/usr/bin', 'HOME=/root', 'MODE=prod'],
        },
      }),
    );
    assert.deepEqual(spec.container.cmd.slice(spec.container.cmd.indexOf('--') + 1), [
      '/app/server',
      '--verbose',
    ]);
    assert.equal(spec.container.workdir, '/app');
    const env = parseEnvFile(spec.files.env.content, 'env');
    assert.equal(env.MODE, 'prod');
    assert.equal(env.PATH, '/app/bin:/usr/bin');
    assert.equal(env.HOME, undefined, "the image's HOME is not writable under a read-only root");
    assert.throws(() => buildInstanceSpec(input({ server })), /ENTRYPOINT and CMD are needed/);
  });

  it('refuses what cannot run, naming the field and never the value', () => {
    const cases: [Partial<InstanceSpecInput>, RegExp][] = [
      [{ members: [] }, /has no members/],
      [{ configDir: 'relative/dir' }, /absolute path/],
      [{ configDir: '/srv/a,b' }, /commas/],
      [{ publishAddress: 'localhost; rm -rf /' }, /publish address/],
      [{ allowCidrs: ['10.0.0.0/33'] }, /not an address range/],
      [{ port: 70000 }, /not a port/],
      [{ server: serverRecord({ args: ['ok', 'bad\0arg'] }) }, /server argument 2 contains a NUL byte/],
      [
        { server: serverRecord({ env: [{ key: 'K', value: 'sec\0ret', secret: true }] }) },
        /value of K contains a NUL/,
      ],
      [{ server: serverRecord({ args: ['\ud800'] }) }, /not valid Unicode/],
      [{ server: serverRecord({ name: '-rf' }) }, /server name "-rf" must be/],
    ];
    for (const [overrides, message] of cases) {
      assert.throws(
        () => buildInstanceSpec(input(overrides)),
        (err: unknown) =>
          err instanceof FleetError &&
          err.code === 'invalid_input' &&
          message.test(err.message) &&
          !err.message.includes('sec\0ret'),
        String(message),
      );
    }
  });

  it('rejects at input every name Docker would refuse as a container name', () => {
    for (const bad of [
      '',
      '-x',
      '.x',
      '_x',
      'a b',
      'a/b',
      'a:b',
      "a'b",
      'a$(id)',
      'ü',
      'a'.repeat(64),
      'a\nb',
    ]) {
      assert.equal(Name.safeParse(bad).success, false, JSON.stringify(bad));
    }
    for (const good of ['a', 'A1', '0x', 'a.b_c-d', 'a'.repeat(63)]) {
      assert.equal(Name.safeParse(good).success, true, good);
      assert.match(containerName(good, null), /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
    }
  });

  it('renders the same fields in both forms', () => {
    const spec = buildInstanceSpec(input({ publishAddress: '::1' }));
    const argv = toDockerRunArgv(spec.container);
    const options = toDockerCreateOptions(spec.container);
    assert.deepEqual(argv.slice(0, 4), ['run', '--detach', '--name', 'mcp-fleet-memory']);
    assert.ok(argv.includes('[::1]:18080:8080/tcp'));
    assert.deepEqual(options.HostConfig?.PortBindings, {
      '8080/tcp': [{ HostIp: '::1', HostPort: '18080' }],
    });
    assert.deepEqual(argv.slice(argv.indexOf(IMAGE) + 1), options.Cmd);
    assert.equal(
      instanceConfigDir('/root', 'mcp-fleet-memory'),
      '/root/.mcp-fleet/instances/mcp-fleet-memory',
    );
  });
});
