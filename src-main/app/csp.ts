/**
 * The renderer's Content-Security-Policy, the same in the Electron window (response header and meta tag)
 * and in web mode. src-renderer/index.html repeats it in its meta tag; a web-server test keeps the two equal.
 * Plain strings, no electron import: the web server and the dev-server plugin use them too.
 */
const directives = (scriptSources: readonly string[]): string =>
  [
    "default-src 'self'",
    `script-src ${["'self'", ...scriptSources].join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    // 'self' also admits ws:// to the page's own host and port (CSP Level 3), which is where Vite's
    // HMR socket connects in development; no other origin is ever needed.
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

/** The policy of the built app and of web mode. */
export const CONTENT_SECURITY_POLICY = directives([]);

/**
 * The policy while `electron-vite dev` serves the renderer: the strict one plus the hashes of the inline
 * scripts the dev server adds (the React refresh preamble), so nothing else inline may run even then.
 * `scriptHashes` are CSP hash sources such as `'sha256-…'`.
 */
export function developmentContentSecurityPolicy(scriptHashes: readonly string[]): string {
  return directives(scriptHashes);
}

/** The policy as a meta tag may carry it: browsers ignore frame-ancestors there, with a console error. */
export function metaTagPolicy(policy: string): string {
  return policy
    .split('; ')
    .filter((directive) => !directive.startsWith('frame-ancestors'))
    .join('; ');
}

/**
 * The headers Electron hands a page: the strict policy replaces whatever the response carried (in any
 * letter case, so no second, looser copy survives), except on the development server's own origin,
 * whose dev-server plugin sends the development policy.
 */
export function withContentSecurityPolicy(
  url: string,
  headers: Record<string, string[]>,
  devUrl: string | undefined,
): Record<string, string[]> {
  const isCsp = (name: string): boolean => name.toLowerCase() === 'content-security-policy';
  const dev = devUrl === undefined ? null : URL.parse(devUrl);
  const fromDevServer =
    dev !== null &&
    (dev.protocol === 'http:' || dev.protocol === 'https:') &&
    URL.parse(url)?.origin === dev.origin;
  if (fromDevServer && Object.keys(headers).some(isCsp)) return headers;
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !isCsp(name)));
  return { ...kept, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] };
}
