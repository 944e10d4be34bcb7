// Server-to-client requests (sampling, elicitation) from the real server-everything, routed per session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  connectClient,
  serverCommand,
  sha256,
  startTestBridge,
  waitFor,
  type TestBridge,
} from '../test-helpers';

const TOKEN = 'server-requests-token-0123';

function text(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

async function capableClient(bridge: TestBridge, name: string) {
  const connected = await connectClient(bridge.url, TOKEN, { sampling: true, elicitation: true }, name);
  const asked: string[] = [];
  connected.client.setRequestHandler(CreateMessageRequestSchema, async () => {
    asked.push('sampling');
    return { model: 'test-model', role: 'assistant', content: { type: 'text', text: `sampled by ${name}` } };
  });
  connected.client.setRequestHandler(ElicitRequestSchema, async () => {
    asked.push('elicitation');
    return { action: 'accept', content: { name: `Ada of ${name}` } };
  });
  return { ...connected, asked };
}

describe('server-to-client requests', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({ ...serverCommand('server-everything'), tokenSha256: [sha256(TOKEN)] });
  });
  after(() => bridge.close());

  it('routes sampling and elicitation to the one session with a request in flight', async () => {
    const a = await capableClient(bridge, 'alpha');
    const idle = await capableClient(bridge, 'idle');
    try {
      const sampled = await a.client.callTool({
        name: 'trigger-sampling-request',
        arguments: { prompt: 'hello' },
      });
      assert.match(text(sampled), /sampled by alpha/);
      const elicited = await a.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      assert.match(text(elicited), /Name: Ada of alpha/);
      assert.deepEqual(a.asked, ['sampling', 'elicitation']);
      assert.deepEqual(idle.asked, [], 'a session with nothing in flight is never asked');
    } finally {
      await Promise.all([a.client.close(), idle.client.close()]);
    }
  });

  it('refuses, and asks nobody, when two sessions have requests in flight', async () => {
    const a = await capableClient(bridge, 'alpha');
    const b = await capableClient(bridge, 'beta');
    try {
      let busy = false;
      const long = b.client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 2, steps: 4 } },
        undefined,
        {
          onprogress: () => void (busy = true),
        },
      );
      await waitFor(() => busy, 'beta to have a call in flight');
      const [sampled, elicited] = await Promise.all([
        a.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hello' } }),
        a.client.callTool({ name: 'trigger-elicitation-request', arguments: {} }),
      ]);
      assert.equal(sampled.isError, true);
      assert.match(
        text(sampled),
        /mcp-fleet-bridge refused sampling\/createMessage: 2 client sessions have requests in flight/,
      );
      assert.equal(elicited.isError, true);
      assert.match(text(elicited), /mcp-fleet-bridge refused elicitation\/create/);
      assert.deepEqual([a.asked, b.asked], [[], []]);
      assert.match(text(await long), /Steps: 4\./);
      assert.ok(bridge.logs.some((l) => l.includes('"event":"server_request_refused"')));
    } finally {
      await Promise.all([a.client.close(), b.client.close()]);
    }
  });

  it('refuses a request the session did not declare the capability for', async () => {
    const plain = await connectClient(bridge.url, TOKEN, {}, 'no-sampling');
    try {
      const result = await plain.client.callTool({
        name: 'trigger-sampling-request',
        arguments: { prompt: 'hello' },
      });
      assert.equal(result.isError, true);
      assert.match(text(result), /does not support sampling/);
    } finally {
      await plain.client.close();
    }
  });
});
