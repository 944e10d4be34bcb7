// Multi round-trip requests over the bridge: a stdio server of the initialize era (the conformance
// fixture) asks its client for input the old way, and a 2026-07-28 client gets input_required results
// and answers them by retrying. requestState is untrusted input; waiting is bounded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  fixtureCommand,
  fixtureSeen,
  statelessRequest,
  raw,
  sha256,
  startTestBridge,
  waitFor,
  type StatelessReply,
  type TestBridge,
} from '../test-helpers';

const ADA = 'input-required-ada-token';
const BOB = 'input-required-bob-token';
const CAN_ASK = {
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {}, sampling: {}, roots: {} },
};
const accept = (content: Record<string, unknown>) => ({ action: 'accept', content });
const sampled = (text: string) => ({
  role: 'assistant',
  content: { type: 'text', text },
  model: 'test-model',
});

function textOf(reply: StatelessReply): string {
  return ((reply.body.result?.content ?? []) as { text?: string }[]).map((c) => c.text ?? '').join('');
}

async function statelessFigures(bridge: TestBridge, token: string): Promise<Record<string, number>> {
  const res = await raw(bridge.url.replace(/\/mcp$/, '/status'), {
    headers: { authorization: `Bearer ${token}` },
  });
  return (JSON.parse(res.text) as { stateless: Record<string, number> }).stateless;
}

