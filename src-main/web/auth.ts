/**
 * Web-mode authentication: one login token (printed at start) trades for a session cookie; scripts may
 * send the token as a bearer instead. The cookie holds a random session id, never the token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Sessions end after this long without a request, so a forgotten browser tab does not stay in forever. */
const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;

export function newLoginToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes the lengths equal so length leaks nothing either. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

export type Caller = { kind: 'session'; sessionId: string } | { kind: 'bearer' };

export class WebAuth {
  /** Cookies are not scoped by port: the name carries it so two servers on one machine do not collide. */
  readonly cookieName: string;
  private readonly sessions = new Map<string, number>();

  constructor(
    private readonly token: string,
    port: number,
    private readonly now: () => number = Date.now,
  ) {
    this.cookieName = `mcp_fleet_session_${port}`;
  }

  /** Checks a login token; on success opens a session and returns its Set-Cookie header value. */
  login(given: string): string | null {
    if (!sameSecret(given, this.token)) return null;
    const sessionId = randomBytes(32).toString('base64url');
    this.sessions.set(sessionId, this.now());
    return `${this.cookieName}=${sessionId}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** Ends the request's session; returns the Set-Cookie value that clears the cookie. */
  logout(req: IncomingMessage): string {
    const id = parseCookies(req.headers.cookie).get(this.cookieName);
    if (id !== undefined) this.sessions.delete(id);
    return `${this.cookieName}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }

  /** Who sent this request: a live session cookie, a correct bearer token, or nobody (null). */
  identify(req: IncomingMessage, { allowBearer = true } = {}): Caller | null {
    const sessionId = parseCookies(req.headers.cookie).get(this.cookieName);
    if (sessionId !== undefined && this.touch(sessionId)) return { kind: 'session', sessionId };
    const auth = req.headers.authorization;
    if (
      allowBearer &&
      auth !== undefined &&
      /^Bearer /i.test(auth) &&
      sameSecret(auth.slice(7).trim(), this.token)
    ) {
      return { kind: 'bearer' };
    }
    return null;
  }

  isLive(sessionId: string): boolean {
    const last = this.sessions.get(sessionId);
    return last !== undefined && this.now() - last < SESSION_IDLE_MS;
  }

  private touch(sessionId: string): boolean {
    // A Map lookup by a random 256-bit id: the id's timing does not help guess another one.
    if (!this.isLive(sessionId)) {
      this.sessions.delete(sessionId);
      return false;
    }
    this.sessions.set(sessionId, this.now());
    return true;
  }
}
