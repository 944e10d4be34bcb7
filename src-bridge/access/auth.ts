import { createHash, timingSafeEqual } from 'node:crypto';
import type { Member } from './members';

export type BearerParse = { kind: 'missing' } | { kind: 'malformed' } | { kind: 'bearer'; token: string };

// RFC 6750 b64token: what a bearer token may contain.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function parseAuthorization(header: string | undefined): BearerParse {
  if (header === undefined || header === '') return { kind: 'missing' };
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match?.[1] || !B64TOKEN.test(match[1])) return { kind: 'malformed' };
  return { kind: 'bearer', token: match[1] };
}

// Names people and tools use for credentials in URLs. Such URLs end up in proxy logs and browser
// history, so the bridge refuses them even when the token is also sent properly.
const QUERY_CREDENTIALS = new Set([
  'token',
  'access_token',
  'accesstoken',
  'auth',
  'auth_token',
  'authorization',
  'bearer',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'password',
  'secret',
]);

export function hasQueryCredential(search: string): boolean {
  if (search === '' || search === '?') return false;
  for (const name of new URLSearchParams(search).keys()) {
    if (QUERY_CREDENTIALS.has(name.toLowerCase())) return true;
  }
  return false;
}

/** Checks bearer tokens against the configured SHA-256 hashes; the container never holds a usable token. */
export class TokenVerifier {
  private readonly entries: { hash: Buffer; member: Member }[];

  constructor(members: readonly Member[]) {
    this.entries = members.flatMap((member) => member.tokenHashes.map((hash) => ({ hash, member })));
  }

  /**
   * The member whose token this is, or undefined. Every configured hash is compared, in constant time
   * and without stopping at a match, so the time taken says nothing about which hash came close.
   */
  verify(token: string): Member | undefined {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: Member | undefined;
    for (const entry of this.entries) {
      const equal = timingSafeEqual(digest, entry.hash);
      if (equal && found === undefined) found = entry.member;
    }
    return found;
  }
}
