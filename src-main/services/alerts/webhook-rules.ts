/**
 * What a webhook may be: its URL (https; http only to this machine or when the operator says so; no
 * credentials in it) and its headers. Checked before anything is saved. Also how a webhook is shown:
 * header values and the URL's path and query are hidden, since either may carry the secret (a Slack
 * incoming-webhook URL is itself the credential).
 */
import { isIP } from 'node:net';
import { FleetError } from '../../shared/errors';

export const MAX_URL_LENGTH = 2048;
export const MAX_HEADERS = 20;
const MAX_HEADER_VALUE = 4096;

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/** Headers the sender sets itself, or that would change how the request travels. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/** What stands for a hidden value wherever a webhook is shown. */
export const HIDDEN = '••••';

/** True for localhost and the loopback addresses, where plain http does not leave the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Checks a webhook URL and returns it in its normal form. Throws FleetError('invalid_input') for
 * anything but https (http only to loopback, or anywhere with `allowHttp`) and for a URL with a user
 * name or password. The message never repeats the URL: it may carry a secret.
 */
export function checkWebhookUrl(text: string, allowHttp: boolean): string {
  const bad = (why: string): FleetError => new FleetError('invalid_input', `webhook URL: ${why}`);
  if (text.length > MAX_URL_LENGTH) throw bad(`longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw bad('not a URL (expected https://host/path)');
  }
  if (url.username !== '' || url.password !== '') {
    throw bad('credentials in the URL are refused; pass them as a header (--header or --header-stdin)');
  }
  if (url.protocol === 'http:') {
    if (!allowHttp && !isLoopbackHost(url.hostname)) {
      throw bad(
        `http to ${url.hostname} would send alerts (and any header secret) unencrypted; use https, or --allow-http if you mean it`,
      );
    }
  } else if (url.protocol !== 'https:') {
    throw bad(`${url.protocol.replace(/:$/, '')} is not a webhook scheme; use https`);
  }
  if (url.hostname === '') throw bad('no host');
  url.hash = '';
  return url.toString();
}

/**
 * Checks header names and values. Throws FleetError('invalid_input') naming the header, never its value.
 * Returns them as given, trimmed.
 */
export function checkHeaders(headers: readonly (readonly [string, string])[]): [string, string][] {
  if (headers.length > MAX_HEADERS) {
    throw new FleetError('invalid_input', `at most ${MAX_HEADERS} headers per webhook`);
  }
  const seen = new Set<string>();
  return headers.map(([rawName, rawValue]) => {
    const name = rawName.trim();
    const value = rawValue.trim();
    if (!HEADER_NAME.test(name)) {
      throw new FleetError(
        'invalid_input',
        `header name "${printable(name)}" is not a valid HTTP header name`,
      );
    }
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) {
      throw new FleetError('invalid_input', `header ${name} is set by MCP Fleet itself and cannot be given`);
    }
    if (seen.has(lower)) throw new FleetError('invalid_input', `header ${name} given twice`);
    seen.add(lower);
    // The value is not quoted back: it is usually the secret.
    if (value === '') throw new FleetError('invalid_input', `header ${name} has an empty value`);
    if (value.length > MAX_HEADER_VALUE) {
      throw new FleetError(
        'invalid_input',
        `header ${name}: value longer than ${MAX_HEADER_VALUE} characters`,
      );
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) || /[^\u0000-\u00ff]/.test(value)) {
      throw new FleetError('invalid_input', `header ${name}: value has a control or non-Latin-1 character`);
    }
    return [name, value];
  });
}

/**
 * `Name: value` (one header, as --header and --header-stdin lines take it). Throws FleetError naming
 * only the header name.
 */
export function parseHeaderLine(line: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon <= 0)
    throw new FleetError('invalid_input', 'a header is written NAME:VALUE (e.g. "Authorization: Bearer …")');
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}

/** The URL as shown: scheme, host and port; the path and query hidden when there are any. */
export function shownUrl(text: string): string {
  try {
    const url = new URL(text);
    const more = (url.pathname !== '/' && url.pathname !== '') || url.search !== '';
    return `${url.protocol}//${url.host}${more ? `/${HIDDEN}` : '/'}`;
  } catch {
    return HIDDEN;
  }
}

/** "example.com:8443": where a webhook goes, for messages. */
export function urlHost(text: string): string {
  try {
    return new URL(text).host;
  } catch {
    return 'an unreadable address';
  }
}

function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 64);
}
