/** What the fair-share suites share: members alice, bob and watcher, and raw requests to read refusals with. */
import assert from 'node:assert/strict';
import type { MemberUsage } from './fair-share';
import type { MemberSpec } from './members';
import { connectClient, MCP_HEADERS, statelessRequest, raw, sha256, type TestBridge } from '../test-helpers';

export const ALICE = 'tok-alice-fair-share-0001';
export const BOB = 'tok-bob-fair-share-000002';
export const WATCHER = 'tok-watcher-fair-share-03';

export function members(bobLimits?: MemberSpec['limits']): MemberSpec[] {
  return [
    { name: 'alice', tokenSha256: sha256(ALICE), tools: ['*'] },
    { name: 'bob', tokenSha256: sha256(BOB), tools: ['*'], ...(bobLimits ? { limits: bobLimits } : {}) },
    // Reads /status for the tests, so that neither alice's nor bob's figures include the polling.
    { name: 'watcher', tokenSha256: sha256(WATCHER), tools: [] },
  ];
}

export interface Reply {
  status: number;
  retryAfter: string | null;
  body: {
    id?: unknown;
    result?: { content?: { text: string }[] };
    error?: { code: number; data?: { limit?: string } };
  };
}

/** One JSON-RPC message POSTed by hand, so that the status and headers of a refusal can be read. */
export async function post(
  bridge: TestBridge,
  token: string,
  message: object,
  extra: { session?: string; signal?: AbortSignal } = {},
): Promise<Reply> {
  const res = await raw(bridge.url, {
    method: 'POST',
    headers: {
      ...MCP_HEADERS,
      authorization: `Bearer ${token}`,
      ...(extra.session === undefined ? {} : { 'mcp-session-id': extra.session }),
    },
    body: JSON.stringify(message),
    ...(extra.signal ? { signal: extra.signal } : {}),
  });
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: json ? (JSON.parse(res.text) as Reply['body']) : {},
  };
}

export const call = (id: number, name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});
export const LONG = { duration: 120, steps: 1 };

/** The member's figures in /status, read as the watcher. */
export async function usage(bridge: TestBridge, name: string): Promise<MemberUsage> {
  const res = await raw(bridge.url.replace('/mcp', '/status'), {
    headers: { authorization: `Bearer ${WATCHER}` },
  });
  const status = JSON.parse(res.text) as { members: Record<string, MemberUsage> };
  const found = status.members[name];
  if (!found) throw new Error(`no figures for ${name} in /status`);
  return found;
}

export function assertRefused(reply: Reply, limit: string, id: unknown): void {
  assert.equal(reply.status, 429, JSON.stringify(reply.body));
  assert.match(reply.retryAfter ?? '', /^[1-9]\d*$/, 'Retry-After in whole seconds');
  assert.equal(reply.body.error?.code, -32005);
  assert.equal(reply.body.error?.data?.limit, limit);
  assert.equal(reply.body.id, id);
}

/** Alice's session works as it always does: initialize, then echo calls with the right answers. */
export async function aliceIsServed(bridge: TestBridge, tag: string): Promise<void> {
  const { client } = await connectClient(bridge.url, ALICE, {}, `alice-${tag}`);
  try {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.callTool({ name: 'echo', arguments: { message: `${tag}-${i}` } }),
      ),
    );
    results.forEach((r, i) => assert.deepEqual(r.content, [{ type: 'text', text: `Echo: ${tag}-${i}` }]));
  } finally {
    await client.close();
  }
  const stateless = await statelessRequest(bridge.url, ALICE, 'tools/call', {
    name: 'echo',
    arguments: { message: tag },
  });
  assert.equal(stateless.status, 200);
  assert.deepEqual(stateless.body.result?.content, [{ type: 'text', text: `Echo: ${tag}` }]);
}
