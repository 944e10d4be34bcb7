import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CONTENT_SECURITY_POLICY,
  developmentContentSecurityPolicy,
  metaTagPolicy,
  withContentSecurityPolicy,
} from './csp';
import { inlineScripts, scriptHashSource } from './dev-csp-plugin';

const HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

test('the development policy differs from the strict one only by the hashes it allows', () => {
  const dev = developmentContentSecurityPolicy([HASH]);
  assert.equal(dev.replace(` ${HASH}`, ''), CONTENT_SECURITY_POLICY);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self';/);
  assert.doesNotMatch(dev, /script-src[^;]*unsafe/);
});

test('the meta tag form drops frame-ancestors and nothing else', () => {
  const meta = metaTagPolicy(CONTENT_SECURITY_POLICY);
  assert.doesNotMatch(meta, /frame-ancestors/);
  assert.equal(meta.split('; ').length, CONTENT_SECURITY_POLICY.split('; ').length - 1);
});

test('an inline script is allowed by the SHA-256 of its exact text', () => {
  assert.equal(scriptHashSource(''), HASH);
  const html =
    '<script type="module">a()</script>\n<script type="module" src="/@vite/client"></script><script>\nb()\n</script>';
  assert.deepEqual(inlineScripts(html), ['a()', '\nb()\n']);
});

test('Electron responses get the strict policy, replacing any other in any letter case', () => {
  const headers = withContentSecurityPolicy(
    'file:///opt/fleet/out/renderer/index.html',
    { 'content-security-policy': ["script-src 'unsafe-inline'"], 'Content-Type': ['text/html'] },
    undefined,
  );
  assert.deepEqual(headers, {
    'Content-Type': ['text/html'],
    'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
  });
});

test("in development the dev server's own pages keep the policy it sends; other origins do not", () => {
  const devUrl = 'http://localhost:5173';
  const sent = { 'Content-Security-Policy': [developmentContentSecurityPolicy([HASH])] };
  assert.deepEqual(withContentSecurityPolicy('http://localhost:5173/', sent, devUrl), sent);
  for (const url of [
    'http://localhost:5173.evil.com/',
    'http://127.0.0.1:5173/',
    'https://localhost:5173/',
  ]) {
    assert.deepEqual(
      withContentSecurityPolicy(url, sent, devUrl)['Content-Security-Policy'],
      [CONTENT_SECURITY_POLICY],
      url,
    );
  }
  // A dev-server response without a policy of its own still gets the strict one.
  assert.deepEqual(withContentSecurityPolicy('http://localhost:5173/x.js', {}, devUrl), {
    'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
  });
});
