import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import { EMPTY_REACH, type ServerReach } from '../../shared/server-mounts';
import { memberRecord, serverRecord } from '../../test-support/records';
import { buildInstanceSpec, type InstanceSpecInput } from './instance-spec';
import { networkConnectArgvs, toDockerCreateOptions, toDockerRunArgv } from './render-docker';
import { swarmHosts, swarmMounts, swarmNetworks } from './swarm-shape';

const IMAGE = 'mcp-fleet/runtime:0123456789abcdef';
const TLS = {
  certPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
  keyPem: '-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----\n',
};
const alice = memberRecord('alice', ['*'], 'token-of-alice-0123456789abcdef0123456789');
const bob = memberRecord('bob', ['read_*'], 'token-of-bob-0123456789abcdef0123456789abc');

/** A Shared server-memory instance with a secret and TLS (state volume, four file mounts). */
function sharedInput(reach: ServerReach = EMPTY_REACH): InstanceSpecInput {
  return {
    server: serverRecord({ env: [{ key: 'API_KEY', value: 'v', secret: true }], reach }),
    members: [alice, bob],
    image: IMAGE,
    port: 18080,
    configDir: '/home/ops/.mcp-fleet/instances/mcp-fleet-memory',
    tls: TLS,
  };
}

/** A Dedicated server-filesystem instance of one member, with an allowlist. */
function dedicatedInput(reach: ServerReach = EMPTY_REACH, member = bob): InstanceSpecInput {
  return {
    server: serverRecord({
      name: 'files',
      mode: 'dedicated',
      sourceValue: '@modelcontextprotocol/server-filesystem@2026.8.31',
      args: ['/srv'],
      reach,
    }),
    members: [member],
    image: IMAGE,
    port: 18081,
    configDir: '/home/ops/.mcp-fleet/instances/x',
    allowCidrs: ['10.0.0.0/8'],
  };
}

const REACH: ServerReach = {
  mounts: [
    { kind: 'bind', source: '/srv/docs', target: '/docs', readOnly: true },
    { kind: 'volume', source: 'cache', target: '/cache', readOnly: false, shared: false },
    { kind: 'volume', source: 'common', target: '/common', readOnly: true, shared: true },
  ],
  networks: ['backend', 'db-net'],
  extraHosts: [
    { name: 'db.internal', ip: '10.1.2.3' },
    { name: 'v6.internal', ip: 'fd00::1' },
  ],
  allowDockerSocket: false,
};

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FleetError, String(err));
    assert.equal(err.code, 'invalid_input');
    assert.match(err.message, pattern);
    return true;
  });
}

