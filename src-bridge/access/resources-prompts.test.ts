// Per-member resources and prompts in front of the real server-everything from npm, in both eras: the
// v1 SDK client in a session, the v2 client (@modelcontextprotocol/client) pinned to 2026-07-28, and raw
// requests with hostile shapes. Member alice may use everything; bob only the tool echo, no resources,
// no prompts; carol one document, the text template's resources and one prompt.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Client as StatelessClient,
  StreamableHTTPClientTransport as StatelessTransport,
} from '@modelcontextprotocol/client';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  connectClient,
  MCP_HEADERS,
  openRawSession,
  raw,
  serverCommand,
  sha256,
  startTestBridge,
  statelessRequest,
  waitFor,
  type TestBridge,
} from '../test-helpers';
import { CORRELATION_KEY } from '../ops/correlation';

const A = 'resources-prompts-alice-0001';
const B = 'resources-prompts-bob-000002';
const C = 'resources-prompts-carol-0003';

// server-everything's own: its /docs files as static resources, two templates, four prompts.
const DOCS = 'demo://resource/static/document/';
const FEATURES = `${DOCS}features.md`;
const ARCHITECTURE = `${DOCS}architecture.md`;
const INSTRUCTIONS = `${DOCS}instructions.md`;
const TEXT_TEMPLATE = 'demo://resource/dynamic/text/{resourceId}';
const BLOB_TEMPLATE = 'demo://resource/dynamic/blob/{resourceId}';
const PROMPTS = ['args-prompt', 'completable-prompt', 'resource-prompt', 'simple-prompt'];

const MEMBERS = [
  { name: 'alice', tokenSha256: sha256(A), tools: ['*'] },
  { name: 'bob', tokenSha256: sha256(B), tools: ['echo'], resources: [], prompts: [] },
  {
    name: 'carol',
    tokenSha256: sha256(C),
    tools: ['echo'],
    resources: [FEATURES, 'demo://resource/dynamic/text/*'],
    prompts: ['completable-prompt'],
  },
];

/** What the v1 and v2 clients have in common, for the calls below. */
interface AnyClient {
  getServerCapabilities(): Record<string, unknown> | undefined;
  listTools(): Promise<{ tools: { name: string }[] }>;
  listResources(): Promise<{ resources: { uri: string }[] }>;
  listResourceTemplates(): Promise<{ resourceTemplates: { uriTemplate: string }[] }>;
  listPrompts(): Promise<{ prompts: { name: string }[] }>;
  readResource(params: { uri: string }): Promise<{ contents: unknown[] }>;
  getPrompt(params: { name: string; arguments?: Record<string, string> }): Promise<unknown>;
  complete(params: {
    ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string };
    argument: { name: string; value: string };
  }): Promise<{ completion: { values: string[] } }>;
  close(): Promise<void>;
}

