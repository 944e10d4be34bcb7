// Health endpoints of a bridge in front of the real server-sequential-thinking from npm.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient, raw, serverCommand, sha256, startTestBridge, type TestBridge } from '../test-helpers';

const TOKEN = 'health-token-0123456789ab';

describe('health endpoints', () => {
  let bridge: TestBridge;
  const path = (p: string) => bridge.url.replace('/mcp', p);
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-sequential-thinking'),
      tokenSha256: [sha256(TOKEN)],
    });
    const { client } = await connectClient(bridge.url, TOKEN);
    await client.listTools();
    await client.callTool({
      name: 'sequentialthinking',
      arguments: { thought: 'one', thoughtNumber: 1, totalThoughts: 1, nextThoughtNeeded: false },
    });
    await client.close();
  });
  after(() => bridge.close());

  it('GET /healthz says ok and nothing else, without auth', async () => {
    const res = await raw(path('/healthz'));
    assert.deepEqual([res.status, res.text], [200, 'ok']);
  });

  it('GET /readyz is 200 while the child is initialized', async () => {
    assert.equal((await raw(path('/readyz'))).status, 200);
  });

  it('GET /status reports the child, sessions, counters and latency', async () => {
    const res = await raw(path('/status'), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    const status = JSON.parse(res.text) as {
      mode: string;
      child: { pid: number; restarts: number; state: string; lastExit: unknown };
      sessions: number;
      requests: Record<string, { count: number; errors: number }>;
      latencyMs: { p50: number; p99: number };
    };
    assert.equal(status.mode, 'shared');
    assert.equal(status.child.state, 'ready');
    assert.ok(status.child.pid > 0);
    assert.equal(status.child.restarts, 0);
    assert.equal(status.child.lastExit, null);
    assert.equal(typeof status.sessions, 'number');
    assert.deepEqual(status.requests['tools/call'], { count: 1, errors: 0 });
    assert.deepEqual(status.requests['tools/list'], { count: 1, errors: 0 });
    assert.ok(status.latencyMs.p50 > 0 && status.latencyMs.p99 >= status.latencyMs.p50);
    // Nothing is in flight between requests: what a refused one left behind would show here.
    const { inFlight, memory } = JSON.parse(res.text) as {
      inFlight: Record<string, number>;
      memory: { rssBytes: number; heapUsedBytes: number };
    };
    assert.deepEqual(inFlight, { calls: 0, sessions: 0, statelessCallers: 0, serverRequests: 0 });
    assert.ok(memory.rssBytes > memory.heapUsedBytes && memory.heapUsedBytes > 0);
  });

  it('GET /metrics gives the same figures in Prometheus text format', async () => {
    const res = await raw(path('/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const lines = res.text.trim().split('\n');
    for (const line of lines) {
      assert.match(
        line,
        /^(# (HELP|TYPE) \w+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[\d.e+-]+)$/,
        line,
      );
    }
    assert.ok(lines.includes('mcp_bridge_child_up 1'));
    assert.ok(lines.includes('mcp_bridge_requests_total{method="tools/call",outcome="ok"} 1'));
    assert.ok(lines.some((l) => l.startsWith('mcp_bridge_request_duration_seconds{quantile="0.99"} ')));
    assert.ok(lines.includes('mcp_bridge_child_restarts_total 0'));
    assert.ok(lines.includes('mcp_bridge_pending_calls 0'));
    assert.ok(lines.includes('mcp_bridge_server_requests_waiting 0'));
    assert.ok(lines.some((l) => /^mcp_bridge_resident_memory_bytes [1-9]\d*$/.test(l)));
  });
});
