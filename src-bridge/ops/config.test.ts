import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, resolveConfig } from './config';
import { defaultMaxConnections, fdSoftLimit } from '../front-door/fd-limit';
import { sha256 } from '../test-helpers';

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
    // The connection caps follow the descriptor limit of the machine running the test (fd-limit.ts).
    const { maxConnections, maxConnectionsPerSource, maxUnauthenticated, ...rest } = config.limits;
    const {
      maxConnections: _m,
      maxConnectionsPerSource: _p,
      maxUnauthenticated: _u,
      ...expected
    } = DEFAULT_LIMITS;
    assert.deepEqual(rest, expected);
    assert.equal(maxConnections, defaultMaxConnections(fdSoftLimit()));
    assert.equal(maxConnectionsPerSource, Math.floor(maxConnections / 4));
    assert.equal(maxUnauthenticated, Math.floor(maxConnections / 4));
  });

  it('sizes the connection caps below the descriptor limit, and refuses caps that contradict', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-limit-'));
    const limits = join(dir, 'limits');
    writeFileSync(
      limits,
      'Limit Soft Limit Hard Limit Units\nMax open files            300                  4096                 files\n',
    );
    assert.equal(fdSoftLimit(limits), 300);
    assert.equal(fdSoftLimit(join(dir, 'missing')), undefined);
    // Half of a 300 limit: the other half stays free for the child's restart and the files read at start.
    assert.equal(defaultMaxConnections(300), 150);
    assert.equal(defaultMaxConnections(1024), 512);
    assert.equal(defaultMaxConnections(1_048_576), 512);
    assert.equal(defaultMaxConnections(undefined), 512);
    const given = resolveConfig({ ...base, limits: { maxConnections: 40 } }).limits;
    assert.deepEqual(
      [given.maxConnections, given.maxConnectionsPerSource, given.maxUnauthenticated],
      [40, 10, 10],
    );
    assert.throws(
      () => resolveConfig({ ...base, limits: { maxConnections: 10, maxConnectionsPerSource: 20 } }),
      /--max-connections-per-source 20 is above --max-connections 10/,
    );
    assert.throws(() => resolveConfig({ ...base, limits: { maxConnections: 0 } }), /maxConnections must be/);
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

  it('takes roots in shared mode only, checked as MCP roots', () => {
    assert.deepEqual(resolveConfig(base).roots, []);
    const roots = [{ uri: 'file:///srv/data', name: ' data ' }];
    assert.deepEqual(resolveConfig({ ...base, roots }).roots, [{ uri: 'file:///srv/data', name: 'data' }]);
    assert.throws(
      () => resolveConfig({ ...base, roots: [{ uri: 's3://bucket' }] }),
      /must be a file:\/\/ URI/,
    );
    assert.throws(() => resolveConfig({ ...base, mode: 'dedicated', roots }), /--root is for --mode shared/);
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
