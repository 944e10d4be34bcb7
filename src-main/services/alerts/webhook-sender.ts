/**
 * One POST of an alert to a webhook, tried again with back-off on what may pass (a 5xx, 429, a
 * timeout, a refused or broken connection) and not on what will not (any other 4xx, a redirect).
 * Results and messages name the webhook's host and the HTTP status, never a header or the URL's path.
 */
import type { WebhookRecord } from '../store/alert-repository';
import { urlHost } from './webhook-rules';

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** Wait before the second try; doubled before each next one, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Limit for each try, connection and answer. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  attempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  timeoutMs: 10_000,
};

export interface DeliveryResult {
  delivered: boolean;
  /** The last HTTP status, or null when no answer came. */
  status: number | null;
  attempts: number;
  /** One sentence for the operator. */
  message: string;
}

type Try =
  | { ok: true; status: number }
  | { ok: false; status: number | null; retry: boolean; why: string; retryAfterMs?: number };

/** Posts `body` as JSON to the webhook, with retries. Never throws. */
export async function deliver(
  webhook: WebhookRecord,
  body: unknown,
  retry: RetryOptions = DEFAULT_RETRY,
): Promise<DeliveryResult> {
  const payload = JSON.stringify(body);
  const host = urlHost(webhook.url);
  let last: Try = { ok: false, status: null, retry: false, why: 'not tried' };
  let attempts = 0;
  for (let i = 0; i < retry.attempts; i++) {
    if (i > 0) await wait(retryDelay(i, last, retry));
    attempts += 1;
    last = await post(webhook, payload, retry.timeoutMs);
    if (last.ok) {
      return {
        delivered: true,
        status: last.status,
        attempts,
        message: `delivered to ${host} (HTTP ${last.status})`,
      };
    }
    if (!last.retry) break;
  }
  const tries = attempts === 1 ? '1 try' : `${attempts} tries`;
  return {
    delivered: false,
    status: last.ok ? null : last.status,
    attempts,
    message: `not delivered to ${host} after ${tries}: ${last.ok ? '' : last.why}`,
  };
}

async function post(webhook: WebhookRecord, payload: string, timeoutMs: number): Promise<Try> {
  const headers = new Headers();
  // Header values were checked when the webhook was added; a Headers error here names no value.
  for (const [name, value] of webhook.headers) headers.set(name, value);
  headers.set('content-type', 'application/json');
  let response: Response;
  try {
    response = await fetch(webhook.url, {
      method: 'POST',
      headers,
      body: payload,
      // A redirect could take the header secret somewhere else: it is not followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { ok: false, status: null, retry: true, why: networkWhy(err, timeoutMs) };
  }
  // The answer's body is not read into anything (it is not shown); cancelling frees the connection.
  await response.body?.cancel().catch(() => undefined);
  const status = response.status;
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      status,
      retry: false,
      why: `HTTP ${status}: a redirect, not followed (use the final URL)`,
    };
  }
  const retryAfter = status === 429 ? retryAfterMs(response.headers.get('retry-after')) : null;
  if (status === 429 || status >= 500) {
    return {
      ok: false,
      status,
      retry: true,
      why: `HTTP ${status}`,
      ...(retryAfter === null ? {} : { retryAfterMs: retryAfter }),
    };
  }
  return { ok: false, status, retry: false, why: `HTTP ${status}: refused, not retried` };
}

function retryDelay(i: number, last: Try, retry: RetryOptions): number {
  const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (i - 1));
  const asked = last.ok ? undefined : last.retryAfterMs;
  // A 429's Retry-After is honoured up to the longest back-off: the retries stay bounded.
  return asked === undefined ? backoff : Math.min(retry.maxDelayMs, Math.max(backoff, asked));
}

function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

function networkWhy(err: unknown, timeoutMs: number): string {
  const name = (err as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection broke';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the name does not resolve';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `its TLS certificate is not trusted (${String(code)})`;
    default:
      // Only a code: an error's text may quote the request.
      return typeof code === 'string' ? `connection failed (${code})` : 'connection failed';
  }
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
