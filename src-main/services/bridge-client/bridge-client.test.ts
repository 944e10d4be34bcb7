// Integration: the app's bridge client against a real HTTPS server on loopback serving leaves of a
// fleet CA kept in a real encrypted store. The road here is a local TCP socket (a host that is this
// machine); over SSH the same TunnelAgent opens channels instead (network.netns.test.ts).
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestStore, type TestStore } from '../../test-support/store';
import { FleetCa, type LeafRecord } from '../tls/fleet-ca';
import { BridgeClient, type BridgeTarget } from './bridge-client';
import { ANY_CERTIFICATE, openLocalTcp, ProbeError, TunnelAgent } from './bridge-http';

const TOKEN = 'a member token';

/** A stand-in bridge: /readyz, and initialize + tools/list (two pages) + DELETE behind the token. */
function fakeBridge(leaf: LeafRecord): https.Server {
  return https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    if (req.url === '/readyz') return void res.end('ready');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401);
      return void res.end();
    }
    if (req.method === 'DELETE') return void res.end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const msg = JSON.parse(body) as { id?: number; method: string; params?: { cursor?: string } };
      const result =
        msg.method === 'initialize'
          ? { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'x', version: '1' } }
          : msg.method === 'tools/list'
            ? msg.params?.cursor === 'p2'
              ? { tools: [{ name: 'second' }] }
              : { tools: [{ name: 'first' }], nextCursor: 'p2' }
            : {};
      res.writeHead(msg.id === undefined ? 202 : 200, {
        'content-type': 'application/json',
        'mcp-session-id': 'session-1',
      });
      res.end(msg.id === undefined ? '' : JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
    });
  });
}

void describe('bridge client over the host road, with the deployed certificate pinned', () => {
  let t: TestStore;
  let leaf: LeafRecord;
  let other: LeafRecord;
  let server: https.Server;
  let port = 0;
  const agent = new TunnelAgent(openLocalTcp);
  const client = new BridgeClient(5_000, 'test');
  const target = (pin: string | null): BridgeTarget => ({ agent, address: '127.0.0.1', port, pin });

  before(async () => {
    t = await createTestStore();
    const hostId = t.store.hosts.insert(
      {
        name: 'here',
        kind: 'local',
        user: null,
        address: null,
        port: null,
        auth: 'none',
        hostKeySha256: null,
      },
      null,
    ).id;
    const ca = new FleetCa({ store: t.store });
    leaf = await ca.leafFor(hostId, 'mcp-fleet-a', { dns: ['localhost'], ip: ['127.0.0.1'] });
    other = await ca.leafFor(hostId, 'mcp-fleet-b', { dns: ['localhost'], ip: ['127.0.0.1'] });
    server = fakeBridge(leaf);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => {
    agent.destroy();
    server.close();
    t.cleanup();
  });

  void it('lists every page of tools when the bridge presents the pinned certificate', async () => {
    assert.equal(await client.probePath(target(leaf.fingerprint256), '/readyz'), 200);
    assert.deepEqual(await client.listTools(target(leaf.fingerprint256), { token: TOKEN, member: 'm' }), [
      'first',
      'second',
    ]);
  });

  void it('refuses another certificate, even one of the same CA, naming both fingerprints', async () => {
    await assert.rejects(
      client.probePath(target(other.fingerprint256), '/readyz'),
      (err: unknown) =>
        err instanceof ProbeError &&
        err.kind === 'tls' &&
        err.message.includes(other.fingerprint256.slice(0, 23)) &&
        err.message.includes(leaf.fingerprint256.slice(0, 23)),
    );
    await assert.rejects(
      client.listTools(target(other.fingerprint256), { token: TOKEN, member: 'm' }),
      (err: unknown) => err instanceof ProbeError && err.kind === 'tls',
    );
  });

  void it('gets no HTTP answer from a TLS port without TLS, and reads readiness with any certificate', async () => {
    assert.equal(await client.probePath(target(null), '/readyz'), null);
    assert.equal(await client.probePath(target(ANY_CERTIFICATE), '/readyz'), 200);
  });

  void it('names the member whose token the bridge refused', async () => {
    await assert.rejects(
      client.listTools(target(leaf.fingerprint256), { token: 'wrong', member: 'ann' }),
      (err: unknown) => err instanceof ProbeError && err.kind === 'unauthorized' && /"ann"/.test(err.message),
    );
  });
});
