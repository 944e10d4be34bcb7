/** Throwaway certificates for tests and the benchmark, made with the openssl CLI (Debian has it). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  /** PEM text of the certificate: what a client passes as `ca` to trust it. */
  cert: string;
}

/** A folder for certificate files, removed by cleanup(). */
export async function certificateDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mcp-fleet-tls-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A self-signed P-256 certificate for 127.0.0.1 and localhost, valid for a day, with its unencrypted
 * key, written as `<name>.crt` and `<name>.key` in dir.
 */
export async function makeTestCertificate(dir: string, name = 'server'): Promise<TestCertificate> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { certFile, keyFile, cert: await readFile(certFile, 'utf8') };
}
