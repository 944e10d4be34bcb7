import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasQueryCredential, parseAuthorization, type TokenVerifier } from './auth';
import { headerValue, sendJson } from '../front-door/http-util';
import type { Logger } from '../ops/log';
import type { Member } from './members';
import type { Metrics } from '../ops/metrics';
import type { FailureLimiter } from './rate-limit';

export interface RequestAuthDeps {
  verifier: TokenVerifier;
  limiter: FailureLimiter;
  metrics: Metrics;
  log: Logger;
}

const REALM = 'Bearer realm="mcp-fleet-bridge"';

/**
 * The member a request authenticates as, or undefined once it has been refused (429 for a source
 * that failed too often, 400 for a token in the URL, 401 for a missing or wrong one).
 */
export function authenticate(
  req: IncomingMessage,
  res: ServerResponse,
  source: string,
  query: string,
  deps: RequestAuthDeps,
): Member | undefined {
  // A source that failed too often is refused before its token is looked at, so guessing from it
  // teaches nothing; sources that did not fail themselves are never refused here.
  const retryAfter = deps.limiter.retryAfter(source);
  if (retryAfter > 0) {
    deps.metrics.rateLimited += 1;
    sendJson(
      res,
      429,
      {
        error: 'too_many_failures',
        error_description: 'Too many failed authentication attempts from this address.',
      },
      { 'retry-after': String(retryAfter) },
    );
    return undefined;
  }
  const refuse = (reason: string, status: 400 | 401, error: string, description: string): undefined => {
    // A request without any credential guesses nothing: it is refused and counted in the metrics,
    // but does not move its source toward 429, where it would shut out good tokens from that source.
    if (reason !== 'missing') deps.limiter.recordFailure(source);
    deps.metrics.authFailures += 1;
    deps.log.warn('auth_failed', { source, reason });
    const challenge = reason === 'missing' ? REALM : `${REALM}, error="${error}"`;
    sendJson(res, status, { error, error_description: description }, { 'www-authenticate': challenge });
    return undefined;
  };
  if (query !== '' && hasQueryCredential(query)) {
    return refuse(
      'query_token',
      400,
      'invalid_request',
      'Tokens in the URL are refused; send the header Authorization: Bearer <token>.',
    );
  }
  const auth = parseAuthorization(headerValue(req, 'authorization'));
  if (auth.kind === 'missing')
    return refuse('missing', 401, 'invalid_request', 'Send Authorization: Bearer <token>.');
  if (auth.kind === 'malformed')
    return refuse('malformed', 401, 'invalid_request', 'The Authorization header is not "Bearer <token>".');
  return (
    deps.verifier.verify(auth.token) ??
    refuse('unknown_token', 401, 'invalid_token', 'The token is not valid for this server.')
  );
}
