// Unit: what a probe container is created with (the command and env go on its stdin, so neither is in
// its config, where `docker inspect` would show them) and what the server's process is given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../instance-spec/constants';
import { serverRecord } from '../../test-support/records';
import { PROBE_LABEL, probeContainerOptions, probeLaunch } from './tool-probe';

const SECRET = 'sk-probe-0123456789';

void describe('probe containers', () => {
  const server = serverRecord({
    name: 'vt',
    sourceKind: 'image',
    sourceValue: 'ghcr.io/org/vt:2',
    args: ['--flag', 'value with spaces'],
    env: [
      { key: 'API_KEY', value: SECRET, secret: true },
      { key: 'MODE', value: 'plain', secret: false },
    ],
    reach: {
      mounts: [
        { kind: 'bind', source: '/srv/data', target: '/data', readOnly: false },
        { kind: 'volume', source: 'cache', target: '/cache', readOnly: false, shared: false },
      ],
      networks: ['backend'],
      extraHosts: [{ name: 'db', ip: '10.0.0.5' }],
      allowDockerSocket: false,
    },
  });
  const imageConfig = {
    entrypoint: ['node', '/app/server.mjs'],
    cmd: [],
    workingDir: '/app',
    env: ['TOOLS_VERSION=2', 'HOME=/root'],
  };

  it('carries neither the command nor any env value, and is hardened as an instance is', () => {
    const options = probeContainerOptions({
      server,
      image: 'mcp-fleet/runtime:abc',
      workingDir: '/app',
      limits: DEFAULT_LIMITS,
    });
    const text = JSON.stringify(options);
    for (const word of [SECRET, 'plain', 'value with spaces', '/app/server.mjs', 'TOOLS_VERSION']) {
      assert.ok(!text.includes(word), `${word} is in the container config`);
    }
    assert.equal(options.Env, undefined);
    assert.deepEqual(options.Labels, { [PROBE_LABEL]: 'vt' });
    assert.deepEqual([options.OpenStdin, options.StdinOnce, options.Tty], [true, true, false]);
    assert.equal(options.User, '10001:10001');
    const host = options.HostConfig ?? {};
    assert.deepEqual(
      [host.ReadonlyRootfs, host.CapDrop, host.SecurityOpt, host.Init, host.PortBindings],
      [true, ['ALL'], ['no-new-privileges'], true, undefined],
    );
    assert.deepEqual(host.Binds, ['/srv/data:/data:ro'], 'a bind comes along read-only, even an rw one');
    assert.deepEqual(Object.keys(host.Tmpfs ?? {}), ['/tmp', '/cache'], 'a volume is an empty tmpfs folder');
    assert.deepEqual(host.ExtraHosts, ['db:10.0.0.5']);
  });

  it('gives the process the command and env an instance has, HOME left to the runtime image', () => {
    assert.deepEqual(probeLaunch(server, imageConfig, [{ key: 'MEMBER_KEY', value: 'm', secret: true }]), {
      argv: ['node', '/app/server.mjs', '--flag', 'value with spaces'],
      env: { TOOLS_VERSION: '2', API_KEY: SECRET, MODE: 'plain', MEMBER_KEY: 'm' },
    });
  });
});
