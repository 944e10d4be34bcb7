/**
 * One GET to a package registry, bounded in time and size, failing with a short reason an operator can act
 * on ("connect ECONNREFUSED 127.0.0.1:4873", "timed out after 10 s", "answered 503 Service Unavailable").
 */

/** Packuments of much-published packages run to a few MB; far more is not a registry answering. */
const MAX_BYTES = 64 * 1024 * 1024;

export interface RegistryResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Why a request got no answer; the caller words the operator's message around `reason`. */
export class RegistryRequestError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RegistryRequestError';
  }
}

/**
 * GETs `url` with `accept`; any HTTP status resolves. A user and password in the URL (as index URLs may
 * carry them) are sent as Basic authorization, since fetch refuses URLs with credentials.
 * Throws RegistryRequestError when no answer came within `timeoutMs` or the body is too large.
 */
export async function registryGet(url: string, accept: string, timeoutMs: number): Promise<RegistryResponse> {
  const target = new URL(url);
  const headers: Record<string, string> = { accept, 'user-agent': 'mcp-fleet' };
  if (target.username !== '' || target.password !== '') {
    const user = decodeURIComponent(target.username);
    const password = decodeURIComponent(target.password);
    headers['authorization'] = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  try {
    const res = await fetch(target, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_BYTES) {
      await res.body?.cancel();
      throw new RegistryRequestError(`the answer is too large (${length} bytes)`);
    }
    const body = await res.text();
    if (body.length > MAX_BYTES) throw new RegistryRequestError(`the answer is too large`);
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
  } catch (err) {
    if (err instanceof RegistryRequestError) throw err;
    throw new RegistryRequestError(failureReason(err, timeoutMs));
  }
}

/** fetch's errors say "fetch failed"; the cause says what happened. */
function failureReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  }
  const cause =
    err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.message) return cause.message;
  if (cause?.code) return cause.code;
  return err instanceof Error ? err.message : 'the request failed';
}
