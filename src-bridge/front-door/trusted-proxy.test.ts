// --trusted-proxy over real HTTP: the test's loopback connection plays the reverse proxy, and
// X-Forwarded-For names the clients behind it. In front of the real server-sequential-thinking.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  INITIALIZE,
  MCP_HEADERS,
  requestFrom,
  serverCommand,
  sha256,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'proxy-token-Zr4k9Wq2-abcdefgh';

const initialize = (url: string, token: string, xff?: string, agent?: http.Agent) =>
  requestFrom(url, {
    method: 'POST',
    headers: {
      ...MCP_HEADERS,
      authorization: `Bearer ${token}`,
      ...(xff === undefined ? {} : { 'x-forwarded-for': xff }),
    },
    body: JSON.stringify(INITIALIZE),
    ...(agent === undefined ? {} : { agent }),
  });

/** The parsed log lines of one event. */
const events = (bridge: TestBridge, event: string) =>
  bridge.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.event === event);

describe('bridge behind a trusted proxy', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      trustedProxy: ['127.0.0.1/32'],
      allowCidr: ['203.0.113.0/24', '198.51.100.0/24'],
    });
  });
  after(() => bridge.close());

  it('applies --allow-cidr to the client the proxy names, not to the proxy', async () => {
    assert.equal((await initialize(bridge.url, TOKEN, '203.0.113.7')).status, 200);
    assert.equal((await initialize(bridge.url, TOKEN, '192.0.2.1')).status, 403);
    // A client cannot buy its way in by writing an admitted address left of its own.
    assert.equal((await initialize(bridge.url, TOKEN, '203.0.113.7, 192.0.2.1')).status, 403);
    // Further trusted proxies on the right are walked past.
    assert.equal((await initialize(bridge.url, TOKEN, '203.0.113.8, 127.0.0.1')).status, 200);
    // Without the header the proxy is the client, and it is not on the list.
    assert.equal((await initialize(bridge.url, TOKEN)).status, 403);
    await waitFor(() => events(bridge, 'source_refused').length >= 3, 'the refusals in the log');
    const sources = events(bridge, 'source_refused').map((line) => line.source);
    assert.deepEqual(sources.slice(0, 3), ['192.0.2.1', '192.0.2.1', '127.0.0.1']);
  });

  it('decides per request on one kept-alive proxy connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await initialize(bridge.url, TOKEN, '203.0.113.20', agent);
      const second = await initialize(bridge.url, TOKEN, '192.0.2.20', agent);
      const third = await initialize(bridge.url, TOKEN, '198.51.100.20', agent);
      assert.equal(second.reusedSocket && third.reusedSocket, true, 'one socket for all three');
      assert.deepEqual([first.status, second.status, third.status], [200, 403, 200]);
    } finally {
      agent.destroy();
    }
  });

  it('gives 429 to the client that failed, never to another client behind the same proxy', async () => {
    for (let i = 0; i < 10; i++)
      assert.equal((await initialize(bridge.url, `wrong-${i}`, '198.51.100.66')).status, 401);
    const blocked = await initialize(bridge.url, TOKEN, '198.51.100.66');
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    // Forging an entry left of its own changes nothing for the blocked client.
    assert.equal((await initialize(bridge.url, TOKEN, '198.51.100.67, 198.51.100.66')).status, 429);
    assert.equal((await initialize(bridge.url, TOKEN, '198.51.100.67')).status, 200);
    assert.equal((await initialize(bridge.url, TOKEN, '203.0.113.7')).status, 200);
    await waitFor(() => events(bridge, 'auth_failed').length >= 10, 'the failures in the log');
    assert.ok(events(bridge, 'auth_failed').every((line) => line.source === '198.51.100.66'));
  });

  it('treats the proxy as the client when X-Forwarded-For is malformed, and says so once', async () => {
    assert.equal((await initialize(bridge.url, TOKEN, 'unknown')).status, 403);
    assert.equal((await initialize(bridge.url, TOKEN, '203.0.113.7:4711')).status, 403);
    await waitFor(() => events(bridge, 'forwarded_for_malformed').length > 0, 'the warning');
    const warnings = events(bridge, 'forwarded_for_malformed');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.source, '127.0.0.1');
  });
});

describe('X-Forwarded-For from a peer that is not a trusted proxy', () => {
  it('changes nothing: not the allowlist, not the limiter, not the logged source', async () => {
    const bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      trustedProxy: ['10.9.9.9/32'],
      allowCidr: ['127.0.0.0/8'],
      limits: { authMaxFailures: 3 },
    });
    try {
      // A forged outside address neither keeps the loopback peer out nor lets it in as someone else.
      assert.equal((await initialize(bridge.url, TOKEN, '192.0.2.1')).status, 200);
      // Each failure claims another client; all count against the real peer.
      for (const forged of ['192.0.2.2', '192.0.2.3', '192.0.2.4'])
        assert.equal((await initialize(bridge.url, 'wrong', forged)).status, 401);
      assert.equal((await initialize(bridge.url, TOKEN, '192.0.2.5')).status, 429);
      await waitFor(() => events(bridge, 'auth_failed').length === 3, 'the failures in the log');
      assert.ok(events(bridge, 'auth_failed').every((line) => line.source === '127.0.0.1'));
    } finally {
      await bridge.close();
    }
  });

  it('is ignored entirely without --trusted-proxy', async () => {
    const bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
      allowCidr: ['203.0.113.0/24'],
    });
    try {
      assert.equal((await initialize(bridge.url, TOKEN, '203.0.113.7')).status, 403);
      await waitFor(() => events(bridge, 'source_refused').length === 1, 'the refusal in the log');
      assert.equal(events(bridge, 'source_refused')[0]?.source, '127.0.0.1');
    } finally {
      await bridge.close();
    }
  });
});
