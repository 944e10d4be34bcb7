// Tool pinning (--approved) in both eras: a stand-in stdio server (official SDK) whose descriptions
// come from its environment, behind a Shared bridge with three members, reached by the v1 SDK client
// (2025-11-25, a session) and the v2 client pinned to 2026-07-28 (no session).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, sha256, startTestBridge, statelessRequest, type TestBridge } from '../test-helpers';
import {
  approvedSetFor,
  callsSeen,
  events,
  FIXTURE,
  statelessClient,
  VERSION_A,
  VERSION_B,
} from './definition-pins-test-helpers';

const TOKENS = {
  alice: 'pins-alice-token-0123456789',
  bob: 'pins-bob-token-0123456789',
  carol: 'pins-carol-token-0123',
};
const MEMBERS = [
  { name: 'alice', tokenSha256: sha256(TOKENS.alice), tools: ['*'] },
  { name: 'bob', tokenSha256: sha256(TOKENS.bob), tools: ['greet', 'extra'] },
  // carol may not call greet at all: pinning and her own access both apply.
  { name: 'carol', tokenSha256: sha256(TOKENS.carol), tools: ['extra'] },
];
const PINNED_MEMBERS = ['alice', 'bob'] as const;

/** One member's view through a client of either era. */
interface View {
  tools(): Promise<{ name: string; description?: string | undefined }[]>;
  call(name: string): Promise<string>;
  prompts(): Promise<string[]>;
  prompt(name: string): Promise<unknown>;
  templates(): Promise<string[]>;
  close(): Promise<void>;
}

