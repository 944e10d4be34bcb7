import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { BridgeError, describeError } from '../errors';

/** The certificate and key the bridge serves HTTPS with, checked at start (`--tls-cert`, `--tls-key`). */
export interface TlsMaterial {
  /** PEM, the leaf first, then any intermediates. */
  cert: string;
  key: string;
  /** When the leaf certificate expires (ISO 8601). */
  notAfter: string;
  notBefore: string;
  /** SHA-256 fingerprint of the leaf, colon-separated hex as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint256: string;
}

/** What /status reports about TLS: nothing secret, enough to watch for expiry or a swapped certificate. */
export interface TlsStatus {
  enabled: boolean;
  notAfter: string | null;
  fingerprint256: string | null;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

function invalid(message: string): never {
  throw new BridgeError('invalid_input', message);
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    // The fs error names the path and the reason, never the content.
    return invalid(`${flag} ${file}: cannot read it (${describeError(err)})`);
  }
}

/**
 * Reads and checks `--tls-cert` and `--tls-key`: both PEM, the key unencrypted and the certificate's
 * own. Throws BridgeError naming the flag and file; messages never quote the files' contents.
 */
export function loadTlsFiles(files: TlsFiles): TlsMaterial {
  const cert = readPem('--tls-cert', files.certFile);
  const key = readPem('--tls-key', files.keyFile);
  return checkTlsMaterial(cert, key, files);
}

/** The checks of loadTlsFiles on PEM text already read; `files` only names them in messages. */
export function checkTlsMaterial(cert: string, key: string, files: TlsFiles): TlsMaterial {
  const certFlag = `--tls-cert ${files.certFile}`;
  const keyFlag = `--tls-key ${files.keyFile}`;
  if (!cert.includes('-----BEGIN CERTIFICATE-----'))
    invalid(`${certFlag} does not hold a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (err) {
    return invalid(`${certFlag} does not hold a readable PEM certificate (${describeError(err)})`);
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(key))
    invalid(`${keyFlag} is encrypted; the bridge takes an unencrypted PEM key (keep the file mode 0600)`);
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(key))
    invalid(`${keyFlag} does not hold a PEM private key (-----BEGIN PRIVATE KEY-----)`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key, format: 'pem' });
  } catch {
    // OpenSSL's reason says nothing an operator can act on, and the key stays out of every message.
    return invalid(`${keyFlag} does not hold a readable PEM private key`);
  }
  if (!leaf.checkPrivateKey(privateKey))
    invalid(`${keyFlag} does not match the certificate in --tls-cert ${files.certFile}`);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    invalid(`${certFlag} with ${keyFlag} cannot serve TLS (${describeError(err)})`);
  }
  return {
    cert,
    key,
    // validToDate is Node ≥ 22.10; the text form (`Dec  3 00:56:31 2026 GMT`) parses everywhere.
    notAfter: new Date(leaf.validTo).toISOString(),
    notBefore: new Date(leaf.validFrom).toISOString(),
    fingerprint256: leaf.fingerprint256,
  };
}

export function tlsStatus(material: TlsMaterial | undefined): TlsStatus {
  return material
    ? { enabled: true, notAfter: material.notAfter, fingerprint256: material.fingerprint256 }
    : { enabled: false, notAfter: null, fingerprint256: null };
}
