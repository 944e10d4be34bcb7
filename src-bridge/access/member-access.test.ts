import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { accessRefusal, filterList, mayReceive, offeredCapabilities } from './member-access';
import { buildMembers } from './members';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const [all, none, some] = buildMembers(
  [
    { name: 'all', tokenSha256: sha256('a'), tools: ['*'] },
    { name: 'none', tokenSha256: sha256('n'), tools: [], resources: [], prompts: [] },
    {
      name: 'some',
      tokenSha256: sha256('s'),
      tools: ['echo'],
      resources: ['file:///docs/*'],
      prompts: ['greet'],
    },
  ],
  [],
);
if (!all || !none || !some) throw new Error('members not built');

describe('member access on the wire', () => {
  it('filters each page of a list, keeping its cursor and every other field', () => {
    const page = {
      resources: [
        { uri: 'file:///docs/a.md', name: 'a' },
        { uri: 'file:///etc/passwd', name: 'p' },
        { name: 'no uri' },
        'not an object',
      ],
      nextCursor: 'page-2',
      _meta: { x: 1 },
    };
    assert.deepEqual(filterList('resources/list', page, some), {
      resources: [{ uri: 'file:///docs/a.md', name: 'a' }],
      nextCursor: 'page-2',
      _meta: { x: 1 },
    });
    assert.equal(filterList('resources/list', page, all), page, 'untouched for a member allowed all');
    assert.deepEqual(filterList('resources/list', page, none), { ...page, resources: [] });
    const templates = {
      resourceTemplates: [
        { uriTemplate: 'file:///{path}' },
        { uriTemplate: 'file:///docs/{name}' },
        { uriTemplate: 'file:///etc/{name}' },
        { uriTemplate: 7 },
      ],
    };
    assert.deepEqual(filterList('resources/templates/list', templates, some), {
      resourceTemplates: [{ uriTemplate: 'file:///{path}' }, { uriTemplate: 'file:///docs/{name}' }],
    });
    const prompts = { prompts: [{ name: 'greet' }, { name: 'greet2' }, { name: 7 }] };
    assert.deepEqual(filterList('prompts/list', prompts, some), { prompts: [{ name: 'greet' }] });
    assert.deepEqual(filterList('tools/list', { tools: [{ name: 'echo' }, { name: 'rm' }] }, some), {
      tools: [{ name: 'echo' }],
    });
    const other = { contents: [] };
    assert.equal(filterList('resources/read', other, none), other);
    assert.equal(filterList('prompts/list', 'not an object', none), 'not an object');
  });

  it('offers a member only the kinds it is allowed something of', () => {
    const caps = { tools: {}, prompts: {}, resources: { subscribe: true }, completions: {}, logging: {} };
    assert.equal(offeredCapabilities(caps, all), caps);
    assert.deepEqual(offeredCapabilities(caps, none), { logging: {} });
    assert.equal(offeredCapabilities(caps, some), caps);
    assert.deepEqual(caps.resources, { subscribe: true }, 'the server’s own capabilities are not changed');
  });

  it('refuses what the member may not use, and fails closed on shapes it cannot read', () => {
    const ok = [
      ['tools/call', { name: 'echo' }],
      ['prompts/get', { name: 'greet' }],
      ['resources/read', { uri: 'file:///docs/a/b.md' }],
      ['resources/subscribe', { uri: 'file:///docs/x' }],
      ['completion/complete', { ref: { type: 'ref/prompt', name: 'greet' } }],
      ['completion/complete', { ref: { type: 'ref/resource', uri: 'file:///{path}' } }],
      ['resources/list', undefined],
      ['ping', undefined],
    ] as const;
    for (const [method, params] of ok) assert.equal(accessRefusal(some, method, params), undefined, method);
    const refused = [
      ['tools/call', { name: 'rm' }, /^Tool "rm" is not available to member "some"\.$/],
      ['tools/call', undefined, /^Tool ""/],
      ['prompts/get', { name: 'greet2' }, /^Prompt "greet2"/],
      ['prompts/get', { name: ['greet'] }, /^Prompt ""/],
      ['resources/read', { uri: 'file:///etc/passwd' }, /^Resource "file:\/\/\/etc\/passwd"/],
      ['resources/read', { uri: 'file:///docs%2Fa' }, /^Resource/],
      ['resources/unsubscribe', {}, /^Resource ""/],
      ['completion/complete', { ref: { type: 'ref/prompt', name: 'x' } }, /^Prompt "x"/],
      [
        'completion/complete',
        { ref: { type: 'ref/resource', uri: 'file:///etc/{x}' } },
        /^Resource template/,
      ],
      ['completion/complete', { ref: { type: 'ref/resource', uri: 'file:///*' } }, /^Resource template/],
      ['completion/complete', { ref: { type: 'ref/other' } }, /type "ref\/other"/],
      ['completion/complete', { ref: 'ref/prompt' }, /type ""/],
      ['completion/complete', {}, /type ""/],
    ] as const;
    for (const [method, params, message] of refused)
      assert.match(accessRefusal(some, method, params) ?? '', message, `${method} ${JSON.stringify(params)}`);
    assert.equal(accessRefusal(all, 'completion/complete', { ref: { type: 'ref/other' } }), undefined);
    assert.equal(accessRefusal(all, 'resources/read', {}), undefined, 'the server checks an all member’s');
    assert.match(accessRefusal(some, 'prompts/get', { name: 'x'.repeat(1000) }) ?? '', /^Prompt "x{200}"/);
  });

  it('lets through only the notices a member may receive', () => {
    for (const kind of ['tools', 'prompts', 'resources']) {
      const method = `notifications/${kind}/list_changed`;
      assert.equal(mayReceive(all, method, undefined), true, kind);
      assert.equal(mayReceive(none, method, undefined), false, kind);
      assert.equal(mayReceive(some, method, undefined), true, kind);
    }
    const updated = 'notifications/resources/updated';
    assert.equal(mayReceive(some, updated, { uri: 'file:///docs/a' }), true);
    assert.equal(mayReceive(some, updated, { uri: 'file:///etc/passwd' }), false);
    assert.equal(mayReceive(some, updated, {}), false);
    assert.equal(mayReceive(all, updated, { uri: 'anything:' }), true);
    assert.equal(mayReceive(none, 'notifications/message', undefined), true, 'not a matter of access');
  });
});
