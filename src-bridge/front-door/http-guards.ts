import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackAddress } from './cidr';
import { headerValue } from './http-util';

export function normalizeOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/** Origin allowlist: `*` admits any origin; otherwise exact scheme://host[:port] matches. */
export class OriginPolicy {
  private readonly any: boolean;
  private readonly allowed: Set<string>;

  constructor(origins: readonly string[]) {
    this.any = origins.includes('*');
    this.allowed = new Set(origins.filter((o) => o !== '*').map(normalizeOrigin));
  }

  allows(origin: string): boolean {
    // "null" is what sandboxed frames and file: pages send; it names no one, so only * admits it.
    return this.any || (origin !== 'null' && this.allowed.has(normalizeOrigin(origin)));
  }

  /** CORS headers for an allowed browser origin, so browser-based clients can read answers. */
  corsHeaders(origin: string): Record<string, string> {
    return {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': 'Mcp-Session-Id, WWW-Authenticate, Retry-After',
      vary: 'Origin',
    };
  }

  /** Answers an OPTIONS preflight; browsers send it without credentials, so it reveals nothing else. */
  preflight(req: IncomingMessage, res: ServerResponse): void {
    const origin = headerValue(req, 'origin');
    if (origin === undefined || !this.allows(origin)) {
      res.writeHead(403, { 'content-length': '0' });
      res.end();
      return;
    }
    // 2026-07-28 clients mirror tool arguments into Mcp-Param-* headers, whose names vary per tool.
    const requested = (headerValue(req, 'access-control-request-headers') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter((h) => /^mcp-param-[a-z0-9-]{1,64}$/i.test(h));
    res.writeHead(204, {
      ...this.corsHeaders(origin),
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-allow-headers': [
        'Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID',
        'Mcp-Method, Mcp-Name',
        ...requested,
      ].join(', '),
      'access-control-max-age': '600',
      'content-length': '0',
    });
    res.end();
  }
}

/** The host name of a Host header value (`name:port`, `[v6]:port`), lower case. */
function hostName(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  const colon = value.lastIndexOf(':');
  return colon >= 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host);
}

/**
 * On a loopback bind, only loopback names may appear in Host. A page on another site that rebinds its
 * DNS name to 127.0.0.1 still sends its own name, and is refused here.
 */
export function loopbackHostAllowed(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const name = hostName(hostHeader);
  return name === 'localhost' || name === '[::1]' || isLoopbackAddress(name);
}
