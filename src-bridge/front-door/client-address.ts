import { addressBytes, inCidr, type Cidr } from './cidr';

export type ForwardedClient = { kind: 'client'; address: string } | { kind: 'malformed' };

/**
 * The client behind trusted proxies, from an `X-Forwarded-For` header that a trusted proxy passed on.
 * Each proxy appends the address it received the request from, so only the right end is trustworthy:
 * walk from the right past the entries that are trusted proxies themselves; the first one that is not
 * is the client. What lies left of it was written by the client and is never read, so a forged entry
 * there changes nothing. An unparseable entry on the way means a proxy in the chain writes something
 * this reading does not understand: `malformed`, and the caller falls back to the peer. When every
 * entry is a trusted proxy, the left-most is the farthest address known.
 */
export function forwardedClient(header: string, trusted: readonly Cidr[]): ForwardedClient {
  const entries = header.split(',');
  let farthest: string | undefined;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = (entries[i] ?? '').trim();
    const bytes = addressBytes(entry);
    if (!bytes) return { kind: 'malformed' };
    if (!trusted.some((cidr) => inCidr(cidr, bytes))) return { kind: 'client', address: entry };
    farthest = entry;
  }
  return farthest === undefined ? { kind: 'malformed' } : { kind: 'client', address: farthest };
}

export function isTrustedProxy(trusted: readonly Cidr[], address: string | undefined): boolean {
  if (trusted.length === 0) return false;
  const bytes = address === undefined ? undefined : addressBytes(address);
  return bytes !== undefined && trusted.some((cidr) => inCidr(cidr, bytes));
}
