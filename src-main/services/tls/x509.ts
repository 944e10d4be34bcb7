/**
 * Key pairs and certificates through @peculiar/x509 on Node's WebCrypto: ECDSA P-256 keys, SHA-256
 * signatures, private keys as PKCS#8 PEM.
 */
import { KeyObject, randomBytes, webcrypto, type X509Certificate as NodeCertificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Sans } from '../store/tls-repository';

// Node's webcrypto is the standard Crypto the DOM typings describe; the two declarations differ only in name.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_KEY: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

export function pkcs8Pem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The CA's stored PKCS#8 PEM as a non-extractable signing key. */
export async function signingKey(pkcs8: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pkcs8);
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
}

/** 128 random bits as a positive serial number (hex). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

export interface CaParams {
  keys: CryptoKeyPair;
  /** The distinguished name, e.g. "CN=MCP Fleet CA 1a2b3c4d, O=MCP Fleet". */
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

/** A self-signed CA that may sign leaves only (CA:true, pathlen 0, keyCertSign and cRLSign). */
export async function createCaCertificate(p: CaParams): Promise<string> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: p.subject,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    keys: p.keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(p.keys.publicKey),
    ],
  });
  return `${cert.toString('pem')}\n`;
}

export interface LeafParams {
  caCertPem: string;
  caKey: CryptoKey;
  publicKey: CryptoKey;
  commonName: string;
  sans: Sans;
  notBefore: Date;
  notAfter: Date;
}

/** A server certificate signed by the CA: serverAuth only, the given names as SANs. */
export async function createLeafCertificate(p: LeafParams): Promise<string> {
  const ca = new x509.X509Certificate(p.caCertPem);
  const names: x509.JsonGeneralNames = [
    ...p.sans.dns.map((value) => ({ type: 'dns' as const, value })),
    ...p.sans.ip.map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [p.commonName] }],
    issuer: ca.subjectName,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.publicKey,
    signingKey: p.caKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(p.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
  return `${cert.toString('pem')}\n`;
}

/** The DNS and IP subject alternative names of a certificate Node has already parsed. */
export function readSans(cert: NodeCertificate): Sans {
  const ext = new x509.X509Certificate(cert.raw).getExtension(x509.SubjectAlternativeNameExtension);
  const items = ext?.names.items ?? [];
  return {
    dns: items.filter((n) => n.type === 'dns').map((n) => n.value),
    ip: items.filter((n) => n.type === 'ip').map((n) => n.value),
  };
}
