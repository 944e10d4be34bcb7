// The audit line's correlation id and what it names, in front of the real server-everything from npm, in
// both eras: the v1 SDK client in a session and the v2 client (@modelcontextprotocol/client) pinned to
// 2026-07-28. Each answer with a result carries the id of its own audit line in result._meta; the line
// names the tool, prompt or uri, and never an argument value.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Client as StatelessClient,
  StreamableHTTPClientTransport as StatelessTransport,
} from '@modelcontextprotocol/client';
import { connectClient, serverCommand, sha256, startTestBridge, type TestBridge } from '../test-helpers';
import { CORRELATION_KEY, correlationId, withCorrelation } from './correlation';

const ALICE = 'correlation-alice-token-0001';
const BOB = 'correlation-bob-token-000002';
const FEATURES = 'demo://resource/static/document/features.md';
const SECRET_ARGUMENT = 'argument-value-never-logged-5b1e';

interface AuditLine {
  event: string;
  member: string;
  method: string;
  tool?: string;
  prompt?: string;
  uri?: string;
  outcome: string;
  cid: string;
}

function cidOf(result: object): string {
  const cid = (result as { _meta?: Record<string, unknown> })._meta?.[CORRELATION_KEY];
  assert.equal(typeof cid, 'string', `result._meta carries ${CORRELATION_KEY}`);
  return cid as string;
}

describe('correlation ids in audit lines and results', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ...serverCommand('server-everything'),
      members: [
        { name: 'alice', tokenSha256: sha256(ALICE), tools: ['*'] },
        { name: 'bob', tokenSha256: sha256(BOB), tools: ['echo'], prompts: [], resources: [] },
      ],
    });
  });
  after(() => bridge.close());

  const audits = (): AuditLine[] =>
    bridge.logs.map((l) => JSON.parse(l) as AuditLine).filter((l) => l.event === 'audit');
  const lineOf = (cid: string): AuditLine | undefined => audits().find((l) => l.cid === cid);

  it('gives each 2025-era result the cid of its own audit line, naming tool, prompt and uri', async () => {
    const { client } = await connectClient(bridge.url, ALICE);
    try {
      const call = await client.callTool({ name: 'echo', arguments: { message: SECRET_ARGUMENT } });
      const prompt = await client.getPrompt({ name: 'args-prompt', arguments: { city: SECRET_ARGUMENT } });
      const read = await client.readResource({ uri: FEATURES });
      await client.close();
      const cids = [cidOf(call), cidOf(prompt), cidOf(read)];
      assert.equal(new Set(cids).size, 3, 'every request has its own id');
      for (const cid of cids) assert.match(cid, /^[A-Za-z0-9_-]{12}$/);
      const [callLine, promptLine, readLine] = cids.map(lineOf);
      assert.deepEqual(
        [callLine?.member, callLine?.method, callLine?.tool, callLine?.outcome],
        ['alice', 'tools/call', 'echo', 'ok'],
      );
      assert.deepEqual(
        [promptLine?.method, promptLine?.prompt, promptLine?.tool],
        ['prompts/get', 'args-prompt', undefined],
      );
      assert.deepEqual([readLine?.method, readLine?.uri], ['resources/read', FEATURES]);
      assert.ok(!bridge.logs.some((l) => l.includes(SECRET_ARGUMENT)), 'no argument value in any log line');
    } finally {
      await client.close();
    }
  });

  it('records a refused call with its target and a cid, and the refusal carries none', async () => {
    const { client } = await connectClient(bridge.url, BOB);
    try {
      const before = new Set(audits().map((l) => l.cid));
      await assert.rejects(client.getPrompt({ name: 'simple-prompt' }));
      const line = audits().find((l) => !before.has(l.cid) && l.method === 'prompts/get');
      assert.deepEqual([line?.member, line?.prompt, line?.outcome], ['bob', 'simple-prompt', 'denied']);
      assert.match(line?.cid ?? '', /^[A-Za-z0-9_-]{12}$/);
    } finally {
      await client.close();
    }
  });

  it('gives 2026-07-28 results the cid of their audit line too', async () => {
    const client = new StatelessClient(
      { name: 'stateless-client', version: '1.0.0' },
      { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new StatelessTransport(new URL(bridge.url), {
        requestInit: { headers: { authorization: `Bearer ${ALICE}` } },
      }),
    );
    try {
      const call = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
      const read = await client.readResource({ uri: FEATURES });
      const callLine = lineOf(cidOf(call));
      const readLine = lineOf(cidOf(read));
      assert.deepEqual([callLine?.method, callLine?.tool, callLine?.outcome], ['tools/call', 'echo', 'ok']);
      assert.deepEqual([readLine?.method, readLine?.uri], ['resources/read', FEATURES]);
    } finally {
      await client.close();
    }
  });

  it('replaces a cid the server put in its own _meta, and leaves errors alone', () => {
    const forged = { jsonrpc: '2.0', id: 1, result: { _meta: { [CORRELATION_KEY]: 'forged', other: 1 } } };
    const cid = correlationId();
    assert.deepEqual(withCorrelation(forged, cid).result._meta, { [CORRELATION_KEY]: cid, other: 1 });
    const error = { jsonrpc: '2.0', id: 1, error: { code: -1, message: 'x' } };
    assert.equal(withCorrelation(error, cid), error);
    const many = new Set(Array.from({ length: 2000 }, () => correlationId()));
    assert.equal(many.size, 2000);
  });
});
