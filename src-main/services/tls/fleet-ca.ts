/**
 * The fleet certificate authority: created on first need and kept in the encrypted store, it issues
 * each instance a short-lived server certificate that clients verify once they trust the CA.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import { FleetError } from '../../shared/errors';
import type { Store } from '../store/store';
import type { CaRecord, LeafRecord, Sans } from '../store/tls-repository';
import { certificateInfo } from './certificate-info';
import { normalizeSans, sameSans } from './sans';
import { createCaCertificate, createLeafCertificate, generateKeyPair, pkcs8Pem, signingKey } from './x509';

export type { LeafRecord } from '../store/tls-repository';
export { certificateInfo, ownCertificateInfo } from './certificate-info';

export interface FleetCaOptions {
  store: Store;
  now?: () => Date;
  /** leaf lifetime, default 90 */
  leafDays?: number;
  /** re-issue when fewer days than this remain, default 30 */
  renewDays?: number;
}

/** Overrides the default leaf lifetime (whole days, 1-397) when FleetCaOptions.leafDays is not given. */
export const LEAF_DAYS_ENV = 'MCP_FLEET_TLS_LEAF_DAYS';
const DEFAULT_LEAF_DAYS = 90;
const DEFAULT_RENEW_DAYS = 30;
// The longest lifetime browsers accept for a server certificate.
const MAX_LEAF_DAYS = 397;
const CA_YEARS = 10;
const DAY_MS = 86_400_000;
// Issued "an hour ago", so a host whose clock runs a little behind already accepts a fresh certificate.
const BACKDATE_MS = 3_600_000;
// RFC 5280's upper bound for a common name; the SANs carry the full names.
const MAX_CN = 64;

function leafDaysError(source: string, value: string): FleetError {
  return new FleetError(
    'invalid_input',
    `${source} must be a whole number of days from 1 to ${MAX_LEAF_DAYS}, got "${value}"`,
  );
}

function checkedLeafDays(days: number, source: string): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_LEAF_DAYS) {
    throw leafDaysError(source, String(days));
  }
  return days;
}

/** Reads MCP_FLEET_TLS_LEAF_DAYS; undefined when unset. Throws FleetError('invalid_input') for a bad value. */
export function leafDaysFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[LEAF_DAYS_ENV];
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,4}$/.test(text)) throw leafDaysError(LEAF_DAYS_ENV, text);
  return checkedLeafDays(Number(text), LEAF_DAYS_ENV);
}

/** Where a leaf is kept: per host and container (deploys), or per server and container (exports to no host). */
interface LeafSlot {
  read(): LeafRecord | null;
  write(leaf: LeafRecord): void;
}

export class FleetCa {
  private readonly store: Store;
  private readonly now: () => Date;
  private readonly leafDaysOption: number | undefined;
  private readonly renewDays: number;
  private creating: Promise<CaRecord> | null = null;
  private signer: { certPem: string; key: Promise<CryptoKey> } | null = null;
  /** One issue at a time per (host, container): a second caller then finds the first one's leaf. */
  private readonly issuing = new Map<string, Promise<LeafRecord>>();

  /** Throws FleetError('invalid_input') for a leafDays or renewDays out of range. */
  constructor(options: FleetCaOptions) {
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
    this.leafDaysOption =
      options.leafDays === undefined ? undefined : checkedLeafDays(options.leafDays, 'leafDays');
    const renew = options.renewDays ?? DEFAULT_RENEW_DAYS;
    if (!Number.isFinite(renew) || renew < 0) {
      throw new FleetError('invalid_input', `renewDays must be 0 or more, got ${renew}`);
    }
    this.renewDays = renew;
  }

  /** The CA certificate (PEM), creating the CA on first need (10-year, CA:true, pathlen 0, keyCertSign). */
  async caPem(): Promise<string> {
    return (await this.ca()).certPem;
  }

  /** The CA's SHA-256 fingerprint in Node's X509Certificate.fingerprint256 form (AA:BB:…), and notAfter. */
  async caInfo(): Promise<{ pem: string; fingerprint256: string; notAfter: string }> {
    const pem = await this.caPem();
    return { pem, ...certificateInfo(pem) };
  }

  /**
   * The stored leaf for (hostId, name) when it still fits (same SANs, same CA, more than renewDays left);
   * else issues a new one, stores and returns it. Server auth EKU, SANs = given DNS names and IPs, CN = name.
   * renewDays counts at most a third of the leaf lifetime, so a short lifetime still gets reused.
   * Throws FleetError('invalid_input') for bad names or a bad MCP_FLEET_TLS_LEAF_DAYS, 'not_found' for
   * an unknown host, 'unavailable' once the CA itself has expired.
   */
  leafFor(hostId: string, containerName: string, sans: Sans): Promise<LeafRecord> {
    return this.serialized(`${hostId}\n${containerName}`, containerName, sans, {
      read: () => this.store.tls.leaf(hostId, containerName),
      write: (leaf) => this.store.tls.setLeaf(hostId, containerName, leaf),
    });
  }

