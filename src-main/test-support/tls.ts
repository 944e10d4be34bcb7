/**
 * TLS material for export tests, made by the real `openssl` CLI in a temporary folder: a CA and a leaf
 * it signed for IP 127.0.0.1 and DNS localhost (P-256, two days), as an operator's own certificate
 * would be. Also a `fetch` over node:https that trusts exactly that CA, for the MCP SDK's transport.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import type { TlsMaterial } from '../services/instance-spec/types';

const run = promisify(execFile);

export interface TestCa {
  /** The CA certificate, PEM: what a client is told to trust. */
  caPem: string;
  /** The leaf for 127.0.0.1 / localhost and its key. */
  leaf: TlsMaterial;
  /** Another leaf of the same CA, for checking which one a server serves. */
  otherLeaf: TlsMaterial;
  dispose(): Promise<void>;
}

/** Throws when openssl is missing or fails (its stderr in the message). */
export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'export-tls-'));
  const file = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run('openssl', [
    ...['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2'],
    ...['-subj', '/CN=MCP Fleet export test CA'],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
  await writeFile(
    file('leaf.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  const leaf = async (name: string): Promise<TlsMaterial> => {
    await run('openssl', [
      ...['req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`)],
      ...['-subj', '/CN=127.0.0.1'],
    ]);
    await run('openssl', [
      ...['x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key')],
      ...['-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-sha256'],
      ...['-extfile', file('leaf.ext'), '-out', file(`${name}.pem`)],
    ]);
    return {
      certPem: await readFile(file(`${name}.pem`), 'utf8'),
      keyPem: await readFile(file(`${name}.key`), 'utf8'),
    };
  };
  return {
    caPem: await readFile(file('ca.pem'), 'utf8'),
    leaf: await leaf('leaf'),
    otherLeaf: await leaf('other'),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A fetch for the MCP SDK's transport over node:https, trusting only `ca`; honours the abort signal. */
export function httpsFetch(ca: string): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const req = https.request(
        url,
        { method: init?.method ?? 'GET', headers, ca, ...(init?.signal ? { signal: init.signal } : {}) },
        (res) => {
          const status = res.statusCode ?? 500;
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value])
              responseHeaders.append(key, one);
          }
          const empty = [101, 204, 205, 304].includes(status);
          if (empty) res.resume();
          resolve(
            new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
              status,
              headers: responseHeaders,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(typeof init?.body === 'string' ? init.body : undefined);
    });
}

/** GET over HTTPS trusting only `ca`: the status and the SHA-256 fingerprint of the certificate served. */
export function httpsGet(url: string, ca: string): Promise<{ status: number; fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false }, (res) => {
      const fingerprint256 = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, fingerprint256 }));
    });
    req.on('error', reject);
  });
}