describe('input_required: server requests of a stdio server, asked of stateless clients', () => {
  let bridge: TestBridge;
  const call = (
    token: string,
    name: string,
    extra: Record<string, unknown> = {},
    meta: Record<string, unknown> = CAN_ASK,
  ) => statelessRequest(bridge.url, token, 'tools/call', { name, arguments: {}, ...extra }, { meta });
  before(async () => {
    bridge = await startTestBridge({
      ...fixtureCommand(),
      members: [
        { name: 'ada', tokenSha256: sha256(ADA), tools: ['*'] },
        { name: 'bob', tokenSha256: sha256(BOB), tools: ['*'] },
      ],
      roots: [{ uri: 'file:///srv/shared' }],
    });
  });
  after(() => bridge.close());

  it('turns an elicitation into input_required, and the retry into the call result', async () => {
    const first = await call(ADA, 'test_input_required_result_elicitation');
    const result = first.body.result ?? {};
    assert.equal(result.resultType, 'input_required');
    const requests = result.inputRequests as Record<string, { method: string; params: unknown }>;
    assert.deepEqual(Object.keys(requests), ['user_name']);
    assert.equal(requests.user_name?.method, 'elicitation/create');
    assert.equal(typeof result.requestState, 'string');
    assert.equal((await statelessFigures(bridge, ADA)).waitingForInput, 1);
    const second = await call(ADA, 'test_input_required_result_elicitation', {
      inputResponses: { user_name: accept({ name: 'Ada' }) },
      requestState: result.requestState,
    });
    assert.equal(second.body.result?.resultType, 'complete');
    assert.equal(textOf(second), 'Hello, Ada!');
    assert.deepEqual(await statelessFigures(bridge, ADA), {
      inFlight: 0,
      waitingForInput: 0,
      listenStreams: 0,
    });
    assert.ok(
      bridge.logs.some((l) => l.includes('"event":"audit"') && l.includes('"outcome":"input_required"')),
    );
  });

  it('refuses forged, altered, foreign and replayed requestState, and nothing reaches the server', async () => {
    const first = await call(ADA, 'test_input_required_result_request_state');
    const state = String(first.body.result?.requestState);
    const answer = { confirm: accept({ ok: true }) };
    const retry = (token: string, requestState: string, name = 'test_input_required_result_request_state') =>
      call(token, name, { inputResponses: answer, requestState });
    const refusals: [string, Promise<StatelessReply>, RegExp][] = [
      ['altered', retry(ADA, `${state.slice(0, -3)}AAA`), /not issued by this server, or was altered/],
      ['invented', retry(ADA, 'e30.bm90LWEtbWFj'), /not issued by this server, or was altered/],
      ['another member', retry(BOB, state), /not issued to this client/],
      ['another tool', retry(ADA, state, 'test_simple_text'), /belongs to another request/],
      [
        'an answer of the wrong shape',
        call(ADA, 'test_input_required_result_request_state', {
          inputResponses: { confirm: { action: 'maybe' } },
          requestState: state,
        }),
        /not a valid result of elicitation\/create/,
      ],
    ];
    for (const [what, pending, message] of refusals) {
      const reply = await pending;
      assert.equal(reply.body.error?.code, -32602, what);
      assert.match(reply.body.error?.message ?? '', message, what);
    }
    const seen = await fixtureSeen(bridge.url, ADA);
    assert.equal(seen.toolCalls.filter((n) => n === 'test_input_required_result_request_state').length, 1);
    assert.equal(seen.asks.find((a) => a.id === 'confirm')?.outcome, 'waiting');
    const done = await retry(ADA, state);
    assert.match(textOf(done), /^state-ok: action=accept/);
    const replayed = await retry(ADA, state);
    assert.match(replayed.body.error?.message ?? '', /answered already/);
  });

  it('asks again for what a retry left out, and refuses a state from an earlier round', async () => {
    const first = await call(ADA, 'test_input_required_result_multiple_inputs');
    const asked = first.body.result?.inputRequests as Record<string, { method: string }>;
    // roots/list is not among them: in Shared mode the bridge answers it with the operator's roots.
    assert.deepEqual(Object.keys(asked).sort(), ['greeting', 'user_name']);
    const partial = await call(ADA, 'test_input_required_result_multiple_inputs', {
      inputResponses: { user_name: accept({ name: 'Ada' }) },
      requestState: first.body.result?.requestState,
    });
    assert.deepEqual(Object.keys(partial.body.result?.inputRequests as object), ['greeting']);
    const stale = await call(ADA, 'test_input_required_result_multiple_inputs', {
      inputResponses: { greeting: sampled('Hi') },
      requestState: first.body.result?.requestState,
    });
    assert.match(stale.body.error?.message ?? '', /already used/);
    const done = await call(ADA, 'test_input_required_result_multiple_inputs', {
      inputResponses: { greeting: sampled('Hi') },
      requestState: partial.body.result?.requestState,
    });
    assert.equal(textOf(done), 'Hi Ada (1 roots)');
  });

  it("answers the server's roots/list with the operator's roots, and asks no client", async () => {
    const reply = await call(BOB, 'test_input_required_result_list_roots');
    assert.equal(reply.body.result?.resultType, 'complete');
    assert.equal(textOf(reply), 'Roots: file:///srv/shared');
  });

  it('answers from inputResponses sent before the question, without a round trip', async () => {
    const reply = await call(ADA, 'test_input_required_result_elicitation', {
      inputResponses: { user_name: accept({ name: 'Early' }), unrelated: accept({}) },
    });
    assert.equal(textOf(reply), 'Hello, Early!');
  });

  it('refuses, with -32021 and 400, a request whose server needs a capability the client did not declare', async () => {
    const reply = await call(
      ADA,
      'test_missing_capability',
      {},
      {
        'io.modelcontextprotocol/clientCapabilities': {},
      },
    );
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error?.code, -32021);
    assert.deepEqual(reply.body.error?.data, { requiredCapabilities: { sampling: {} } });
    const seen = await fixtureSeen(bridge.url, ADA);
    assert.match(seen.asks.find((a) => a.id === 'missing_capability')?.outcome ?? '', /^error -32601/);
    assert.deepEqual(await statelessFigures(bridge, ADA), {
      inFlight: 0,
      waitingForInput: 0,
      listenStreams: 0,
    });
  });

  it("never asks one member's client a question while another member's request waits", async () => {
    const waiting = await call(ADA, 'test_input_required_result_sampling');
    assert.equal(waiting.body.result?.resultType, 'input_required');
    const other = await call(BOB, 'test_input_required_result_elicitation');
    assert.equal(other.body.result?.resultType, 'complete');
    assert.match(
      textOf(other),
      /mcp-fleet-bridge refused elicitation\/create: another member's request waits/,
    );
    // The same member's next request is asked, though: the waiting one is its own.
    const own = await call(ADA, 'test_input_required_result_elicitation');
    assert.equal(own.body.result?.resultType, 'input_required');
    for (const [reply, inputResponses] of [
      [waiting, { capital_question: sampled('Paris') }],
      [own, { user_name: accept({ name: 'Ada' }) }],
    ] as const) {
      const name =
        reply === waiting ? 'test_input_required_result_sampling' : 'test_input_required_result_elicitation';
      const done = await call(ADA, name, { inputResponses, requestState: reply.body.result?.requestState });
      assert.equal(done.body.result?.resultType, 'complete');
    }
  });

  it('cancels the call at the server when a stateless client hangs up', async () => {
    const before = (await fixtureSeen(bridge.url, ADA)).methods['notifications/cancelled'] ?? 0;
    const abort = new AbortController();
    const response = await fetch(bridge.url, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${ADA}`,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'test_tool_with_progress',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'test_tool_with_progress',
          arguments: {},
          _meta: { ...CAN_ASK, 'io.modelcontextprotocol/protocolVersion': '2026-07-28', progressToken: 1 },
        },
      }),
    });
    const reader = response.body?.getReader();
    await reader?.read();
    abort.abort();
    await waitFor(
      async () => ((await fixtureSeen(bridge.url, ADA)).methods['notifications/cancelled'] ?? 0) > before,
      'the server to be told the call is cancelled',
    );
    assert.equal((await statelessFigures(bridge, ADA)).inFlight, 0);
  });
});

describe('input_required: waiting is bounded', () => {
  const withBridge = async (
    limits: { inputWaitMs?: number; maxInputWaitsPerMember?: number },
    work: (
      call: (name: string, extra?: Record<string, unknown>) => Promise<StatelessReply>,
      url: string,
    ) => Promise<void>,
  ): Promise<void> => {
    const bridge = await startTestBridge({ ...fixtureCommand(), tokenSha256: [sha256(ADA)], limits });
    try {
      await work(
        (name, extra = {}) =>
          statelessRequest(
            bridge.url,
            ADA,
            'tools/call',
            { name, arguments: {}, ...extra },
            { meta: CAN_ASK },
          ),
        bridge.url,
      );
    } finally {
      await bridge.close();
    }
  };

  it('fails the server request when the client does not come back, and says so to a late retry', () =>
    withBridge({ inputWaitMs: 300 }, async (call, url) => {
      const first = await call('test_input_required_result_elicitation');
      await waitFor(
        async () =>
          (await fixtureSeen(url, ADA)).asks.some(
            (a) => a.id === 'user_name' && a.outcome.startsWith('error -32001'),
          ),
        'the waiting elicitation to be failed at the server',
      );
      const late = await call('test_input_required_result_elicitation', {
        inputResponses: { user_name: accept({ name: 'Late' }) },
        requestState: first.body.result?.requestState,
      });
      assert.match(late.body.error?.message ?? '', /did not come in time/);
    }));

  it("drops a member's oldest waiting request once it has too many", () =>
    withBridge({ maxInputWaitsPerMember: 2 }, async (call) => {
      const names = [
        'test_input_required_result_sampling',
        'test_input_required_result_elicitation',
        'test_input_required_result_request_state',
      ];
      const rounds: StatelessReply[] = [];
      for (const name of names) rounds.push(await call(name));
      const evicted = await call(names[0] ?? '', {
        inputResponses: { capital_question: sampled('Paris') },
        requestState: rounds[0]?.body.result?.requestState,
      });
      assert.match(evicted.body.error?.message ?? '', /too many requests waiting for input/);
      const kept = await call(names[2] ?? '', {
        inputResponses: { confirm: accept({ ok: true }) },
        requestState: rounds[2]?.body.result?.requestState,
      });
      assert.equal(kept.body.result?.resultType, 'complete');
    }));
});

describe('input_required in Dedicated mode', () => {
  it("asks the one member's client for roots, which the bridge answers itself in Shared mode", async () => {
    const bridge = await startTestBridge({
      ...fixtureCommand(),
      tokenSha256: [sha256(ADA)],
      mode: 'dedicated',
    });
    const call = (extra: Record<string, unknown> = {}) =>
      statelessRequest(
        bridge.url,
        ADA,
        'tools/call',
        { name: 'test_input_required_result_list_roots', arguments: {}, ...extra },
        { meta: CAN_ASK },
      );
    try {
      const first = await call();
      assert.deepEqual(Object.keys(first.body.result?.inputRequests as object), ['client_roots']);
      const done = await call({
        inputResponses: { client_roots: { roots: [{ uri: 'file:///home/ada' }] } },
        requestState: first.body.result?.requestState,
      });
      assert.equal(textOf(done), 'Roots: file:///home/ada');
    } finally {
      await bridge.close();
    }
  });
});
