// subscriptions/listen for 2026-07-28 clients, fed by the same list_changed broadcast and the same
// reference-counted resource subscriptions as 2025-era sessions, in front of the conformance fixture.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  connectClient,
  fixtureCommand,
  fixtureSeen,
  STATELESS,
  statelessRequest,
  raw,
  sha256,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'listen-test-token-0123456';
const WATCHED = 'test://watched-resource';

interface Listener {
  next(): Promise<Record<string, unknown>>;
  close(): void;
}

/** Opens a subscriptions/listen stream and hands out its messages one at a time. */
async function listen(url: string, id: number, notifications: Record<string, unknown>): Promise<Listener> {
  const abort = new AbortController();
  const res = await fetch(url, {
    method: 'POST',
    signal: abort.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${TOKEN}`,
      'mcp-protocol-version': STATELESS,
      'mcp-method': 'subscriptions/listen',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'subscriptions/listen',
      params: {
        notifications,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': STATELESS,
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
  });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error('no stream');
  const queue: Record<string, unknown>[] = [];
  let buffer = '';
  return {
    async next() {
      while (queue.length === 0) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the listen stream ended');
        buffer += value;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const event of events)
          for (const line of event.split('\n'))
            if (line.startsWith('data: ')) queue.push(JSON.parse(line.slice(6)) as Record<string, unknown>);
      }
      return queue.shift() ?? {};
    },
    close: () => abort.abort(),
  };
}

const subscriptionOf = (message: Record<string, unknown>): unknown =>
  ((message.params as Record<string, unknown>)._meta as Record<string, unknown>)[
    'io.modelcontextprotocol/subscriptionId'
  ];

describe('subscriptions/listen', () => {
  let bridge: TestBridge;
  const trigger = (name: string) =>
    statelessRequest(bridge.url, TOKEN, 'tools/call', { name, arguments: {} });
  const listenStreams = async (): Promise<number> => {
    const res = await raw(bridge.url.replace(/\/mcp$/, '/status'), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return (JSON.parse(res.text) as { stateless: { listenStreams: number } }).stateless.listenStreams;
  };
  before(async () => {
    bridge = await startTestBridge({ ...fixtureCommand(), tokenSha256: [sha256(TOKEN)] });
  });
  after(() => bridge.close());

  it('acknowledges first, then delivers only what the filter asked for, tagged with the subscription id', async () => {
    const tools = await listen(bridge.url, 71, { toolsListChanged: true, somethingElse: true });
    const prompts = await listen(bridge.url, 72, { promptsListChanged: true });
    try {
      const ack = await tools.next();
      assert.equal(ack.method, 'notifications/subscriptions/acknowledged');
      assert.deepEqual((ack.params as Record<string, unknown>).notifications, { toolsListChanged: true });
      assert.equal(subscriptionOf(ack), 71);
      assert.equal((await prompts.next()).method, 'notifications/subscriptions/acknowledged');
      assert.equal(await listenStreams(), 2);

      await trigger('test_trigger_tool_change');
      const changed = await tools.next();
      assert.equal(changed.method, 'notifications/tools/list_changed');
      assert.equal(subscriptionOf(changed), 71);
      await trigger('test_trigger_prompt_change');
      // Had the tools notice reached the prompts-only stream, it would come first.
      const next = await prompts.next();
      assert.equal(next.method, 'notifications/prompts/list_changed');
      assert.equal(subscriptionOf(next), 72);
    } finally {
      tools.close();
      prompts.close();
    }
    await waitFor(async () => (await listenStreams()) === 0, 'closed streams to be forgotten');
  });

  it('shares one upstream resource subscription between a listen stream and a session', async () => {
    const session = await connectClient(bridge.url, TOKEN);
    const updates: string[] = [];
    session.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    await session.client.subscribeResource({ uri: WATCHED });
    const stream = await listen(bridge.url, 73, { resourceSubscriptions: [WATCHED] });
    try {
      const ack = await stream.next();
      assert.deepEqual((ack.params as Record<string, unknown>).notifications, {
        resourceSubscriptions: [WATCHED],
      });
      assert.equal((await fixtureSeen(bridge.url, TOKEN)).methods['resources/subscribe'], 1);
      await trigger('fixture_touch_resource');
      const updated = await stream.next();
      assert.equal(updated.method, 'notifications/resources/updated');
      assert.equal((updated.params as Record<string, unknown>).uri, WATCHED);
      await waitFor(() => updates.length === 1, 'the session to get the update too');
    } finally {
      stream.close();
    }
    await waitFor(async () => (await listenStreams()) === 0, 'the stream to be forgotten');
    assert.equal((await fixtureSeen(bridge.url, TOKEN)).methods['resources/unsubscribe'], undefined);
    await session.transport.terminateSession();
    await session.client.close();
    await waitFor(
      async () => (await fixtureSeen(bridge.url, TOKEN)).methods['resources/unsubscribe'] === 1,
      'the last subscriber leaving to unsubscribe upstream',
    );
  });

  it('ends open streams with a result when the bridge shuts down', async () => {
    const stream = await listen(bridge.url, 74, { toolsListChanged: true });
    await stream.next();
    const closing = bridge.close();
    const last = await stream.next();
    assert.deepEqual(last, {
      jsonrpc: '2.0',
      id: 74,
      result: { resultType: 'complete', _meta: { 'io.modelcontextprotocol/subscriptionId': 74 } },
    });
    await closing;
  });
});
