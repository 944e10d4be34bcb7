// Integration: the fleet CA in a real encrypted store, its leaves served by a real node:tls server and
// verified by real node:tls clients.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import * as tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import { FleetError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import { Store } from '../store/store';
import { createTestStore } from '../../test-support/store';
import type { TestStore } from '../../test-support/store';
import { FleetCa, LEAF_DAYS_ENV, certificateInfo, ownCertificateInfo } from './fleet-ca';
import type { LeafRecord } from './fleet-ca';

const DAY_MS = 86_400_000;

const code = (expected: ErrorCode, message?: RegExp) => (err: unknown) =>
  err instanceof FleetError && err.code === expected && (message === undefined || message.test(err.message));

function addHost(t: TestStore, name = 'lab'): string {
  return t.store.hosts.insert(
    { name, kind: 'local', user: null, address: null, port: null, auth: 'none', hostKeySha256: null },
    null,
  ).id;
}

/** Every byte of the store's files, to look for plaintext. */
function storeBytes(home: string): Buffer {
  return Buffer.concat(
    readdirSync(home)
      .filter((f) => f.startsWith('fleet.db'))
      .map((f) => readFileSync(join(home, f))),
  );
}

/** A TLS server on 127.0.0.1 that greets every client with "hello", serving `leaf`. */
async function serve(leaf: LeafRecord): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('hello'));
  // A client that rejects the certificate aborts the handshake; the server only notes it.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Connects, verifies as a client would, and returns what the server said. */
