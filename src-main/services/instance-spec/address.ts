/**
 * Address input checks: the publish address of a port and the allowed source ranges. Both reach
 * command lines, manifests and firewall rules, so only well-formed values get that far.
 */
import { isIP } from 'node:net';
import { FleetError } from '../../shared/errors';

export interface Cidr {
  /** Normalised text: `10.0.0.0/8`, `192.168.1.7/32`, `fd00::/8`. */
  text: string;
  family: 4 | 6;
}

/** Parses `10.0.0.0/8`, `fd00::/8`, or one address (`192.168.1.7` → /32). Throws FleetError('invalid_input'). */
export function parseCidr(raw: string): Cidr {
  const [address = '', prefixText, extra] = raw.trim().split('/');
  const family = isIP(address);
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (
    family === 0 ||
    extra !== undefined ||
    (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) ||
    prefix > max
  ) {
    throw new FleetError(
      'invalid_input',
      `${JSON.stringify(raw)} is not an address range such as 10.0.0.0/8, 203.0.113.7 or fd00::/8`,
    );
  }
  return { text: `${address.toLowerCase()}/${prefix}`, family: family === 4 ? 4 : 6 };
}

/** Checks and normalises a list of ranges, dropping repeats. */
export function parseCidrs(raw: readonly string[]): Cidr[] {
  const seen = new Set<string>();
  const out: Cidr[] = [];
  for (const text of raw) {
    const cidr = parseCidr(text);
    if (seen.has(cidr.text)) continue;
    seen.add(cidr.text);
    out.push(cidr);
  }
  return out;
}

/** '' (all interfaces) or one IPv4/IPv6 address. Throws FleetError('invalid_input'). */
export function parsePublishAddress(raw: string): string {
  const address = raw.trim().replace(/^\[(.*)\]$/, '$1');
  if (address === '') return '';
  if (isIP(address) === 0) {
    throw new FleetError(
      'invalid_input',
      `publish address ${JSON.stringify(raw)} must be an IP address such as 127.0.0.1 (or empty for all interfaces)`,
    );
  }
  return address.toLowerCase();
}