describe('a server reach in the instance spec', () => {
  it('keeps the config hash of a server without one byte for byte (pinned before reach existed)', () => {
    // Computed by the instance spec as it was before commit a4ecda7 added extraNetworks/extraHosts.
    assert.equal(
      buildInstanceSpec(sharedInput()).configHash,
      'fae8ce626d058eb435c262a324e6cb3153c1d9119c18dda5a9abc032d8c5e6cf',
    );
    assert.equal(
      buildInstanceSpec(dedicatedInput()).configHash,
      '6c02e16b0e108e79db699a1fa83910573b92888ad01f01425c2ea46a04c8cda6',
    );
  });

  it('gives a server without one no extra mounts, networks, hosts or prepare volumes', () => {
    const spec = buildInstanceSpec(sharedInput());
    assert.deepEqual(
      spec.container.mounts.map((m) => m.target),
      [
        '/run/mcp-fleet/env',
        '/run/mcp-fleet/members.json',
        '/run/mcp-fleet/tls.crt',
        '/run/mcp-fleet/tls.key',
        '/var/lib/mcp-server',
      ],
    );
    assert.deepEqual(spec.container.extraNetworks, []);
    assert.deepEqual(spec.container.extraHosts, []);
    assert.equal(toDockerCreateOptions(spec.container).HostConfig?.ExtraHosts, undefined);
    assert.ok(!toDockerRunArgv(spec.container).includes('--add-host'));
    assert.deepEqual(
      spec.prepare.mounts.map((m) => m.target),
      ['/mcp-fleet/config', '/mcp-fleet/state'],
    );
  });

  it('turns binds, volumes, networks and hosts into the container, keeping its hardening', () => {
    const spec = buildInstanceSpec(sharedInput(REACH));
    const c = spec.container;
    assert.deepEqual(c.mounts.slice(-3), [
      { type: 'bind', source: '/srv/docs', target: '/docs', readOnly: true },
      { type: 'volume', source: 'mcp-fleet-memory-cache', target: '/cache', readOnly: false },
      { type: 'volume', source: 'mcp-fleet-memory-common', target: '/common', readOnly: true },
    ]);
    assert.deepEqual(c.extraNetworks, ['backend', 'db-net']);
    assert.deepEqual(c.extraHosts, ['db.internal:10.1.2.3', 'v6.internal:fd00::1']);
    assert.equal(c.readOnlyRootfs, true);
    assert.deepEqual(c.capDrop, ['ALL']);
    assert.deepEqual(c.securityOpt, ['no-new-privileges']);
    assert.equal(c.network, null, 'the container keeps its own network, where its port is published');
    assert.notEqual(spec.configHash, buildInstanceSpec(sharedInput()).configHash);

    const options = toDockerCreateOptions(c);
    assert.deepEqual(options.HostConfig?.ExtraHosts, ['db.internal:10.1.2.3', 'v6.internal:fd00::1']);
    assert.deepEqual(options.HostConfig?.Mounts?.slice(-3), [
      { Type: 'bind', Source: '/srv/docs', Target: '/docs', ReadOnly: true },
      { Type: 'volume', Source: 'mcp-fleet-memory-cache', Target: '/cache' },
      { Type: 'volume', Source: 'mcp-fleet-memory-common', Target: '/common', ReadOnly: true },
    ]);
    assert.equal(options.NetworkingConfig, undefined);
    const argv = toDockerRunArgv(c);
    assert.ok(argv.join(' ').includes('--mount type=bind,source=/srv/docs,target=/docs,readonly'));
    assert.ok(argv.join(' ').includes('--add-host v6.internal:fd00::1'));
    assert.deepEqual(networkConnectArgvs(c), [
      ['network', 'connect', 'backend', 'mcp-fleet-memory'],
      ['network', 'connect', 'db-net', 'mcp-fleet-memory'],
    ]);

    // The prepare container hands the new volumes' roots to the container user, beside the state volume.
    assert.deepEqual(
      spec.prepare.mounts.filter((m) => m.type === 'volume').map((m) => [m.source, m.target]),
      [
        ['mcp-fleet-memory-state', '/mcp-fleet/state'],
        ['mcp-fleet-memory-cache', '/mcp-fleet/volume-1'],
        ['mcp-fleet-memory-common', '/mcp-fleet/volume-2'],
      ],
    );
    assert.deepEqual(spec.prepare.cmd.slice(-3), [
      '/mcp-fleet/state',
      '/mcp-fleet/volume-1',
      '/mcp-fleet/volume-2',
    ]);
  });

  it("quotes a --mount field holding a quote as docker's CSV reading wants (it refuses a bare one)", () => {
    const spec = buildInstanceSpec(
      sharedInput({
        ...EMPTY_REACH,
        mounts: [{ kind: 'bind', source: '/srv/a"b', target: '/d"x', readOnly: true }],
      }),
    );
    const argv = toDockerRunArgv(spec.container);
    assert.ok(argv.includes('type=bind,"source=/srv/a""b","target=/d""x",readonly'), argv.join(' '));
  });

  it('gives each Dedicated member its own volume unless it is shared', () => {
    const volumesOf = (member: typeof bob) =>
      buildInstanceSpec(dedicatedInput(REACH, member))
        .container.mounts.filter((m) => m.type === 'volume')
        .map((m) => m.source);
    assert.deepEqual(volumesOf(bob), ['mcp-fleet-files-bob-cache', 'mcp-fleet-files-common']);
    assert.deepEqual(volumesOf(alice), ['mcp-fleet-files-alice-cache', 'mcp-fleet-files-common']);
  });

  it('renders the Swarm service mounts, networks and hosts, files still as secrets', () => {
    const plain = buildInstanceSpec(sharedInput()).container;
    assert.deepEqual(swarmMounts(plain), [
      { Type: 'volume', Source: 'mcp-fleet-memory-state', Target: '/var/lib/mcp-server', ReadOnly: false },
    ]);
    assert.deepEqual(swarmNetworks(plain), []);
    assert.deepEqual(swarmHosts(plain), []);
    const c = buildInstanceSpec(sharedInput(REACH)).container;
    assert.deepEqual(
      swarmMounts(c).map((m) => `${m.Type} ${m.Source} ${m.Target} ${m.ReadOnly}`),
      [
        'volume mcp-fleet-memory-state /var/lib/mcp-server false',
        'bind /srv/docs /docs true',
        'volume mcp-fleet-memory-cache /cache false',
        'volume mcp-fleet-memory-common /common true',
      ],
    );
    assert.deepEqual(swarmNetworks(c), [{ Target: 'backend' }, { Target: 'db-net' }]);
    assert.deepEqual(swarmHosts(c), ['10.1.2.3 db.internal', 'fd00::1 v6.internal']);
  });

  it('refuses a mount over what the instance itself uses, and a reach the rules refuse', () => {
    const bind = (target: string): ServerReach => ({
      ...EMPTY_REACH,
      mounts: [{ kind: 'bind', source: '/srv/docs', target, readOnly: true }],
    });
    refused(() => buildInstanceSpec(sharedInput(bind('/run/mcp-fleet'))), /cover \/run\/mcp-fleet/);
    refused(() => buildInstanceSpec(sharedInput(bind('/run/mcp-fleet/env'))), /cover \/run\/mcp-fleet/);
    refused(() => buildInstanceSpec(sharedInput(bind('/run'))), /cover \/run\/mcp-fleet/);
    refused(() => buildInstanceSpec(sharedInput(bind('/run/secrets'))), /cover \/run\/secrets/);
    refused(() => buildInstanceSpec(sharedInput(bind('/tmp'))), /cover \/tmp/);
    refused(() => buildInstanceSpec(sharedInput(bind('/var/lib'))), /cover \/var\/lib\/mcp-server/);
    // A record written before a rule existed is checked again.
    const socket: ServerReach = {
      ...EMPTY_REACH,
      mounts: [{ kind: 'bind', source: '/var/run/docker.sock', target: '/sock', readOnly: true }],
    };
    refused(() => buildInstanceSpec(sharedInput(socket)), /Docker socket.*--allow-docker-socket/);
    const root: ServerReach = {
      ...EMPTY_REACH,
      mounts: [{ kind: 'bind', source: '/', target: '/host', readOnly: true }],
    };
    refused(() => buildInstanceSpec(sharedInput(root)), /"\/" may not be mounted/);
    refused(() => buildInstanceSpec(sharedInput({ ...EMPTY_REACH, networks: ['host'] })), /Docker's own/);
    assert.doesNotThrow(() => buildInstanceSpec(sharedInput({ ...socket, allowDockerSocket: true })));
  });
});
