// Clients of both eras on one Shared bridge at once, in front of the real server-everything from npm:
// the v1 SDK client (2025-11-25, a session) and the v2 client (@modelcontextprotocol/client, pinned to
// 2026-07-28, no session), ids colliding, each getting only its own answers; and elicitation reaching
// the v2 client as input_required and the v1 client as a server request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Client as StatelessClient,
  StreamableHTTPClientTransport as StatelessTransport,
} from '@modelcontextprotocol/client';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectClient, serverCommand, sha256, startTestBridge, type TestBridge } from './test-helpers';

const TOKEN = 'two-eras-token-0123456789';

async function statelessClient(url: string, elicited: string[]): Promise<StatelessClient> {
  const client = new StatelessClient(
    { name: 'stateless-client', version: '1.0.0' },
    { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setRequestHandler('elicitation/create', () => {
    elicited.push('stateless');
    return { action: 'accept', content: { name: 'Ada of 2026' } };
  });
  await client.connect(
    new StatelessTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }),
  );
  return client;
}

function textOf(result: unknown): string {
  const content = (result as { content?: { text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

describe('clients of both eras on one Shared bridge', () => {
  let bridge: TestBridge;
  before(async () => {
    // Both clients are one member sending 40 calls at once: above the default 16 in flight (and near the
    // burst of 100 requests) per member.
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      tokenSha256: [sha256(TOKEN)],
      limits: { memberInflight: 64, memberRps: 100_000 },
    });
  });
  after(() => bridge.close());

  it('lists and calls tools for both at once, with colliding ids, each getting only its own answers', async () => {
    const elicited: string[] = [];
    const stateless = await statelessClient(bridge.url, elicited);
    const legacy = await connectClient(bridge.url, TOKEN, {}, 'legacy-client');
    try {
      assert.equal(stateless.getNegotiatedProtocolVersion(), '2026-07-28');
      const [statelessTools, legacyTools] = await Promise.all([
        stateless.listTools(),
        legacy.client.listTools(),
      ]);
      assert.ok(statelessTools.tools.some((t) => t.name === 'echo'));
      assert.deepEqual(
        statelessTools.tools.map((t) => t.name),
        legacyTools.tools.map((t) => t.name),
      );
      // Both SDKs number their requests from 0, so every call below shares its id with one of the other client's.
      const calls: Promise<[string, string]>[] = [];
      for (let i = 0; i < 20; i += 1) {
        for (const [who, client] of [
          ['stateless', stateless],
          ['legacy', legacy.client],
        ] as const) {
          const message = `${who}-${i}`;
          calls.push(
            client
              .callTool({ name: 'echo', arguments: { message } })
              .then((result) => [message, textOf(result)] as [string, string]),
          );
        }
      }
      for (const [message, answer] of await Promise.all(calls)) assert.equal(answer, `Echo: ${message}`);
    } finally {
      await stateless.close();
      await legacy.transport.terminateSession();
      await legacy.client.close();
    }
  });

  it('brings elicitation to the v2 client as input_required and to the v1 client as a server request', async () => {
    const elicited: string[] = [];
    const stateless = await statelessClient(bridge.url, elicited);
    const legacy = await connectClient(bridge.url, TOKEN, { elicitation: true }, 'legacy-client');
    legacy.client.setRequestHandler(ElicitRequestSchema, () => {
      elicited.push('legacy');
      return { action: 'accept', content: { name: 'Ada of 2025' } };
    });
    try {
      const fromStateless = await stateless.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      assert.match(textOf(fromStateless), /Name: Ada of 2026/);
      const fromLegacy = await legacy.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      assert.match(textOf(fromLegacy), /Name: Ada of 2025/);
      assert.deepEqual(elicited, ['stateless', 'legacy']);
      const rounds = bridge.logs.filter(
        (l) => l.includes('"event":"audit"') && l.includes('"outcome":"input_required"'),
      );
      assert.equal(rounds.length, 1, 'the v2 client was asked through one input_required round');
    } finally {
      await stateless.close();
      await legacy.transport.terminateSession();
      await legacy.client.close();
    }
  });
});
