/**
 * The renderer's Content-Security-Policy, the same in the Electron window (response header and meta tag)
 * and in web mode. src-renderer/index.html repeats it in its meta tag; a web-server test keeps the two equal.
 * Plain string, no electron import: the web server uses it too.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