function textOf(result: unknown): string {
  const content = (result as { content?: { text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

async function views(url: string, token: string): Promise<[string, View][]> {
  const legacy = await connectClient(url, token, {}, 'pins-legacy');
  const stateless = await statelessClient(url, token);
  return [
    [
      '2025-11-25 session',
      {
        tools: async () => (await legacy.client.listTools()).tools,
        call: async (name) => textOf(await legacy.client.callTool({ name, arguments: { who: 'Ada' } })),
        prompts: async () => (await legacy.client.listPrompts()).prompts.map((p) => p.name),
        prompt: (name) => legacy.client.getPrompt({ name, arguments: { topic: 'x' } }),
        templates: async () =>
          (await legacy.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate),
        close: async () => {
          await legacy.transport.terminateSession();
          await legacy.client.close();
        },
      },
    ],
    [
      '2026-07-28 stateless',
      {
        tools: async () => (await stateless.listTools()).tools,
        call: async (name) => textOf(await stateless.callTool({ name, arguments: { who: 'Ada' } })),
        prompts: async () => (await stateless.listPrompts()).prompts.map((p) => p.name),
        prompt: (name) => stateless.getPrompt({ name, arguments: { topic: 'x' } }),
        templates: async () =>
          (await stateless.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate),
        close: () => stateless.close(),
      },
    ],
  ];
}

describe('an approved set (--approved) in front of a stand-in server', () => {
  let dir: string;
  let approvedA: string;
  let approvedAutoA: string;
  const bridges: TestBridge[] = [];
  let callLog: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bridge-pins-'));
    approvedA = path.join(dir, 'approved-a.json');
    approvedAutoA = path.join(dir, 'approved-a-auto.json');
    await writeFile(approvedA, JSON.stringify(await approvedSetFor(VERSION_A)));
    await writeFile(approvedAutoA, JSON.stringify(await approvedSetFor(VERSION_A, true)));
  });
  after(async () => {
    for (const bridge of bridges) await bridge.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A bridge with this approved file in front of the stand-in run with `env`; its calls logged to a fresh file. */
  async function bridgeFor(env: Record<string, string>, approvedFile: string): Promise<TestBridge> {
    callLog = path.join(dir, `calls-${bridges.length}.log`);
    const bridge = await startTestBridge({
      command: process.execPath,
      args: [FIXTURE],
      env: { ...env, PIN_CALL_LOG: callLog },
      members: MEMBERS,
      approvedFile,
    });
    bridges.push(bridge);
    return bridge;
  }

  it('serves the approved version unchanged in both eras, with each member’s own access on top', async () => {
    const bridge = await bridgeFor(VERSION_A, approvedA);
    for (const member of PINNED_MEMBERS) {
      for (const [era, view] of await views(bridge.url, TOKENS[member])) {
        try {
          const tools = await view.tools();
          assert.deepEqual(
            tools.map((t) => [t.name, t.description]),
            [['greet', VERSION_A.PIN_TOOL_DESCRIPTION]],
            `${member}, ${era}`,
          );
          assert.equal(await view.call('greet'), 'Hello, Ada');
          assert.deepEqual(await view.prompts(), ['summary']);
          await view.prompt('summary');
          assert.deepEqual(await view.templates(), ['notes:///{id}']);
        } finally {
          await view.close();
        }
      }
    }
    for (const [era, view] of await views(bridge.url, TOKENS.carol)) {
      try {
        assert.deepEqual(await view.tools(), [], era);
        await assert.rejects(view.call('greet'), /Tool "greet" is not available to member "carol"/);
      } finally {
        await view.close();
      }
    }
    assert.equal((await callsSeen(callLog)).filter((l) => l === 'tools/call greet').length, 4);
    assert.deepEqual(events(bridge.logs, 'tool_quarantined'), []);
  });

  it('leaves changed and new definitions out for every member and refuses their use before the server', async () => {
    const bridge = await bridgeFor({ ...VERSION_B, PIN_EXTRA_TOOL: '1' }, approvedA);
    for (const member of PINNED_MEMBERS) {
      for (const [era, view] of await views(bridge.url, TOKENS[member])) {
        try {
          assert.deepEqual(await view.tools(), [], `${member}, ${era}: greet changed, extra is new`);
          await assert.rejects(
            view.call('greet'),
            /Tool "greet" is quarantined: its definition changed since it was approved\./,
          );
          await assert.rejects(
            view.call('extra'),
            /Tool "extra" is quarantined: it is new since the approved set/,
          );
          assert.deepEqual(await view.prompts(), []);
          await assert.rejects(
            view.prompt('summary'),
            /Prompt "summary" is quarantined: its definition changed/,
          );
          assert.deepEqual(await view.templates(), []);
        } finally {
          await view.close();
        }
      }
    }
    assert.deepEqual(
      await callsSeen(callLog),
      [],
      'the server never saw a call of a quarantined tool or prompt',
    );

    // One line per tool and hash however often it was listed and called, naming both hashes.
    const approved = await approvedSetFor(VERSION_A);
    const changed = await approvedSetFor({ ...VERSION_B, PIN_EXTRA_TOOL: '1' });
    assert.deepEqual(
      events(bridge.logs, 'tool_quarantined').map(({ name, reason, hash, approved }) => ({
        name,
        reason,
        hash,
        approved,
      })),
      [
        { name: 'greet', reason: 'changed', hash: changed.tools.greet, approved: approved.tools.greet },
        { name: 'extra', reason: 'new', hash: changed.tools.extra, approved: null },
      ],
    );
    assert.equal(events(bridge.logs, 'prompt_quarantined').length, 1);
    assert.equal(events(bridge.logs, 'resource_template_quarantined').length, 1);
    const refusedCalls = events(bridge.logs, 'audit').filter((a) => a.outcome === 'quarantined');
    assert.equal(refusedCalls.length, 2 * 2 * 3, 'two members, two eras, three refused requests each');
    assert.ok(!bridge.logs.some((l) => l.includes('Ada')), 'no argument value in the log');
  });

  it('asks the server for its list when a call comes before any, in both eras', async () => {
    const quarantined = await bridgeFor(VERSION_B, approvedA);
    const first = await statelessRequest(quarantined.url, TOKENS.alice, 'tools/call', {
      name: 'greet',
      arguments: { who: 'Ada' },
    });
    assert.equal(first.body.error?.code, -32003);
    assert.match(first.body.error?.message ?? '', /quarantined: its definition changed/);
    // The v1 client calls without listing first.
    const legacy = await connectClient(quarantined.url, TOKENS.alice);
    await assert.rejects(legacy.client.callTool({ name: 'greet', arguments: { who: 'Ada' } }), /quarantined/);
    await assert.rejects(
      legacy.client.callTool({ name: 'hidden', arguments: {} }),
      /the server does not list it/,
    );
    await legacy.transport.terminateSession();
    await legacy.client.close();
    assert.deepEqual(await callsSeen(callLog), []);

    const served = await bridgeFor(VERSION_A, approvedA);
    const answer = await statelessRequest(served.url, TOKENS.alice, 'tools/call', {
      name: 'greet',
      arguments: { who: 'Ada' },
    });
    assert.equal(textOf(answer.body.result), 'Hello, Ada');
    assert.deepEqual(await callsSeen(callLog), ['tools/call greet']);
  });

  it('serves a new tool when the set auto-approves new ones, never a changed one', async () => {
    const bridge = await bridgeFor({ ...VERSION_B, PIN_EXTRA_TOOL: '1' }, approvedAutoA);
    for (const [era, view] of await views(bridge.url, TOKENS.bob)) {
      try {
        assert.deepEqual(
          (await view.tools()).map((t) => t.name),
          ['extra'],
          era,
        );
        assert.equal(await view.call('extra'), 'extra');
        await assert.rejects(view.call('greet'), /Tool "greet" is quarantined: its definition changed/);
      } finally {
        await view.close();
      }
    }
    assert.deepEqual(await callsSeen(callLog), ['tools/call extra', 'tools/call extra']);
    const listed = await approvedSetFor({ ...VERSION_B, PIN_EXTRA_TOOL: '1' });
    assert.deepEqual(
      events(bridge.logs, 'tool_auto_approved').map(({ name, hash }) => ({ name, hash })),
      [{ name: 'extra', hash: listed.tools.extra }],
    );
  });
});