function fetchGreeting(options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', ...options });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

void describe('FleetCa', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore();
  });
  afterEach(() => t.cleanup());

  void it('creates the CA once, keeps it encrypted, and finds the same one in the reopened store', async () => {
    const first = new FleetCa({ store: t.store });
    // Two services on one store asking at once (the CLI beside the app) still end with one CA.
    const [a, b, c] = await Promise.all([
      first.caPem(),
      first.caPem(),
      new FleetCa({ store: t.store }).caPem(),
    ]);
    assert.equal(a, b);
    assert.equal(a, c);
    assert.equal(await first.caPem(), a);

    const node = new X509Certificate(a);
    assert.equal(node.ca, true);
    const parsed = new x509.X509Certificate(a);
    const constraints = parsed.getExtension(x509.BasicConstraintsExtension);
    assert.equal(constraints?.ca, true);
    assert.equal(constraints?.pathLength, 0);
    assert.equal(constraints?.critical, true);
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    assert.ok(usage && (usage.usages & x509.KeyUsageFlags.keyCertSign) !== 0);
    const tenYears = new Date();
    tenYears.setUTCFullYear(tenYears.getUTCFullYear() + 10);
    assert.ok(Math.abs(node.validToDate.getTime() - tenYears.getTime()) < 60_000, node.validTo);

    const info = await first.caInfo();
    assert.deepEqual(info, {
      pem: a,
      fingerprint256: node.fingerprint256,
      notAfter: node.validToDate.toISOString(),
    });
    assert.match(info.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.ok(!JSON.stringify(info).includes('PRIVATE KEY'));
    assert.equal(storeBytes(t.home).indexOf('PRIVATE KEY'), -1, 'the CA key is on disk in plaintext');

    t.store.close();
    const reopened = await Store.open({ home: t.home, keyProvider: t.keyProvider });
    try {
      assert.equal(await new FleetCa({ store: reopened }).caPem(), a);
    } finally {
      reopened.close();
    }
  });

  void it('issues leaves that a real TLS client verifies by IP and by DNS name, and only with the CA', async () => {
    const ca = new FleetCa({ store: t.store });
    const leaf = await ca.leafFor(addHost(t), 'mcpf-memory', { dns: ['mcp.fleet.test'], ip: ['127.0.0.1'] });
    const cert = new X509Certificate(leaf.certPem);
    assert.equal(cert.subject, 'CN=mcpf-memory');
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'server auth only');
    assert.equal(cert.ca, false);
    const server = await serve(leaf);
    try {
      const caPem = await ca.caPem();
      assert.equal(await fetchGreeting({ port: server.port, ca: caPem }), 'hello', 'by IP SAN');
      assert.equal(
        await fetchGreeting({ port: server.port, ca: caPem, servername: 'mcp.fleet.test' }),
        'hello',
        'by DNS SAN',
      );
      await assert.rejects(fetchGreeting({ port: server.port }), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      await assert.rejects(fetchGreeting({ port: server.port, ca: caPem, servername: 'other.fleet.test' }), {
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
    } finally {
      await server.close();
    }
  });

  void it('keeps the leaf of an export to no host per server, so exporting again gives the same one', async () => {
    const ca = new FleetCa({ store: t.store });
    const server = t.store.servers.insert({
      name: 'memory',
      sourceKind: 'npx',
      sourceValue: '@modelcontextprotocol/server-memory@2026.8.31',
      args: [],
      env: [],
      mode: 'shared',
      port: null,
    });
    const sans = { dns: ['mcp.example.test'], ip: [] };
    const first = await ca.exportLeafFor(server.id, 'mcp-fleet-memory', sans);
    const again = await ca.exportLeafFor(server.id, 'mcp-fleet-memory', sans);
    assert.equal(again.fingerprint256, first.fingerprint256);
    assert.equal(again.keyPem, first.keyPem);
    assert.deepEqual(t.store.tls.exportLeaf(server.id, 'mcp-fleet-memory'), first);
    // Other names are another certificate; an unknown server has nowhere to keep one.
    const renamed = await ca.exportLeafFor(server.id, 'mcp-fleet-memory', { dns: ['other.test'], ip: [] });
    assert.notEqual(renamed.fingerprint256, first.fingerprint256);
    await assert.rejects(ca.exportLeafFor('no-such-server', 'mcp-fleet-memory', sans), code('not_found'));
  });

  void it('returns the stored leaf until renewDays remain, and issues anew when the names or the CA change', async () => {
    const start = Date.now();
    let clock = new Date(start);
    const ca = new FleetCa({ store: t.store, now: () => clock, leafDays: 90, renewDays: 30 });
    const host = addHost(t);
    const sans = { dns: ['mcp.fleet.test'], ip: ['10.0.0.5', '127.0.0.1'] };
    const first = await ca.leafFor(host, 'mcpf-a', sans);
    assert.ok(Math.abs(Date.parse(first.notAfter) - (start + 90 * DAY_MS)) < 2000);
    assert.equal(first.issuedAt, new Date(start).toISOString());
    assert.deepEqual(t.store.tls.leaf(host, 'mcpf-a'), first);

    clock = new Date(start + 59 * DAY_MS);
    // The same names in another order and case are the same names.
    const reordered = { dns: ['MCP.fleet.test.'], ip: ['127.0.0.1', '10.0.0.5', '127.0.0.1'] };
    assert.deepEqual(await ca.leafFor(host, 'mcpf-a', reordered), first);

    clock = new Date(start + 61 * DAY_MS);
    const renewed = await ca.leafFor(host, 'mcpf-a', sans);
    assert.notEqual(renewed.fingerprint256, first.fingerprint256);
    assert.notEqual(renewed.keyPem, first.keyPem);
    assert.ok(Math.abs(Date.parse(renewed.notAfter) - (start + 151 * DAY_MS)) < 2000);
    assert.deepEqual(await ca.leafFor(host, 'mcpf-a', sans), renewed);

    const moved = await ca.leafFor(host, 'mcpf-a', { dns: ['mcp.fleet.test'], ip: ['10.0.0.6'] });
    assert.notEqual(moved.fingerprint256, renewed.fingerprint256);
    assert.deepEqual(moved.sans, { dns: ['mcp.fleet.test'], ip: ['10.0.0.6'] });
    assert.deepEqual(
      new X509Certificate(moved.certPem).subjectAltName,
      'DNS:mcp.fleet.test, IP Address:10.0.0.6',
    );
    assert.deepEqual(
      t.store.tls.leavesOfHost(host).map((l) => [l.containerName, l.leaf.fingerprint256]),
      [['mcpf-a', moved.fingerprint256]],
    );

    // Another CA in the store (restored, or replaced): the old leaf no longer chains to it.
    const other = await createTestStore();
    try {
      await new FleetCa({ store: other.store }).caPem();
      t.store.tls.setCa(other.store.tls.ca()!, { replace: true });
    } finally {
      other.cleanup();
    }
    const reissued = await ca.leafFor(host, 'mcpf-a', { dns: ['mcp.fleet.test'], ip: ['10.0.0.6'] });
    assert.notEqual(reissued.fingerprint256, moved.fingerprint256);
    assert.ok(new X509Certificate(reissued.certPem).checkIssued(new X509Certificate(await ca.caPem())));

    ca.forget(host, 'mcpf-a');
    assert.equal(t.store.tls.leaf(host, 'mcpf-a'), null);
  });

  void it('gives concurrent callers for one container the same leaf', async () => {
    const ca = new FleetCa({ store: t.store });
    const host = addHost(t);
    const sans = { dns: [], ip: ['127.0.0.1'] };
    const [a, b] = await Promise.all([ca.leafFor(host, 'mcpf-x', sans), ca.leafFor(host, 'mcpf-x', sans)]);
    assert.deepEqual(a, b);
  });

  void it(`takes the leaf lifetime from ${LEAF_DAYS_ENV}, reuses short-lived leaves, and refuses bad values`, async () => {
    const saved = process.env[LEAF_DAYS_ENV];
    const host = addHost(t);
    const sans = { dns: ['a.fleet.test'], ip: [] };
    try {
      process.env[LEAF_DAYS_ENV] = '2';
      const ca = new FleetCa({ store: t.store });
      const leaf = await ca.leafFor(host, 'mcpf-short', sans);
      const days = (Date.parse(leaf.notAfter) - Date.now()) / DAY_MS;
      assert.ok(days > 1.99 && days <= 2, `leaf valid for ${days} days`);
      assert.deepEqual(await ca.leafFor(host, 'mcpf-short', sans), leaf, 'reused, not issued on every call');
      for (const bad of ['0', '398', 'abc', '1.5', '-3', ' 7']) {
        process.env[LEAF_DAYS_ENV] = bad;
        await assert.rejects(
          ca.leafFor(host, 'mcpf-bad', sans),
          code('invalid_input', new RegExp(`^${LEAF_DAYS_ENV} must be a whole number of days from 1 to 397`)),
          bad,
        );
      }
      // An explicit option wins over the environment.
      const explicit = await new FleetCa({ store: t.store, leafDays: 30 }).leafFor(host, 'mcpf-30', sans);
      assert.ok(Math.abs(Date.parse(explicit.notAfter) - Date.now() - 30 * DAY_MS) < 5000);
    } finally {
      if (saved === undefined) delete process.env[LEAF_DAYS_ENV];
      else process.env[LEAF_DAYS_ENV] = saved;
    }
    assert.throws(() => new FleetCa({ store: t.store, leafDays: 0 }), code('invalid_input', /^leafDays/));
    assert.throws(() => new FleetCa({ store: t.store, leafDays: 400 }), code('invalid_input'));
    assert.throws(() => new FleetCa({ store: t.store, renewDays: -1 }), code('invalid_input'));
  });

  void it('refuses bad names and unknown hosts, and stores nothing then', async () => {
    const ca = new FleetCa({ store: t.store });
    const host = addHost(t);
    await assert.rejects(ca.leafFor(host, 'x', { dns: [], ip: [] }), code('invalid_input', /at least one/));
    await assert.rejects(
      ca.leafFor(host, 'x', { dns: ['bad name'], ip: [] }),
      code('invalid_input', /"bad name"/),
    );
    await assert.rejects(
      ca.leafFor(host, 'x', { dns: [], ip: ['10.0.0.300'] }),
      code('invalid_input', /not an IP/),
    );
    await assert.rejects(ca.leafFor('no-such-host', 'x', { dns: ['a.test'], ip: [] }), code('not_found'));
    assert.deepEqual(t.store.tls.leavesOfHost(host), []);
  });
});

void describe('ownCertificateInfo', () => {
  let t: TestStore;
  let ca: FleetCa;
  let host: string;
  beforeEach(async () => {
    t = await createTestStore();
    ca = new FleetCa({ store: t.store });
    host = addHost(t);
  });
  afterEach(() => t.cleanup());

  void it('accepts a matching, current cert and key (a full chain too) and reports its names', async () => {
    const leaf = await ca.leafFor(host, 'own', {
      dns: ['Own.Example.test'],
      ip: ['192.0.2.7', '2001:db8::1'],
    });
    const info = ownCertificateInfo(leaf.certPem + (await ca.caPem()), leaf.keyPem);
    assert.deepEqual(info, {
      fingerprint256: leaf.fingerprint256,
      notAfter: leaf.notAfter,
      sans: { dns: ['own.example.test'], ip: ['192.0.2.7', '2001:db8::1'] },
    });
    assert.deepEqual(certificateInfo(leaf.certPem), {
      fingerprint256: leaf.fingerprint256,
      notAfter: leaf.notAfter,
    });
  });

  void it('rejects a key of another certificate, garbage and an expired certificate without echoing the key', async () => {
    const a = await ca.leafFor(host, 'a', { dns: ['a.test'], ip: [] });
    const b = await ca.leafFor(host, 'b', { dns: ['b.test'], ip: [] });
    const keyBody = (pem: string) => pem.split('\n')[1] as string;
    const noKey = (pem: string, expected: RegExp) => (err: unknown) =>
      code('invalid_input', expected)(err) && !(err as Error).message.includes(keyBody(pem));

    assert.throws(() => ownCertificateInfo(a.certPem, b.keyPem), noKey(b.keyPem, /does not belong/));
    const garbageKey =
      '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1ub3QtYS1rZXk=\n-----END PRIVATE KEY-----\n';
    assert.throws(
      () => ownCertificateInfo(a.certPem, garbageKey),
      noKey(garbageKey, /private key could not be read/),
    );
    assert.throws(() => ownCertificateInfo('hello', a.keyPem), noKey(a.keyPem, /not PEM/));
    // The key pasted where the certificate belongs is refused without being repeated.
    assert.throws(() => ownCertificateInfo(a.keyPem, a.keyPem), noKey(a.keyPem, /not PEM/));
    const garbageCert = '-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n';
    assert.throws(
      () => ownCertificateInfo(garbageCert, a.keyPem),
      code('invalid_input', /could not be read/),
    );
    assert.throws(() => certificateInfo('nope'), code('invalid_input'));

    // Issued 200 days ago for 90 days: expired by now.
    const past = new FleetCa({
      store: t.store,
      now: () => new Date(Date.now() - 200 * DAY_MS),
      leafDays: 90,
    });
    const old = await past.leafFor(host, 'old', { dns: ['old.test'], ip: [] });
    assert.throws(
      () => ownCertificateInfo(old.certPem, old.keyPem),
      code('invalid_input', new RegExp(`^the certificate expired on ${old.notAfter.replace(/\./g, '\\.')}$`)),
    );
    assert.throws(
      () => ownCertificateInfo(a.certPem, a.keyPem, new Date(Date.parse(a.notAfter) + 1000)),
      code('invalid_input', /expired/),
    );
  });
});
