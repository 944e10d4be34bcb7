/**
 * Web mode against the real services: a real encrypted store in a temp folder, the real HTTP server on
 * loopback, a real WebSocket client. Nothing is mocked.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createServices, type Services } from '../app/composition-root';
import { CONTENT_SECURITY_POLICY } from '../app/csp';
import { StaticKeyProvider } from '../services/store/key-providers';
import { startWebServer, type WebServer } from './server';

let dir: string;
let services: Services;
let web: WebServer;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-fleet-web-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><title>MCP Fleet</title><div id="root"></div>',
  );
  writeFileSync(join(rendererDir, 'assets', 'app-1234.js'), 'console.log("app");');
  writeFileSync(join(dir, 'outside.txt'), 'not for the web');
  services = await createServices({
    home: join(dir, 'home'),
    keyProvider: new StaticKeyProvider(randomBytes(32)),
    transport: 'web',
  });
  web = await startWebServer({ services, port: 0, rendererDir, log: () => {} });
  base = `http://127.0.0.1:${web.port}`;
});

after(async () => {
  await web.close();
  services.close();
  rmSync(dir, { recursive: true, force: true });
});

async function callApi(channel: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

async function login(): Promise<string> {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: web.token }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie');
  assert.ok(cookie, 'login answers with a cookie');
  return cookie.split(';')[0] ?? '';
}

/** A raw request, for headers fetch will not let a caller set (Host). */
function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the event socket; resolves with the socket when open, or with the HTTP status it was refused with. */
function openEvents(headers: Record<string, string>): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/api/events`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('web mode login', () => {
  test('prints a login URL that carries the token only in the fragment', () => {
    assert.match(web.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(web.loginUrl, `http://127.0.0.1:${web.port}/#token=${web.token}`);
  });

  test('an API request without the token gets 401', async () => {
    const res = await callApi('hosts:list', {});
    assert.equal(res.status, 401);
    assert.deepEqual((res.json.error as { code: string }).code, 'unauthorized');
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    const unknown = await fetch(`${base}/api/whatever`);
    assert.equal(unknown.status, 401);
  });

  test('a wrong token gets 401, as bearer and at login', async () => {
    const wrong = randomBytes(32).toString('base64url');
    assert.equal((await callApi('hosts:list', {}, { Authorization: `Bearer ${wrong}` })).status, 401);
    const res = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: wrong }),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('set-cookie'), null);
  });

  test('login sets an HttpOnly, SameSite=Strict session cookie that is not the token', async () => {
    const res = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: web.token }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    assert.ok(!cookie.includes(web.token), 'the cookie must not carry the login token');
  });

  test('logout ends the session', async () => {
    const cookie = await login();
    const out = await fetch(`${base}/api/logout`, {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(out.status, 200);
    assert.equal((await callApi('hosts:list', {}, { Cookie: cookie })).status, 401);
  });
});

describe('web mode calls', () => {
  test('a call works with the session cookie and with the bearer token', async () => {
    const cookie = await login();
    const added = await callApi('hosts:add', { kind: 'local', name: 'lab' }, { Cookie: cookie });
    assert.equal(added.status, 200);
    assert.equal(added.json.ok, true);
    const listed = await callApi('hosts:list', {}, { Authorization: `Bearer ${web.token}` });
    assert.equal(listed.json.ok, true);
    assert.deepEqual(
      (listed.json.data as { name: string }[]).map((h) => h.name),
      ['lab'],
    );
  });

  test('invalid input is refused with invalid_input and changes nothing', async () => {
    const cookie = await login();
    const before = await callApi('servers:list', {}, { Cookie: cookie });
    const res = await callApi(
      'servers:add',
      { name: 'bad name!', source: { kind: 'npx', value: 'x' }, mode: 'shared' },
      { Cookie: cookie },
    );
    assert.equal(res.status, 200);
    assert.equal(res.json.ok, false);
    assert.equal((res.json.error as { code: string }).code, 'invalid_input');
    assert.match((res.json.error as { message: string }).message, /name/);
    const unknown = await callApi('hosts:explode', {}, { Cookie: cookie });
    assert.equal((unknown.json.error as { code: string }).code, 'invalid_input');
    assert.deepEqual((await callApi('servers:list', {}, { Cookie: cookie })).json, before.json);
  });

  test('a body that is not JSON gets 400, one over 1 MiB gets 413', async () => {
    const cookie = await login();
    assert.equal((await callApi('hosts:list', '{not json', { Cookie: cookie })).status, 400);
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
    assert.equal((await callApi('hosts:remove', big, { Cookie: cookie })).status, 413);
  });

  test('a cross-origin request is refused even with a valid cookie', async () => {
    const cookie = await login();
    const res = await callApi('hosts:list', {}, { Cookie: cookie, Origin: 'http://evil.example' });
    assert.equal(res.status, 403);
  });

  test('a request target that does not parse is answered, not a crash', async () => {
    assert.equal(await rawGet('http://[bad/', { Host: `127.0.0.1:${web.port}` }), 400);
    assert.equal((await fetch(`${base}/`)).status, 200);
  });

  test('a foreign Host header gets 421 (DNS rebinding)', async () => {
    assert.equal(await rawGet('/', { Host: `evil.example:${web.port}` }), 421);
    assert.equal(await rawGet('/api/call/hosts:list', { Host: 'evil.example' }), 421);
    assert.equal(await rawGet('/', { Host: `localhost:${web.port}` }), 200);
  });
});

describe('web mode static files', () => {
  test('serves the renderer without login, with security headers and an SPA fallback', async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /MCP Fleet/);
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(index.headers.get('x-frame-options'), 'DENY');
    assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(index.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    const asset = await fetch(`${base}/assets/app-1234.js`);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${base}/hosts`)).status, 200);
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
  });

  test('never serves a file outside the renderer folder', async () => {
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/%2e%2e/%2e%2e/outside.txt']) {
      // Sent byte for byte: fetch would normalise the dots away before they reach the server.
      assert.equal(await rawGet(path, { Host: `127.0.0.1:${web.port}` }), 404, path);
    }
  });

  test('the meta CSP in src-renderer/index.html is the header CSP but for frame-ancestors', () => {
    const html = readFileSync(new URL('../../src-renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    const headerWithoutFrameAncestors = CONTENT_SECURITY_POLICY.split('; ')
      .filter((directive) => !directive.startsWith('frame-ancestors'))
      .join('; ');
    assert.equal(meta?.[1], headerWithoutFrameAncestors);
  });
});

describe('web mode events', () => {
  test('the event socket is refused without a session cookie', async () => {
    assert.equal(await openEvents({ Origin: base }), 401);
  });

  test('the event socket is refused from a foreign origin even with a cookie', async () => {
    const cookie = await login();
    assert.equal(await openEvents({ Cookie: cookie, Origin: 'http://evil.example' }), 403);
  });

  test('a logged-in page receives store:changed events', async () => {
    const cookie = await login();
    const ws = await openEvents({ Cookie: cookie, Origin: base });
    assert.ok(ws instanceof WebSocket);
    const message = new Promise<unknown>((resolve) =>
      ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))),
    );
    const added = await callApi(
      'servers:add',
      {
        name: 'everything',
        source: { kind: 'npx', value: '@modelcontextprotocol/server-everything@2026.8.31' },
        mode: 'shared',
      },
      { Cookie: cookie },
    );
    assert.equal(added.json.ok, true);
    assert.deepEqual(await message, { event: 'store:changed', payload: { domain: 'servers' } });
    ws.close();
  });
});
