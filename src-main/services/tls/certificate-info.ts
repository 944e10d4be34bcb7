/** Reading certificates: the fleet's own, and an operator's own certificate and key checked before use. */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { FleetError } from '../../shared/errors';
import type { Sans } from '../store/tls-repository';
import { readableSans } from './sans';
import { readSans } from './x509';

/** Parses the first certificate of a PEM text (a full chain starts with the leaf). Throws FleetError('invalid_input'). */
export function parseCertificate(certPem: string): X509Certificate {
  if (!certPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new FleetError('invalid_input', 'the certificate is not PEM: no "BEGIN CERTIFICATE" block');
  }
  try {
    return new X509Certificate(certPem);
  } catch {
    throw new FleetError('invalid_input', 'the certificate could not be read as a PEM X.509 certificate');
  }
}

/** fingerprint256 and notAfter of a PEM certificate (Node X509Certificate). Throws FleetError('invalid_input'). */
export function certificateInfo(certPem: string): { fingerprint256: string; notAfter: string } {
  const cert = parseCertificate(certPem);
  return { fingerprint256: cert.fingerprint256, notAfter: cert.validToDate.toISOString() };
}

function parsePrivateKey(keyPem: string): KeyObject {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(keyPem)) {
    throw new FleetError('invalid_input', 'the private key is encrypted; give it without a passphrase');
  }
  try {
    return createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    // Node's message is dropped (and no cause kept) so that nothing about the key text travels further.
    throw new FleetError(
      'invalid_input',
      'the private key could not be read as a PEM private key (PKCS#8, PKCS#1 or SEC 1)',
    );
  }
}

/**
 * Validates an operator's own cert+key (PEM): both parse, the key matches the cert, the cert is valid at
 * `now`. Throws FleetError('invalid_input') naming what is wrong, never echoing the key.
 */
export function ownCertificateInfo(
  certPem: string,
  keyPem: string,
  now: Date = new Date(),
): { fingerprint256: string; notAfter: string; sans: Sans } {
  const cert = parseCertificate(certPem);
  const key = parsePrivateKey(keyPem);
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(key);
  } catch {
    matches = false;
  }
  if (!matches) {
    throw new FleetError('invalid_input', 'the private key does not belong to the certificate');
  }
  const notAfter = cert.validToDate.toISOString();
  if (cert.validToDate.getTime() <= now.getTime()) {
    throw new FleetError('invalid_input', `the certificate expired on ${notAfter}`);
  }
  if (cert.validFromDate.getTime() > now.getTime()) {
    throw new FleetError(
      'invalid_input',
      `the certificate is not valid before ${cert.validFromDate.toISOString()}`,
    );
  }
  return { fingerprint256: cert.fingerprint256, notAfter, sans: readableSans(readSans(cert)) };
}
