import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isObject } from '../wire/jsonrpc';

/** What a requestState proves: which waiting call, which round of it, for whom, and until when. */
export interface StateClaims {
  /** The waiting call's id in this bridge process. */
  wait: string;
  round: number;
  member: string;
  /** Method and tool name (or uri) of the call, so a state cannot be replayed onto another call. */
  target: string;
  /** Expiry, epoch milliseconds. */
  expires: number;
}

export type StateCheck = { ok: true; claims: StateClaims } | { ok: false; reason: string };

/** The call a state is bound to: its method and the tool, prompt or resource it names. */
export function callTarget(method: string, params: Record<string, unknown> | undefined): string {
  const name = method === 'resources/read' ? params?.uri : params?.name;
  return createHash('sha256')
    .update(`${method}\0${typeof name === 'string' ? name : ''}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * requestState as the bridge issues it: the claims in base64url JSON, then an HMAC-SHA256 of them
 * under a key that exists only in this process. The client treats it as opaque; the bridge treats it
 * as untrusted input and believes nothing in it until the HMAC matches. A restart makes every state
 * invalid, which is right: the calls it pointed at died with the child.
 */
export class RequestStateCodec {
  private readonly key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  issue(claims: StateClaims): string {
    const body = Buffer.from(
      JSON.stringify([claims.wait, claims.round, claims.member, claims.target, claims.expires]),
    ).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** Checks the HMAC first and only then reads the claims; never throws. */
  verify(state: string): StateCheck {
    const dot = state.indexOf('.');
    if (dot <= 0 || state.length > 4096) return { ok: false, reason: 'malformed' };
    const body = state.slice(0, dot);
    const given = Buffer.from(state.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'signature' };
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (!Array.isArray(value) || value.length !== 5) return { ok: false, reason: 'malformed' };
    const [wait, round, member, target, expires] = value as unknown[];
    if (
      typeof wait !== 'string' ||
      typeof round !== 'number' ||
      typeof member !== 'string' ||
      typeof target !== 'string' ||
      typeof expires !== 'number'
    )
      return { ok: false, reason: 'malformed' };
    return { ok: true, claims: { wait, round, member, target, expires } };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** A client's inputResponses: an object whose values are objects; anything else is refused whole. */
export function inputResponsesProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return 'inputResponses must be an object keyed by the inputRequests keys';
  for (const [key, response] of Object.entries(value))
    if (!isObject(response)) return `inputResponses["${key.slice(0, 64)}"] must be an object`;
  return undefined;
}

/** Whether a client's response has the shape of a result of the method it answers. */
export function validInputResponse(method: string, response: unknown): boolean {
  if (!isObject(response)) return false;
  switch (method) {
    case 'elicitation/create':
      return response.action === 'accept' || response.action === 'decline' || response.action === 'cancel';
    case 'sampling/createMessage':
      return (
        typeof response.role === 'string' &&
        typeof response.model === 'string' &&
        (isObject(response.content) || Array.isArray(response.content))
      );
    case 'roots/list':
      return Array.isArray(response.roots);
    default:
      return true;
  }
}
