// HTTPS (--tls-cert/--tls-key) over real sockets, in front of the real server-sequential-thinking from
// npm, with certificates made by the openssl CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startBridge } from '../bridge';
import { BridgeError } from '../errors';
import { certificateDir, makeTestCertificate, type TestCertificate } from '../test-certificates';
import {
  INITIALIZE,
  MCP_HEADERS,
  raw,
  serverCommand,
  sha256,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'tls-token-5Yq8pLm2-0123456789';

interface HttpsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTPS request, trusting only `ca` (or the system's roots when it is undefined). */
function httpsRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; ca?: string },
): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('bridge over HTTPS', () => {
  let bridge: TestBridge;
  let certificate: TestCertificate;
  let cleanup: () => Promise<void>;
  let base: string;
  before(async () => {
    const folder = await certificateDir();
    cleanup = folder.cleanup;
    certificate = await makeTestCertificate(folder.dir);
    bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      tls: { certFile: certificate.certFile, keyFile: certificate.keyFile },
    });
    base = `https://127.0.0.1:${bridge.port}`;
  });
  after(async () => {
    await bridge.close();
    await cleanup();
  });

  const mcp = (headers: Record<string, string>, body: unknown) =>
    httpsRequest(`${base}/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}`, ...headers },
      body: JSON.stringify(body),
      ca: certificate.cert,
    });

  it('serves initialize and tools/list to a client that trusts the certificate', async () => {
    const init = await mcp({}, INITIALIZE);
    assert.equal(init.status, 200, init.text);
    const session = init.headers['mcp-session-id'];
    assert.equal(typeof session, 'string');
    const headers = { 'mcp-session-id': String(session), 'mcp-protocol-version': '2025-11-25' };
    assert.equal((await mcp(headers, { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
    const list = await mcp(headers, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    assert.equal(list.status, 200);
    assert.match(list.text, /sequentialthinking/);
  });

  it('fails certificate verification for a client that does not trust it', async () => {
    await assert.rejects(
      httpsRequest(`${base}/healthz`, {}),
      (err: NodeJS.ErrnoException) => err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT',
    );
  });

  it('never answers plain HTTP on the HTTPS port, even with a good token, and closes the socket', async () => {
    const body = JSON.stringify(INITIALIZE);
    const received: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: bridge.port }, () => {
        socket.write(
          [
            'POST /mcp HTTP/1.1',
            `Host: 127.0.0.1:${bridge.port}`,
            `Authorization: Bearer ${TOKEN}`,
            'Content-Type: application/json',
            'Accept: application/json, text/event-stream',
            `Content-Length: ${Buffer.byteLength(body)}`,
            '',
            body,
          ].join('\r\n'),
        );
      });
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
    const bytes = Buffer.concat(received).toString('latin1');
    assert.ok(!bytes.includes('HTTP/1.1'), `no HTTP answer, got ${JSON.stringify(bytes)}`);
    await waitFor(
      () => bridge.logs.some((l) => l.includes('"event":"tls_plain_http_refused"')),
      'the log line',
    );
    const all = bridge.logs.join('\n');
    assert.ok(!all.includes(TOKEN) && !all.includes(sha256(TOKEN)), 'no token in the log');
  });

  it('reports the certificate in /status and /metrics', async () => {
    const leaf = new X509Certificate(certificate.cert);
    const status = await httpsRequest(`${base}/status`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      ca: certificate.cert,
    });
    assert.equal(status.status, 200);
    const { tls } = JSON.parse(status.text) as { tls: unknown };
    assert.deepEqual(tls, {
      enabled: true,
      notAfter: new Date(leaf.validTo).toISOString(),
      fingerprint256: leaf.fingerprint256,
    });
    const metrics = await httpsRequest(`${base}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      ca: certificate.cert,
    });
    const lines = metrics.text.split('\n');
    assert.ok(lines.includes('mcp_bridge_tls_enabled 1'));
    assert.ok(
      lines.includes(`mcp_bridge_tls_not_after_timestamp_seconds ${Date.parse(leaf.validTo) / 1000}`),
      metrics.text,
    );
  });

  it('says tls: true on the listening line and warns about nothing', () => {
    const listening = bridge.logs.find((l) => l.includes('"event":"listening"')) ?? '';
    assert.equal((JSON.parse(listening) as { tls: boolean }).tls, true);
    assert.ok(!bridge.logs.some((l) => l.includes('"event":"plain_http"')));
  });
});

describe('bridge without --tls-cert', () => {
  it('serves plain HTTP, warns plain_http once, and reports TLS off', async () => {
    const bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
    });
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const status = await raw(bridge.url.replace('/mcp', '/status'), { headers: auth });
      assert.deepEqual((JSON.parse(status.text) as { tls: unknown }).tls, {
        enabled: false,
        notAfter: null,
        fingerprint256: null,
      });
      const metrics = (await raw(bridge.url.replace('/mcp', '/metrics'), { headers: auth })).text;
      assert.ok(metrics.split('\n').includes('mcp_bridge_tls_enabled 0'));
      assert.ok(!metrics.includes('mcp_bridge_tls_not_after'));
      const warnings = bridge.logs.filter((l) => l.includes('"event":"plain_http"'));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', /"level":"warn"/);
      const listening = bridge.logs.find((l) => l.includes('"event":"listening"')) ?? '';
      assert.equal((JSON.parse(listening) as { tls: boolean }).tls, false);
    } finally {
      await bridge.close();
    }
  });
});

describe('bridge TLS material checks', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let good: TestCertificate;
  let other: TestCertificate;
  before(async () => {
    ({ dir, cleanup } = await certificateDir());
    good = await makeTestCertificate(dir, 'good');
    other = await makeTestCertificate(dir, 'other');
  });
  after(() => cleanup());

  const start = (certFile: string, keyFile: string) =>
    startBridge({
      port: 0,
      host: '127.0.0.1',
      tokenSha256: [sha256(TOKEN)],
      command: 'false-command-never-spawned',
      tls: { certFile, keyFile },
      logWrite: () => undefined,
    });

  /** Refused with a BridgeError that matches `message` and quotes no line of any key. */
  async function refused(certFile: string, keyFile: string, message: RegExp): Promise<void> {
    const keys = [await readFile(good.keyFile, 'utf8'), await readFile(other.keyFile, 'utf8')];
    const keyLines = keys.flatMap((k) => k.split('\n').filter((l) => l !== '' && !l.startsWith('-----')));
    await assert.rejects(start(certFile, keyFile), (err: unknown) => {
      assert.ok(err instanceof BridgeError, String(err));
      assert.equal(err.code, 'invalid_input');
      assert.match(err.message, message);
      for (const line of keyLines) assert.ok(!err.message.includes(line), 'no key material in the message');
      return true;
    });
  }

  it('refuses an unreadable certificate or key, naming the flag and file', async () => {
    await refused(path.join(dir, 'missing.crt'), good.keyFile, /^--tls-cert \S+missing\.crt: cannot read it/);
    await refused(good.certFile, path.join(dir, 'missing.key'), /^--tls-key \S+missing\.key: cannot read it/);
  });

  it('refuses files that are not PEM', async () => {
    const junk = path.join(dir, 'junk.txt');
    await writeFile(junk, 'not a certificate\n');
    await refused(junk, good.keyFile, /^--tls-cert \S+junk\.txt does not hold a PEM certificate/);
    await refused(good.certFile, junk, /^--tls-key \S+junk\.txt does not hold a PEM private key/);
    // The certificate given as the key, and the key as the certificate.
    await refused(good.certFile, good.certFile, /^--tls-key \S+ does not hold a PEM private key/);
    await refused(good.keyFile, good.keyFile, /^--tls-cert \S+ does not hold a PEM certificate/);
    const broken = path.join(dir, 'broken.crt');
    await writeFile(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    await refused(
      broken,
      good.keyFile,
      /^--tls-cert \S+broken\.crt does not hold a readable PEM certificate/,
    );
  });

  it('refuses a key that is not the certificate’s own', async () => {
    await refused(good.certFile, other.keyFile, /^--tls-key \S+other\.key does not match the certificate/);
  });

  it('refuses an encrypted key', async () => {
    const encrypted = path.join(dir, 'encrypted.key');
    await promisify(execFile)('openssl', [
      'pkey',
      '-in',
      good.keyFile,
      '-aes256',
      '-passout',
      'pass:secret',
      '-out',
      encrypted,
    ]);
    await refused(good.certFile, encrypted, /^--tls-key \S+encrypted\.key is encrypted/);
  });
});
