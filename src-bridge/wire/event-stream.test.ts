// SSE streams: a POST that turns into a stream, resumption with Last-Event-ID, the standalone GET stream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MCP_HEADERS,
  openRawSession,
  serverCommand,
  sha256,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'sse-token-0123456789abcdef';

interface SseEvent {
  id: string | undefined;
  data: string;
}

/** Reads SSE events from a response until `stop` says enough or the stream ends. */
async function readEvents(res: Response, stop: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  while (!stop(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      if (block.startsWith(':')) continue;
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      events.push({ id, data });
    }
  }
  await reader.cancel().catch(() => undefined);
  return events;
}

const messages = (events: SseEvent[]) =>
  events.filter((e) => e.data !== '').map((e) => JSON.parse(e.data) as Record<string, unknown>);

describe('event streams', () => {
  let bridge: TestBridge;
  const auth = { authorization: `Bearer ${TOKEN}` };
  before(async () => {
    // Dedicated: the log line these tests queue is written while no call is in flight, which a
    // Shared bridge delivers to nobody (log-routing.ts).
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      tokenSha256: [sha256(TOKEN)],
      mode: 'dedicated',
    });
  });
  after(() => bridge.close());

  it('streams progress on the POST, and a GET with Last-Event-ID resumes it after a disconnect', async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    const abort = new AbortController();
    const res = await fetch(bridge.url, {
      method: 'POST',
      signal: abort.signal,
      headers: { ...MCP_HEADERS, ...auth, 'mcp-session-id': session },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 42,
        method: 'tools/call',
        params: {
          name: 'trigger-long-running-operation',
          arguments: { duration: 0.9, steps: 3 },
          _meta: { progressToken: 'mine' },
        },
      }),
    });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const first = await readEvents(res, (events) => messages(events).length >= 1);
    abort.abort();
    assert.equal(first[0]?.data, '', 'a priming event with an id comes first');
    const progress = messages(first)[0] as {
      method: string;
      params: { progressToken: unknown; progress: number };
    };
    assert.equal(progress.method, 'notifications/progress');
    assert.equal(progress.params.progressToken, 'mine', 'the client sees its own token, not the bridge’s');
    const lastId = first.filter((e) => e.data !== '').at(-1)?.id;
    assert.ok(lastId);

    const resumed = await fetch(bridge.url, {
      headers: { ...auth, accept: 'text/event-stream', 'mcp-session-id': session, 'last-event-id': lastId },
    });
    assert.equal(resumed.status, 200);
    const rest = messages(await readEvents(resumed, () => false));
    const progressSteps = rest
      .filter((m) => m.method === 'notifications/progress')
      .map((m) => (m.params as { progress: number }).progress);
    assert.deepEqual(progressSteps, [2, 3], 'nothing lost, nothing repeated');
    const final = rest.at(-1) as { id: number; result: { content: { text: string }[] } };
    assert.equal(final.id, 42);
    assert.match(final.result.content[0]?.text ?? '', /Steps: 3\./);
  });

  it('delivers messages sent before the GET stream opened, once', async () => {
    const session = await openRawSession(bridge.url, TOKEN);
    const post = (body: object) =>
      fetch(bridge.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, ...auth, 'mcp-session-id': session },
        body: JSON.stringify(body),
      }).then((r) => r.text());
    await post({ jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'debug' } });
    // Subscribing makes the server log an info message to the session: it waits for the GET stream.
    await post({
      jsonrpc: '2.0',
      id: 2,
      method: 'resources/subscribe',
      params: { uri: 'demo://resource/dynamic/text/9' },
    });
    const open = () =>
      fetch(bridge.url, { headers: { ...auth, accept: 'text/event-stream', 'mcp-session-id': session } });
    let events: SseEvent[] = [];
    await waitFor(async () => {
      events = await readEvents(await open(), (e) => e.length >= 1);
      return messages(events).length > 0;
    }, 'the queued log message');
    const log = messages(events)[0] as { method: string; params: { data: string } };
    assert.equal(log.method, 'notifications/message');
    assert.match(
      log.params.data,
      /Received Subscribe Resource request for URI: demo:\/\/resource\/dynamic\/text\/9/,
    );
    const again = await readEvents(await open(), (e) => e.length >= 1);
    assert.deepEqual(messages(again), [], 'a fresh GET gets only a priming event, not the old message');
    const replay = await fetch(bridge.url, {
      headers: { ...auth, accept: 'text/event-stream', 'mcp-session-id': session, 'last-event-id': '0.0' },
    });
    assert.deepEqual(
      messages(await readEvents(replay, (e) => e.length >= 1)),
      [log],
      'Last-Event-ID 0.0 replays it',
    );
  });
});
