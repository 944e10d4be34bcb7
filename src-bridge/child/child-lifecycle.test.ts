// The child's life: killed mid-call, restarted with backoff, crash loops, timeouts; real server-everything.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  connectClient,
  INITIALIZE,
  MCP_HEADERS,
  raw,
  serverCommand,
  sha256,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'lifecycle-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

interface Status {
  child: {
    pid: number | null;
    restarts: number;
    state: string;
    lastExit: { code: number | null; signal: string | null; error?: string } | null;
  };
}

async function status(bridge: TestBridge): Promise<Status> {
  return JSON.parse((await raw(bridge.url.replace('/mcp', '/status'), { headers: auth })).text) as Status;
}

const readyz = async (bridge: TestBridge) => (await raw(bridge.url.replace('/mcp', '/readyz'))).status;

describe('child lifecycle', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      tokenSha256: [sha256(TOKEN)],
      limits: { backoffInitialMs: 50 },
    });
  });
  after(() => bridge.close());

  it('answers a call pending when the child dies with an error, then restarts it and the next call works', async (t) => {
    const { client } = await connectClient(bridge.url, TOKEN);
    const listChanged: number[] = [];
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged.push(Date.now()));
    try {
      const before = await status(bridge);
      assert.ok(before.child.pid);
      let progressed = false;
      const pending = client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 60, steps: 120 } },
        undefined,
        {
          onprogress: () => void (progressed = true),
        },
      );
      // Progress proves the child is working on the call when it dies.
      await waitFor(() => progressed, 'the call to be in progress at the child');
      const killedAt = performance.now();
      process.kill(before.child.pid, 'SIGKILL');
      await assert.rejects(
        pending,
        (err: unknown) =>
          err instanceof McpError && err.code === -32000 && /exited \(signal SIGKILL\)/.test(err.message),
      );
      t.diagnostic(`pending call answered ${(performance.now() - killedAt).toFixed(1)} ms after SIGKILL`);

      await waitFor(
        async () => (await readyz(bridge)) === 200 && (await status(bridge)).child.restarts === 1,
        'the restarted child',
      );
      const after = await status(bridge);
      assert.notEqual(after.child.pid, before.child.pid);
      assert.deepEqual(
        { code: after.child.lastExit?.code, signal: after.child.lastExit?.signal },
        { code: null, signal: 'SIGKILL' },
      );
      const echo = await client.callTool({ name: 'echo', arguments: { message: 'again' } });
      assert.deepEqual(echo.content, [{ type: 'text', text: 'Echo: again' }]);
      await waitFor(() => listChanged.length > 0, 'tools/list_changed after the restart');
    } finally {
      await client.close();
    }
  });

  it('times a call out with a JSON-RPC error when the child takes too long', async () => {
    const quick = await startTestBridge({
      ...serverCommand('server-everything'),
      tokenSha256: [sha256(TOKEN)],
      limits: { upstreamTimeoutMs: 300 },
    });
    const { client } = await connectClient(quick.url, TOKEN);
    try {
      await assert.rejects(
        client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 1 } }),
        (err: unknown) => err instanceof McpError && err.code === -32001,
      );
      assert.deepEqual((await client.callTool({ name: 'echo', arguments: { message: 'ok' } })).content, [
        { type: 'text', text: 'Echo: ok' },
      ]);
    } finally {
      await client.close();
      await quick.close();
    }
  });
});

describe('child that cannot serve', () => {
  it('reports a crash loop: readyz 503, healthz 503, exit code in /status, initialize 503', async () => {
    const bridge = await startTestBridge({
      command: process.execPath,
      args: ['-e', 'process.stderr.write("boom\\n"); process.exit(3)'],
      tokenSha256: [sha256(TOKEN)],
      limits: { backoffInitialMs: 10, backoffMaxMs: 40, readyWaitMs: 100 },
    });
    try {
      await waitFor(async () => (await status(bridge)).child.restarts >= 3, 'three restarts');
      assert.equal(await readyz(bridge), 503);
      const health = await raw(bridge.url.replace('/mcp', '/healthz'));
      assert.deepEqual([health.status, health.text], [503, 'unhealthy']);
      assert.equal((await status(bridge)).child.lastExit?.code, 3);
      const init = await raw(bridge.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, ...auth },
        body: JSON.stringify(INITIALIZE),
      });
      assert.equal(init.status, 503);
      assert.match(init.text, /not running \(last exit: exit code 3\)/);
      assert.ok(
        bridge.logs.some((l) => l.includes('"event":"child_stderr"') && l.includes('boom')),
        'stderr captured into the log',
      );
    } finally {
      await bridge.close();
    }
  });

  it('reports a command that cannot start', async () => {
    const bridge = await startTestBridge({
      command: '/nonexistent/mcp-server',
      tokenSha256: [sha256(TOKEN)],
      limits: { backoffInitialMs: 10 },
    });
    try {
      await waitFor(
        async () => (await status(bridge)).child.lastExit?.error !== undefined,
        'the spawn error',
      );
      assert.match((await status(bridge)).child.lastExit?.error ?? '', /ENOENT/);
    } finally {
      await bridge.close();
    }
  });

  it('kills and restarts a server that never answers initialize', async () => {
    const bridge = await startTestBridge({
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      tokenSha256: [sha256(TOKEN)],
      limits: { initTimeoutMs: 150, backoffInitialMs: 10 },
    });
    try {
      await waitFor(
        async () => (await status(bridge)).child.restarts >= 1,
        'a restart after the initialize timeout',
      );
      assert.ok(bridge.logs.some((l) => l.includes('"event":"child_initialize_failed"')));
    } finally {
      await bridge.close();
    }
  });
});
