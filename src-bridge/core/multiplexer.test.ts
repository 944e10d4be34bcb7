// Shared multiplexing through one real server-everything child: ids, progress, subscriptions, logging.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import {
  connectClient,
  serverCommand,
  sha256,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'mux-test-token-0123456789';

function text(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

describe('shared multiplexing', () => {
  let bridge: TestBridge;
  before(async () => {
    // One member's clients send 80 calls at once here: the fair-share caps (fair-share.test.ts) are raised.
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      tokenSha256: [sha256(TOKEN)],
      limits: { memberInflight: 1000, memberRps: 100_000 },
    });
  });
  after(() => bridge.close());

  it('gives two clients with the same request ids and progress tokens each their own answers', async () => {
    const a = await connectClient(bridge.url, TOKEN, {}, 'client-a');
    const b = await connectClient(bridge.url, TOKEN, {}, 'client-b');
    try {
      const progressA: number[] = [];
      const progressB: number[] = [];
      // Both clients number requests from the same start and use the request id as progress token,
      // so these two calls carry equal ids and equal tokens, at the same time.
      const [resultA, resultB] = await Promise.all([
        a.client.callTool(
          { name: 'trigger-long-running-operation', arguments: { duration: 0.6, steps: 2 } },
          undefined,
          {
            onprogress: (p) => progressA.push(p.total ?? -1),
          },
        ),
        b.client.callTool(
          { name: 'trigger-long-running-operation', arguments: { duration: 0.6, steps: 4 } },
          undefined,
          {
            onprogress: (p) => progressB.push(p.total ?? -1),
          },
        ),
      ]);
      assert.match(text(resultA), /Steps: 2\./);
      assert.match(text(resultB), /Steps: 4\./);
      assert.deepEqual(progressA, [2, 2]);
      assert.deepEqual(progressB, [4, 4, 4, 4]);

      const calls = (who: string, client: typeof a.client) =>
        Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            client.callTool({ name: 'echo', arguments: { message: `${who}-${i}` } }),
          ),
        );
      const [echoA, echoB] = await Promise.all([calls('A', a.client), calls('B', b.client)]);
      echoA.forEach((r, i) => assert.equal(text(r), `Echo: A-${i}`));
      echoB.forEach((r, i) => assert.equal(text(r), `Echo: B-${i}`));
    } finally {
      await Promise.all([a.client.close(), b.client.close()]);
    }
  });

  it('sends resources/updated only to the sessions that subscribed', async () => {
    const a = await connectClient(bridge.url, TOKEN, {}, 'subscriber');
    const b = await connectClient(bridge.url, TOKEN, {}, 'bystander');
    const uriA = 'demo://resource/dynamic/text/1';
    const uriB = 'demo://resource/dynamic/text/2';
    const updatesA: string[] = [];
    const updatesB: string[] = [];
    a.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void updatesA.push(n.params.uri),
    );
    b.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void updatesB.push(n.params.uri),
    );
    try {
      await a.client.subscribeResource({ uri: uriA });
      await b.client.subscribeResource({ uri: uriB });
      // The server now sends an update for every subscribed uri; each session must see only its own.
      await a.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
      await waitFor(() => updatesA.includes(uriA) && updatesB.includes(uriB), 'both updates');
      assert.ok(!updatesA.includes(uriB), 'A never sees B’s resource');
      assert.ok(!updatesB.includes(uriA), 'B never sees A’s resource');
      await a.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
      await a.client.unsubscribeResource({ uri: uriA });
    } finally {
      await Promise.all([a.client.close(), b.client.close()]);
    }
  });

  it('delivers log lines only to the session that set the level, during its own call', async () => {
    const chatty = await connectClient(bridge.url, TOKEN, {}, 'debug-level');
    const quiet = await connectClient(bridge.url, TOKEN, {}, 'emergency-level');
    const levelsChatty: string[] = [];
    const levelsQuiet: string[] = [];
    const updatesQuiet: string[] = [];
    chatty.client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (n) => void levelsChatty.push(n.params.level),
    );
    quiet.client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (n) => void levelsQuiet.push(n.params.level),
    );
    quiet.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void updatesQuiet.push(n.params.uri),
    );
    try {
      // The most verbose level asked for is the server's level, and its asker the only one to get lines.
      await chatty.client.setLoggingLevel('debug');
      await quiet.client.setLoggingLevel('emergency');
      await quiet.client.subscribeResource({ uri: 'demo://resource/dynamic/text/3' });
      levelsChatty.length = 0;
      // One log line of a random level, written while chatty's call is the only one in flight.
      await chatty.client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
      await waitFor(() => levelsChatty.length > 0, 'a log message at the debug-level session');
      // A later message to the quiet session on the same stream: by then the log line would have come.
      await chatty.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
      await waitFor(() => updatesQuiet.length > 0, 'a resource update at the quiet session');
      assert.deepEqual(levelsQuiet, [], 'a session that did not set the level gets no line');
      await chatty.client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
      await chatty.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    } finally {
      await Promise.all([chatty.client.close(), quiet.client.close()]);
    }
  });

  it('answers ping locally and counts requests per method in the audit log', async () => {
    const c = await connectClient(bridge.url, TOKEN);
    try {
      assert.deepEqual(await c.client.ping(), {});
      const audits = bridge.logs
        .filter((l) => l.includes('"event":"audit"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const call = audits.find((a) => a.method === 'tools/call' && a.tool === 'echo');
      assert.ok(call);
      assert.deepEqual(Object.keys(call).sort(), [
        'cid',
        'event',
        'level',
        'member',
        'method',
        'ms',
        'outcome',
        'session',
        'tool',
        'ts',
      ]);
      assert.equal(call.outcome, 'ok');
      assert.ok(
        !bridge.logs.some((l) => l.includes('Echo: A-1') || l.includes('"A-1"')),
        'no message bodies or arguments in the log',
      );
    } finally {
      await c.client.close();
    }
  });
});
