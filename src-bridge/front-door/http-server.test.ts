// Authentication and source checks over real HTTP, in front of the real server-sequential-thinking from npm.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  INITIALIZE,
  MCP_HEADERS,
  openRawSession,
  raw,
  serverCommand,
  sha256,
  startTestBridge,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'tok-7Qm2xLq9-ABCDEFGHIJ';
const OTHER = 'tok-other-member-123456';

describe('bridge HTTP: auth', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      members: [
        { name: 'alice', tokenSha256: sha256(TOKEN), tools: ['*'] },
        { name: 'bob', tokenSha256: sha256(OTHER), tools: ['*'] },
      ],
      allowOrigin: ['https://app.example.com'],
      limits: { maxBodyBytes: 64 * 1024, authMaxFailures: 1000 },
    });
  });
  after(() => bridge.close());

  const post = (headers: Record<string, string>, body: unknown = INITIALIZE, url = bridge.url) =>
    raw(url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(body) });

  it('refuses a missing token with 401 and a Bearer challenge', async () => {
    const res = await post({});
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="mcp-fleet-bridge"$/);
  });

  it('refuses a wrong token, and one differing only in its last byte', async () => {
    for (const token of ['nope', TOKEN.slice(0, -1) + 'K', TOKEN + 'x', TOKEN.slice(0, -1)]) {
      const res = await post({ authorization: `Bearer ${token}` });
      assert.equal(res.status, 401, token);
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    }
  });

  it('refuses malformed Authorization headers', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${TOKEN} extra`, TOKEN]) {
      const res = await post({ authorization: header });
      assert.equal(res.status, 401, header);
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
    }
  });

  it('refuses tokens in the query string, even alongside a good header', async () => {
    for (const query of [`?token=${TOKEN}`, `?access_token=${TOKEN}`, `?api_key=${TOKEN}`]) {
      const res = await post({ authorization: `Bearer ${TOKEN}` }, INITIALIZE, bridge.url + query);
      assert.equal(res.status, 400, query);
      assert.match(res.text, /Tokens in the URL are refused/);
    }
  });

  it('protects /status and /metrics but not /healthz', async () => {
    assert.equal((await raw(bridge.url.replace('/mcp', '/status'))).status, 401);
    assert.equal((await raw(bridge.url.replace('/mcp', '/metrics'))).status, 401);
    const health = await raw(bridge.url.replace('/mcp', '/healthz'));
    assert.equal(health.status, 200);
    assert.equal(health.text, 'ok');
  });

  it('checks every request: a session id alone authenticates nothing', async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    const res = await post({ 'mcp-session-id': session }, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    assert.equal(res.status, 401);
  });

  it("answers another member's session as not found", async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    const res = await post(
      { authorization: `Bearer ${OTHER}`, 'mcp-session-id': session },
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    );
    assert.equal(res.status, 404);
    const mine = await post(
      { authorization: `Bearer ${TOKEN}`, 'mcp-session-id': session },
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    );
    assert.equal(mine.status, 200);
    assert.match(mine.text, /sequentialthinking/);
  });

  it('never writes a token or its hash to the log', () => {
    const all = bridge.logs.join('\n');
    for (const secret of [TOKEN, OTHER, sha256(TOKEN), sha256(OTHER)]) assert.ok(!all.includes(secret));
    assert.match(all, /"event":"auth_failed"/);
  });
});

describe('bridge HTTP: source allowlist and rate limit', () => {
  it('refuses sources outside --allow-cidr with 403 before auth, but lets loopback see /healthz', async () => {
    const bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      allowCidr: ['10.0.0.0/8'],
    });
    try {
      const res = await raw(bridge.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(INITIALIZE),
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('www-authenticate'), null, 'refused before auth');
      assert.equal((await raw(bridge.url.replace('/mcp', '/healthz'))).status, 200);
    } finally {
      await bridge.close();
    }
  });

  it('answers 429 with Retry-After once a source fails too often, even with the right token', async () => {
    const bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      limits: { authMaxFailures: 3 },
    });
    try {
      const attempt = (token: string) =>
        raw(bridge.url, {
          method: 'POST',
          headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
          body: JSON.stringify(INITIALIZE),
        });
      for (let i = 0; i < 3; i++) assert.equal((await attempt('guess' + i)).status, 401);
      const limited = await attempt(TOKEN);
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
    } finally {
      await bridge.close();
    }
  });
});