async function statelessClient(url: string, token: string): Promise<StatelessClient> {
  const client = new StatelessClient(
    { name: 'stateless-client', version: '1.0.0' },
    { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StatelessTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

/** A member's client of one era on one bridge: the v1 client in a session, or the v2 client without. */
async function clientOf(url: string, token: string, era: 'session' | 'stateless'): Promise<AnyClient> {
  const client =
    era === 'session' ? (await connectClient(url, token)).client : await statelessClient(url, token);
  return client;
}

/** The JSON-RPC error code a call was refused with (it must be refused). */
async function refusedWith(call: Promise<unknown>): Promise<number | string> {
  try {
    await call;
  } catch (err) {
    return (err as { code: number | string }).code;
  }
  assert.fail('the call was not refused');
}

const names = (items: { name: string }[]) => items.map((i) => i.name).sort();
const uris = (items: { uri: string }[]) => items.map((i) => i.uri).sort();
const templates = (items: { uriTemplate: string }[]) => items.map((i) => i.uriTemplate).sort();

/** What a member sees of the server's tools, resources and prompts; dynamic content left out. */
async function snapshot(client: AnyClient): Promise<unknown> {
  return {
    capabilities: client.getServerCapabilities(),
    tools: names((await client.listTools()).tools),
    resources: await client.listResources(),
    templates: await client.listResourceTemplates(),
    prompts: await client.listPrompts(),
    features: await client.readResource({ uri: FEATURES }),
    prompt: await client.getPrompt({ name: 'args-prompt', arguments: { city: 'Oslo' } }),
    promptCompletion: await client.complete({
      ref: { type: 'ref/prompt', name: 'completable-prompt' },
      argument: { name: 'department', value: 'E' },
    }),
    templateCompletion: await client.complete({
      ref: { type: 'ref/resource', uri: BLOB_TEMPLATE },
      argument: { name: 'resourceId', value: '4' },
    }),
  };
}

/** Requests of resources, prompts and completion in hostile shapes: no string where one belongs. */
const HOSTILE: [string, Record<string, unknown>][] = [
  ['resources/read', {}],
  ['resources/read', { uri: 7 }],
  ['resources/read', { uri: [FEATURES] }],
  ['resources/subscribe', { uri: { href: FEATURES } }],
  ['resources/unsubscribe', {}],
  ['prompts/get', {}],
  ['prompts/get', { name: null }],
  ['completion/complete', { argument: { name: 'department', value: 'E' } }],
  ['completion/complete', { ref: 'ref/prompt', argument: { name: 'x', value: '' } }],
  ['completion/complete', { ref: { type: 'ref/prompt' }, argument: { name: 'x', value: '' } }],
  ['completion/complete', { ref: { type: 'ref/resource', uri: 1 }, argument: { name: 'x', value: '' } }],
  ['completion/complete', { ref: { type: 'ref/tool', name: 'echo' }, argument: { name: 'x', value: '' } }],
];

/** URIs carol may not read that look close to ones she may. */
const CAROL_REFUSED = [
  ARCHITECTURE,
  'demo://resource/dynamic/blob/5',
  // Only %-decoded is it features.md: URIs are compared as sent.
  `${DOCS}%66eatures.md`,
  `${DOCS}features.md%2F..%2Farchitecture.md`,
  // Pattern-looking URIs are URIs, not patterns.
  `${DOCS}*`,
  'demo://resource/*',
  '*',
];

describe('per-member resources and prompts, in both eras', () => {
  let bridge: TestBridge;
  /** The value with every result's correlation id left out (the ids differ between any two answers). */
  const withoutCorrelation = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v: unknown) => {
      if (key !== '_meta' || v === null || typeof v !== 'object') return v;
      const { [CORRELATION_KEY]: _cid, ...rest } = v as Record<string, unknown>;
      return Object.keys(rest).length === 0 ? undefined : rest;
    });
  /** A bridge with alice alone, for what she sees without other members. */
  let alone: TestBridge;
  const deniedOf = (member: string) =>
    bridge.logs.filter(
      (l) =>
        l.includes('"event":"audit"') &&
        l.includes(`"member":"${member}"`) &&
        l.includes('"outcome":"denied"'),
    ).length;
  /** A request in a session opened by hand: HTTP status and JSON-RPC answer. */
  const inSession = async (token: string, session: string, id: string, method: string, params: object) => {
    const res = await raw(bridge.url, {
      method: 'POST',
      headers: {
        ...MCP_HEADERS,
        accept: 'application/json',
        authorization: `Bearer ${token}`,
        'mcp-session-id': session,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    });
    return {
      status: res.status,
      body: JSON.parse(res.text) as { id: unknown; error?: { code: number; message: string } },
    };
  };

  before(async () => {
    const limits = { memberRps: 100_000, memberInflight: 64 };
    [bridge, alone] = await Promise.all([
      startTestBridge({ ...serverCommand('server-everything'), members: MEMBERS, limits }),
      startTestBridge({ ...serverCommand('server-everything'), tokenSha256: [sha256(A)], limits }),
    ]);
  });
  after(() => Promise.all([bridge.close(), alone.close()]));

  it('shows alice exactly what a bridge with her alone shows her', async () => {
    for (const era of ['session', 'stateless'] as const) {
      const shared = await clientOf(bridge.url, A, era);
      const own = await clientOf(alone.url, A, era);
      try {
        // Each answer's correlation id is its own by design; everything else must match.
        const [seen, expected] = (await Promise.all([snapshot(shared), snapshot(own)])).map(
          withoutCorrelation,
        );
        assert.deepEqual(seen, expected, era);
        const lists = expected as {
          capabilities: Record<string, unknown>;
          resources: { resources: { uri: string }[] };
          templates: { resourceTemplates: { uriTemplate: string }[] };
          prompts: { prompts: { name: string }[] };
        };
        // What the server offers, so that the members below are tested against real names.
        for (const kind of ['tools', 'resources', 'prompts', 'completions'])
          assert.ok(lists.capabilities[kind], `${era}: ${kind}`);
        assert.ok(uris(lists.resources.resources).includes(FEATURES), era);
        assert.ok(uris(lists.resources.resources).includes(ARCHITECTURE), era);
        assert.deepEqual(templates(lists.templates.resourceTemplates), [BLOB_TEMPLATE, TEXT_TEMPLATE], era);
        assert.deepEqual(names(lists.prompts.prompts), PROMPTS, era);
      } finally {
        await Promise.all([shared.close(), own.close()]);
      }
    }
  });

  it('offers bob neither resources, prompts nor completions in a session, and refuses every request of them', async () => {
    const { client } = await connectClient(bridge.url, B);
    const before = deniedOf('bob');
    try {
      const caps = client.getServerCapabilities() ?? {};
      assert.ok(caps.tools);
      assert.deepEqual([caps.resources, caps.prompts, caps.completions], [undefined, undefined, undefined]);
      // The v1 client asks anyway; the lists come back empty.
      assert.deepEqual((await client.listResources()).resources, []);
      assert.deepEqual((await client.listResourceTemplates()).resourceTemplates, []);
      assert.deepEqual((await client.listPrompts()).prompts, []);
      const refused = [
        client.readResource({ uri: FEATURES }),
        client.subscribeResource({ uri: FEATURES }),
        client.unsubscribeResource({ uri: FEATURES }),
        client.getPrompt({ name: 'simple-prompt' }),
        client.complete({
          ref: { type: 'ref/prompt', name: 'completable-prompt' },
          argument: { name: 'department', value: 'E' },
        }),
        client.complete({
          ref: { type: 'ref/resource', uri: TEXT_TEMPLATE },
          argument: { name: 'resourceId', value: '1' },
        }),
      ];
      for (const call of refused) assert.equal(await refusedWith(call), -32003);
      assert.match(
        String(await client.readResource({ uri: FEATURES }).catch((err: unknown) => err)),
        /Resource "demo:\/\/resource\/static\/document\/features.md" is not available to member "bob"/,
      );
      assert.equal(deniedOf('bob') - before, refused.length + 1, 'each counted as denied');
    } finally {
      await client.close();
    }
    const session = await openRawSession(bridge.url, B);
    for (const [i, [method, params]] of HOSTILE.entries()) {
      const reply = await inSession(B, session, `h-${i}`, method, params);
      assert.equal(reply.status, 200, method);
      assert.deepEqual(
        [reply.body.id, reply.body.error?.code],
        [`h-${i}`, -32003],
        `${method} ${JSON.stringify(params)}`,
      );
    }
  });

  it('offers bob neither without a session: their methods are not found, completion is refused', async () => {
    const client = await clientOf(bridge.url, B, 'stateless');
    const before = deniedOf('bob');
    try {
      const caps = client.getServerCapabilities() ?? {};
      assert.ok(caps.tools);
      assert.deepEqual([caps.resources, caps.prompts, caps.completions], [undefined, undefined, undefined]);
      assert.deepEqual((await client.listResources()).resources, [], 'the v2 client does not even ask');
      // The bridge's 404 (-32601), as the v2 client reports it.
      assert.equal(await refusedWith(client.readResource({ uri: FEATURES })), 'CLIENT_HTTP_NOT_IMPLEMENTED');
    } finally {
      await client.close();
    }
    const hidden: [string, Record<string, unknown>][] = [
      ['resources/list', {}],
      ['resources/templates/list', {}],
      ['resources/read', { uri: FEATURES }],
      ['resources/read', { uri: 7 }],
      ['prompts/list', {}],
      ['prompts/get', { name: 'simple-prompt' }],
      ['prompts/get', {}],
    ];
    for (const [method, params] of hidden) {
      const reply = await statelessRequest(bridge.url, B, method, params);
      assert.deepEqual(
        [reply.status, reply.body.error?.code],
        [404, -32601],
        `${method} ${JSON.stringify(params)}`,
      );
    }
    const completions: Record<string, unknown>[] = [
      {
        ref: { type: 'ref/prompt', name: 'completable-prompt' },
        argument: { name: 'department', value: 'E' },
      },
      { ref: { type: 'ref/resource', uri: TEXT_TEMPLATE }, argument: { name: 'resourceId', value: '1' } },
      ...HOSTILE.filter(([method]) => method === 'completion/complete').map(([, params]) => params),
    ];
    for (const params of completions) {
      const reply = await statelessRequest(bridge.url, B, 'completion/complete', params);
      assert.deepEqual([reply.status, reply.body.error?.code], [200, -32003], JSON.stringify(params));
    }
    assert.equal(deniedOf('bob') - before, 1 + hidden.length + completions.length);
    // Nothing of resources or prompts can be listened to either.
    const listener = await statelessClient(bridge.url, B);
    try {
      const subscription = await listener.listen({
        toolsListChanged: true,
        promptsListChanged: true,
        resourcesListChanged: true,
        resourceSubscriptions: [FEATURES],
      });
      assert.deepEqual(subscription.honoredFilter, { toolsListChanged: true });
      await subscription.close();
    } finally {
      await listener.close();
    }
  });

  for (const era of ['session', 'stateless'] as const) {
    it(`shows carol exactly her resources and prompts (${era}), and refuses their siblings`, async () => {
      const client = await clientOf(bridge.url, C, era);
      const reference = await clientOf(bridge.url, A, era);
      try {
        const caps = client.getServerCapabilities() ?? {};
        for (const kind of ['resources', 'prompts', 'completions']) assert.ok(caps[kind], kind);
        assert.deepEqual(uris((await client.listResources()).resources), [FEATURES]);
        assert.deepEqual(templates((await client.listResourceTemplates()).resourceTemplates), [
          TEXT_TEMPLATE,
        ]);
        assert.deepEqual(names((await client.listPrompts()).prompts), ['completable-prompt']);

        assert.deepEqual(
          withoutCorrelation(await client.readResource({ uri: FEATURES })),
          withoutCorrelation(await reference.readResource({ uri: FEATURES })),
        );
        assert.match(
          JSON.stringify(await client.readResource({ uri: 'demo://resource/dynamic/text/5' })),
          /Resource 5: /,
        );
        const promotion = await client.getPrompt({
          name: 'completable-prompt',
          arguments: { department: 'Engineering', name: 'Ada' },
        });
        assert.match(JSON.stringify(promotion), /promote Ada to the head of the Engineering team/);
        const department = await client.complete({
          ref: { type: 'ref/prompt', name: 'completable-prompt' },
          argument: { name: 'department', value: 'E' },
        });
        assert.deepEqual(department.completion.values, ['Engineering']);
        const resourceId = await client.complete({
          ref: { type: 'ref/resource', uri: TEXT_TEMPLATE },
          argument: { name: 'resourceId', value: '3' },
        });
        assert.deepEqual(resourceId.completion.values, ['3']);

        for (const uri of CAROL_REFUSED)
          assert.equal(await refusedWith(client.readResource({ uri })), -32003, uri);
        assert.equal(await refusedWith(client.getPrompt({ name: 'simple-prompt' })), -32003);
        const refusedRefs = [
          { type: 'ref/prompt', name: 'resource-prompt' } as const,
          { type: 'ref/resource', uri: BLOB_TEMPLATE } as const,
          // A * outside {…} is part of the URI, not a wildcard that would reach the text template.
          { type: 'ref/resource', uri: 'demo://resource/dynamic/*' } as const,
        ];
        for (const ref of refusedRefs) {
          const completion = client.complete({ ref, argument: { name: 'resourceId', value: '1' } });
          assert.equal(await refusedWith(completion), -32003, JSON.stringify(ref));
        }
      } finally {
        await Promise.all([client.close(), reference.close()]);
      }
    });
  }

  it('refuses carol the hostile shapes and her siblings over raw HTTP in both eras, with the request id', async () => {
    const session = await openRawSession(bridge.url, C);
    const cases: [string, Record<string, unknown>][] = [
      ...HOSTILE,
      ...CAROL_REFUSED.map((uri): [string, Record<string, unknown>] => ['resources/read', { uri }]),
      ['resources/subscribe', { uri: ARCHITECTURE }],
      ['prompts/get', { name: 'completable-prompt*' }],
    ];
    for (const [i, [method, params]] of cases.entries()) {
      const what = `${method} ${JSON.stringify(params)}`;
      const inside = await inSession(C, session, `c-${i}`, method, params);
      assert.deepEqual(
        [inside.status, inside.body.id, inside.body.error?.code],
        [200, `c-${i}`, -32003],
        what,
      );
      if (method === 'resources/subscribe' || method === 'resources/unsubscribe') continue; // not in 2026-07-28
      const stateless = await statelessRequest(bridge.url, C, method, params, { id: `s-${i}` });
      assert.deepEqual(
        [stateless.status, stateless.body.id, stateless.body.error?.code],
        [200, `s-${i}`, -32003],
        what,
      );
    }
  });

  it('delivers resources/updated only to subscribers, and never of a resource the member may not read', async () => {
    const alice = await connectClient(bridge.url, A);
    const carol = await connectClient(bridge.url, C);
    const listener = await statelessClient(bridge.url, C);
    const toAlice: string[] = [];
    const toCarol: string[] = [];
    const toListener: string[] = [];
    alice.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void toAlice.push(n.params.uri),
    );
    carol.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void toCarol.push(n.params.uri),
    );
    listener.setNotificationHandler(
      'notifications/resources/updated',
      (n) => void toListener.push(n.params.uri),
    );
    const toggle = () => alice.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    try {
      // The server sends its updates in the order the uris were first subscribed: alice's first, so that
      // had one reached carol, it would arrive before her own.
      await alice.client.subscribeResource({ uri: INSTRUCTIONS });
      await carol.client.subscribeResource({ uri: FEATURES });
      assert.equal(await refusedWith(carol.client.subscribeResource({ uri: INSTRUCTIONS })), -32003);
      const subscription = await listener.listen({
        resourceSubscriptions: [INSTRUCTIONS, FEATURES, ARCHITECTURE],
      });
      assert.deepEqual(subscription.honoredFilter, { resourceSubscriptions: [FEATURES] });
      await toggle();
      try {
        await waitFor(
          () => toAlice.length > 0 && toCarol.length > 0 && toListener.length > 0,
          'each subscriber to get its update',
        );
        assert.equal(toAlice[0], INSTRUCTIONS);
        assert.equal(toCarol[0], FEATURES);
        assert.equal(toListener[0], FEATURES);
      } finally {
        await toggle();
        await subscription.close();
      }
    } finally {
      await Promise.all([alice.transport.terminateSession(), carol.transport.terminateSession()]);
      await Promise.all([alice.client.close(), carol.client.close(), listener.close()]);
    }
    assert.ok(
      toAlice.every((uri) => uri === INSTRUCTIONS),
      toAlice.join(),
    );
    assert.ok(
      toCarol.every((uri) => uri === FEATURES),
      toCarol.join(),
    );
    assert.ok(
      toListener.every((uri) => uri === FEATURES),
      toListener.join(),
    );
  });
});
