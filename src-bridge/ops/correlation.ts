import { randomFillSync } from 'node:crypto';
import { isObject } from '../wire/jsonrpc';

/** Where a response's `result._meta` carries the id its audit line carries as `cid`. */
export const CORRELATION_KEY = 'io.mcp-fleet/correlation-id';

// 9 random bytes make 12 base64url characters (72 bits). 512 ids are drawn and encoded at a time, so a
// call costs a slice of a string, not a trip to the system's random source and an encoding.
const ID_CHARS = 12;
const pool = Buffer.alloc(9 * 512);
let ids = '';
let offset = 0;

/** A short random id for one request: its audit line's `cid` and its result's `_meta`. */
export function correlationId(): string {
  if (offset === ids.length) {
    randomFillSync(pool);
    ids = pool.toString('base64url');
    offset = 0;
  }
  const id = ids.slice(offset, offset + ID_CHARS);
  offset += ID_CHARS;
  return id;
}

/**
 * The response with `cid` in its `result._meta` (beside whatever the server put there; a value the
 * server put under the same key is replaced). Error responses, results that are not objects and empty
 * results are returned as they are.
 */
export function withCorrelation<T extends object>(response: T, cid: string): T {
  const result = (response as { result?: unknown }).result;
  // An empty result stays empty: ping, logging/setLevel and subscribe answers must be `{}` (the
  // conformance suite checks); their audit lines still carry the id.
  if (!isObject(result) || Object.keys(result).length === 0) return response;
  const meta = isObject(result._meta)
    ? { ...result._meta, [CORRELATION_KEY]: cid }
    : { [CORRELATION_KEY]: cid };
  return { ...response, result: { ...result, _meta: meta } };
}

/** What an audit line names for a request: the tool or prompt name, or the resource uri; never arguments. */
export function auditTarget(method: string, params: Record<string, unknown> | undefined): string | undefined {
  const value =
    method === 'tools/call' || method === 'prompts/get'
      ? params?.name
      : method === 'resources/read'
        ? params?.uri
        : undefined;
  return typeof value === 'string' ? value : undefined;
}
