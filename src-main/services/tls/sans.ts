/** Subject alternative names: validated, in one canonical form, so two lists compare by value. */
import { isIP } from 'node:net';
import { FleetError } from '../../shared/errors';
import type { Sans } from '../store/tls-repository';

const MAX_NAMES = 100;
// Letters, digits, "-" and "_" (Docker network aliases use it), optionally a leading "*." wildcard.
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** An IP address in its canonical text form (IPv6 compressed and lower-case); null when it is not one. */
export function canonicalIp(ip: string): string | null {
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version === 6) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  return null;
}

function canonicalDns(name: string): string | null {
  const host = name.toLowerCase().replace(/\.$/, '');
  if (host.length === 0 || host.length > 253) return null;
  const labels = host.split('.');
  const rest = labels[0] === '*' && labels.length > 2 ? labels.slice(1) : labels;
  return rest.every((l) => LABEL.test(l)) ? host : null;
}

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

/**
 * Checks and canonicalizes the names a leaf is requested for: DNS names lower-case without a trailing
 * dot, IPs in canonical form, each list without duplicates and sorted.
 * Throws FleetError('invalid_input') naming the first bad entry, or when there is no name at all.
 */
export function normalizeSans(sans: Sans): Sans {
  const dns = sans.dns.map((name) => {
    const canonical = canonicalDns(name);
    if (canonical === null) {
      throw new FleetError('invalid_input', `"${name}" is not a DNS name a certificate can hold`);
    }
    return canonical;
  });
  const ip = sans.ip.map((address) => {
    const canonical = canonicalIp(address);
    if (canonical === null) throw new FleetError('invalid_input', `"${address}" is not an IP address`);
    return canonical;
  });
  const out = { dns: sorted(dns), ip: sorted(ip) };
  if (out.dns.length + out.ip.length === 0) {
    throw new FleetError('invalid_input', 'a certificate needs at least one DNS name or IP address');
  }
  if (out.dns.length + out.ip.length > MAX_NAMES) {
    throw new FleetError('invalid_input', `a certificate holds at most ${MAX_NAMES} names`);
  }
  return out;
}

/** The names as read from someone else's certificate: canonical where possible, never rejected. */
export function readableSans(sans: Sans): Sans {
  return {
    dns: sorted(sans.dns.map((n) => n.toLowerCase())),
    ip: sorted(sans.ip.map((a) => canonicalIp(a) ?? a)),
  };
}

export function sameSans(a: Sans, b: Sans): boolean {
  const key = (s: Sans) => JSON.stringify([sorted(s.dns), sorted(s.ip)]);
  return key(a) === key(b);
}
