import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, resolveConfig } from './config';
import { sha256 } from './test-helpers';

describe('resolveConfig', () => {
  const base = { port: 8080, command: 'server', tokenSha256: [sha256('t')] };

  it('fills defaults: 0.0.0.0, shared, a 4 MiB body limit, plain HTTP, no proxies', () => {
    const config = resolveConfig(base);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.tls, undefined);
    assert.deepEqual(config.trustedProxies, []);
    assert.equal(config.allowGateway, false);
    assert.equal(config.routeTablePath, '/proc/net/route');
    assert.equal(config.mode, 'shared');
    assert.equal(config.limits.maxBodyBytes, 4 * 1024 * 1024);
    assert.deepEqual(config.limits, DEFAULT_LIMITS);
  });

  it('serves exactly one member in dedicated mode', () => {
    assert.equal(resolveConfig({ ...base, mode: 'dedicated' }).members.length, 1);
    const two = {
      ...base,
      mode: 'dedicated' as const,
      members: [{ name: 'a', tokenSha256: sha256('a'), tools: ['*'] }],
    };
    assert.throws(() => resolveConfig(two), /exactly one member; 2 are configured/);
  });

  it('refuses malformed origins and ranges', () => {
    assert.throws(
      () => resolveConfig({ ...base, allowOrigin: ['app.example.com'] }),
      /--allow-origin "app.example.com"/,
    );
    assert.throws(() => resolveConfig({ ...base, allowCidr: ['10.0.0.0/40'] }), /--allow-cidr/);
    assert.throws(
      () => resolveConfig({ ...base, trustedProxy: ['proxy.example'] }),
      /^BridgeError: --trusted-proxy "proxy.example" is not an address range/,
    );
    assert.equal(resolveConfig({ ...base, allowOrigin: ['*', 'https://a.example:8443'] }).origins.length, 2);
  });
});
