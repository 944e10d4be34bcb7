// The failed-auth limiter against an attacker, over real sockets from distinct loopback addresses
// (127.0.0.2, .3, …: separate sources to the bridge), in front of the real server-sequential-thinking.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  INITIALIZE,
  MCP_HEADERS,
  requestFrom,
  serverCommand,
  sha256,
  startTestBridge,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'limits-token-Hv7c2Rx9-abcdefg';
const ATTACKER = '127.0.0.2';
const COLLEAGUE = '127.0.0.3';
const FORGETFUL = '127.0.0.4';

describe('failed-auth limits per source', () => {
  let bridge: TestBridge;
  before(async () => {
    // The default limits: 10 failures a minute.
    bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
    });
  });
  after(() => bridge.close());

  const initialize = (from: string, authorization?: string) =>
    requestFrom(bridge.url, {
      localAddress: from,
      method: 'POST',
      headers: { ...MCP_HEADERS, ...(authorization === undefined ? {} : { authorization }) },
      body: JSON.stringify(INITIALIZE),
    });

  it("an attacker's guesses block the attacker, not a good token from another source", async () => {
    // 50 guesses at once: each is counted before the next is looked at.
    const guesses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => initialize(ATTACKER, `Bearer guess-${i}`)),
    );
    const statuses = guesses.map((reply) => reply.status);
    assert.equal(statuses.filter((s) => s === 401).length, 10);
    assert.equal(statuses.filter((s) => s === 429).length, 40);

    assert.equal((await initialize(COLLEAGUE, `Bearer ${TOKEN}`)).status, 200);
    // The attacker failed itself: even the right token is refused from there while it is blocked,
    // so a blocked source learns nothing from its guesses.
    const fromAttacker = await initialize(ATTACKER, `Bearer ${TOKEN}`);
    assert.equal(fromAttacker.status, 429);
    assert.ok(Number(fromAttacker.headers['retry-after']) > 0);
    assert.equal((await initialize(COLLEAGUE, `Bearer ${TOKEN}`)).status, 200);
  });

  it('requests without any credential are refused but do not block their source', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await initialize(FORGETFUL)).status, 401);
    assert.equal((await initialize(FORGETFUL, `Bearer ${TOKEN}`)).status, 200);
  });

  it('counts what it refused in /status', async () => {
    const reply = await requestFrom(bridge.url.replace('/mcp', '/status'), {
      localAddress: COLLEAGUE,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const { auth } = JSON.parse(reply.text) as { auth: { failures: number; rateLimited: number } };
    assert.deepEqual(auth, { failures: 30, rateLimited: 41 });
  });
});