  /** fitOrIssue for one stored place, one caller at a time per key. */
  private async serialized(
    key: string,
    containerName: string,
    sans: Sans,
    slot: LeafSlot,
  ): Promise<LeafRecord> {
    if (containerName.length === 0) throw new FleetError('invalid_input', 'the container name is empty');
    const wanted = normalizeSans(sans);
    const leafDays = this.leafDaysOption ?? leafDaysFromEnv() ?? DEFAULT_LEAF_DAYS;
    const previous = this.issuing.get(key) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => this.fitOrIssue(slot, containerName, wanted, leafDays));
    this.issuing.set(key, run);
    try {
      return await run;
    } finally {
      if (this.issuing.get(key) === run) this.issuing.delete(key);
    }
  }

  /**
   * As leafFor, for an export of `serverId` to no particular host (the operator runs it elsewhere):
   * kept per server and container, so exporting again gives the same certificate. Throws as leafFor
   * does ('not_found' for an unknown server).
   */
  exportLeafFor(serverId: string, containerName: string, sans: Sans): Promise<LeafRecord> {
    return this.serialized(`export\n${serverId}\n${containerName}`, containerName, sans, {
      read: () => this.store.tls.exportLeaf(serverId, containerName),
      write: (leaf) => this.store.tls.setExportLeaf(serverId, containerName, leaf),
    });
  }

  /** Drops the stored leaf of a container that is gone. */
  forget(hostId: string, containerName: string): void {
    this.store.tls.removeLeaf(hostId, containerName);
  }

  private async ca(): Promise<CaRecord> {
    const stored = this.store.tls.ca();
    if (stored) return stored;
    this.creating ??= this.createCa().finally(() => {
      this.creating = null;
    });
    return this.creating;
  }

  private async createCa(): Promise<CaRecord> {
    const now = this.now();
    const notAfter = new Date(now);
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
    const keys = await generateKeyPair();
    const certPem = await createCaCertificate({
      keys,
      // A random suffix tells one fleet's CA from another's in an operator's trust store.
      subject: `CN=MCP Fleet CA ${randomBytes(4).toString('hex')}, O=MCP Fleet`,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
    });
    // First writer wins: another process may have stored its CA meanwhile, and then that one is used.
    return this.store.tls.setCa({
      certPem,
      keyPem: pkcs8Pem(keys.privateKey),
      createdAt: now.toISOString(),
    });
  }

  private signingKey(ca: CaRecord): Promise<CryptoKey> {
    if (this.signer?.certPem !== ca.certPem)
      this.signer = { certPem: ca.certPem, key: signingKey(ca.keyPem) };
    return this.signer.key;
  }

  private async fitOrIssue(
    slot: LeafSlot,
    containerName: string,
    sans: Sans,
    leafDays: number,
  ): Promise<LeafRecord> {
    const ca = await this.ca();
    const now = this.now();
    const stored = slot.read();
    const renewMs = Math.min(this.renewDays, leafDays / 3) * DAY_MS;
    if (
      stored &&
      sameSans(stored.sans, sans) &&
      issuedBy(stored.certPem, ca.certPem) &&
      Date.parse(stored.notAfter) - now.getTime() > renewMs
    ) {
      return stored;
    }
    const leaf = await this.issue(ca, containerName, sans, now, leafDays);
    slot.write(leaf);
    return leaf;
  }

  private async issue(
    ca: CaRecord,
    containerName: string,
    sans: Sans,
    now: Date,
    leafDays: number,
  ): Promise<LeafRecord> {
    const caEnd = new X509Certificate(ca.certPem).validToDate;
    if (caEnd.getTime() <= now.getTime()) {
      throw new FleetError(
        'unavailable',
        `the fleet CA expired on ${caEnd.toISOString()}; no certificate can be issued from it`,
      );
    }
    // A leaf never outlives the CA that vouches for it.
    const notAfter = new Date(Math.min(now.getTime() + leafDays * DAY_MS, caEnd.getTime()));
    const keys = await generateKeyPair();
    const certPem = await createLeafCertificate({
      caCertPem: ca.certPem,
      caKey: await this.signingKey(ca),
      publicKey: keys.publicKey,
      commonName: containerName.slice(0, MAX_CN),
      sans,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
    });
    return {
      certPem,
      keyPem: pkcs8Pem(keys.privateKey),
      ...certificateInfo(certPem),
      sans,
      issuedAt: now.toISOString(),
    };
  }
}

/** True when `leafPem` was signed by the CA in `caPem` (a replaced CA makes every older leaf unfit). */
function issuedBy(leafPem: string, caPem: string): boolean {
  try {
    const leaf = new X509Certificate(leafPem);
    const ca = new X509Certificate(caPem);
    return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
  } catch {
    return false;
  }
}
