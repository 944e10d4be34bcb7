/**
 * What every export says about an instance's TLS: the certificate's names and expiry when the bridge
 * serves HTTPS, and a loud warning when it serves plain HTTP (a server deployed with --no-tls).
 */
import { X509Certificate } from 'node:crypto';
import { FleetError } from '../../shared/errors';

export interface CertificateSummary {
  /** ISO 8601, seconds precision. */
  notAfter: string;
  /** The subjectAltName as OpenSSL prints it ("IP Address:127.0.0.1, DNS:localhost"), or the subject. */
  names: string;
  expired: boolean;
}

/** Throws FleetError('invalid_input') when the leaf (the first certificate) cannot be read. */
export function certificateSummary(
  certPem: string,
  what: string,
  now: Date = new Date(),
): CertificateSummary {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certPem);
  } catch {
    throw new FleetError(
      'invalid_input',
      `the TLS certificate of ${what} is not a readable X.509 certificate`,
    );
  }
  // validToDate is Node ≥ 22.10; the text form (`Dec  3 00:56:31 2026 GMT`) parses everywhere.
  const notAfter = new Date(leaf.validTo);
  return {
    notAfter: notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    names: leaf.subjectAltName ?? leaf.subject.replace(/\n/g, ', '),
    expired: notAfter.getTime() <= now.getTime(),
  };
}

/** Plain HTTP is said loudly wherever an export mentions it. */
export const NO_TLS_WARNING =
  'WARNING: plain HTTP: this server runs without TLS (--no-tls), so bearer tokens travel in clear text ' +
  'unless a TLS terminator (a reverse proxy, a tunnel) stands in front of the bridge.';

/** One line on `what`'s TLS: the certificate's names and expiry, or the plain-HTTP warning. */
export function tlsNote(certPem: string | null, what: string, now?: Date): string {
  if (certPem === null) return `${what}: ${NO_TLS_WARNING}`;
  const cert = certificateSummary(certPem, what, now);
  return cert.expired
    ? `${what}: HTTPS, but its certificate (${cert.names}) EXPIRED at ${cert.notAfter}: clients will refuse it until it is renewed.`
    : `${what}: HTTPS with the certificate for ${cert.names}, valid until ${cert.notAfter}.`;
}
