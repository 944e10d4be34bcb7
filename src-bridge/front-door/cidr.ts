import { isIPv4, isIPv6 } from 'node:net';
import { BridgeError } from '../errors';

/** An address range held as a 128-bit prefix; IPv4 ranges live in the IPv4-mapped space ::ffff:0:0/96. */
export interface Cidr {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map((part) => Number(part));
}

/** 16 bytes for an IPv4 or IPv6 address (IPv4 mapped into ::ffff:0:0/96), or undefined if it is neither. */
export function addressBytes(raw: string): Uint8Array | undefined {
  const address = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(address))
    return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...ipv4Bytes(address)]);
  if (!isIPv6(address)) return undefined;
  let tail: number[] = [];
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (isIPv4(maybeV4)) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(maybeV4);
    tail = [(a << 8) | b, (c << 8) | d];
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  let groups: number[];
  if (rest === undefined) {
    groups = parse(head);
  } else {
    const left = parse(head);
    const right = parse(rest);
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  }
  if (tail.length === 2) groups.splice(6, 2, tail[0] ?? 0, tail[1] ?? 0);
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/**
 * Parses `10.0.0.0/8`, `192.168.1.7` (one address), `fd00::/8` or `::ffff:10.0.0.0/104`; throws
 * BridgeError naming `flag` (the option the range came from).
 */
export function parseCidr(text: string, flag = '--allow-cidr'): Cidr {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const bytes = addressBytes(address);
  if (!bytes || extra !== undefined) {
    throw new BridgeError(
      'invalid_input',
      `${flag} ${JSON.stringify(text)} is not an address range such as 10.0.0.0/8 or fd00::/8`,
    );
  }
  const v4 = isIPv4(address);
  const max = v4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) {
    throw new BridgeError(
      'invalid_input',
      `${flag} ${JSON.stringify(text)} has a prefix length outside 0-${max}`,
    );
  }
  return { text, bytes, prefix: v4 ? prefix + 96 : prefix };
}

export function inCidr(cidr: Cidr, address: Uint8Array): boolean {
  let bits = cidr.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((cidr.bytes[i] ?? 0) & mask) !== ((address[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** True when the address (as Node reports a peer: `1.2.3.4`, `::ffff:1.2.3.4`, `::1`) is in one of the ranges. */
export function addressAllowed(cidrs: readonly Cidr[], address: string | undefined): boolean {
  if (cidrs.length === 0) return true;
  const bytes = address === undefined ? undefined : addressBytes(address);
  if (!bytes) return false;
  return cidrs.some((cidr) => inCidr(cidr, bytes));
}

const LOOPBACK = [parseCidr('127.0.0.0/8'), parseCidr('::1/128')];

export function isLoopbackAddress(address: string | undefined): boolean {
  const bytes = address === undefined ? undefined : addressBytes(address);
  return bytes !== undefined && LOOPBACK.some((cidr) => inCidr(cidr, bytes));
}

/**
 * The key failed-login counting uses for a peer: the whole IPv4 address, or the /64 of an IPv6 one,
 * since one IPv6 client usually holds a whole /64 and could otherwise rotate addresses.
 */
export function sourceKey(address: string | undefined): string {
  const bytes = address === undefined ? undefined : addressBytes(address);
  if (!bytes) return 'unknown';
  const mapped = bytes.slice(0, 12).every((b, i) => b === (i >= 10 ? 0xff : 0));
  if (mapped) return Array.from(bytes.slice(12)).join('.');
  return Buffer.from(bytes.slice(0, 8)).toString('hex') + '::/64';
}
