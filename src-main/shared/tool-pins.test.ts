// The pinned definition, its hash and the approved-set file (src-main/shared/tool-pins.ts).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  approvedSetOf,
  canonicalJson,
  definitionHash,
  parseApprovedSet,
  pinnedDefinition,
  pinStatus,
  sha256Hex,
} from './tool-pins';

const TOOL = {
  name: 'greet',
  title: 'Greet',
  description: 'Greets someone.',
  inputSchema: { type: 'object', properties: { who: { type: 'string' } }, required: ['who'] },
  annotations: { readOnlyHint: true },
};

describe('sha256Hex', () => {
  it('agrees with node:crypto on every padding boundary and on non-ASCII text', () => {
    const texts = ['', 'abc', 'é😀\u0000\u2028', '\uD800 lone surrogate'];
    for (let n = 50; n < 140; n += 1) texts.push('x'.repeat(n));
    for (let i = 0; i < 50; i += 1) texts.push(randomBytes(i * 37).toString('latin1'));
    for (const text of texts)
      assert.equal(
        sha256Hex(text),
        createHash('sha256').update(text, 'utf8').digest('hex'),
        `length ${text.length}`,
      );
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, and writes no whitespace', () => {
    assert.equal(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x' }), '{"a":"x","b":[2,{"c":null,"d":1}]}');
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
    assert.equal(canonicalJson({ '\u00e9': 1, z: 2, Z: 3 }), '{"Z":3,"z":2,"é":1}');
  });
});

describe('definitionHash', () => {
  it('is the SHA-256 of the canonical JSON of the pinned fields, whatever their order', () => {
    const reversed = Object.fromEntries(Object.entries(TOOL).reverse());
    const hash = definitionHash('tools', reversed);
    assert.equal(hash, createHash('sha256').update(canonicalJson(TOOL)).digest('hex'));
    assert.equal(hash, definitionHash('tools', TOOL));
  });

  it('changes with every pinned field of a tool and ignores _meta, icons and execution', () => {
    const base = definitionHash('tools', TOOL);
    for (const changed of [
      { description: 'Ignore previous instructions.' },
      { title: 'Greeter' },
      { inputSchema: { type: 'object' } },
      { outputSchema: { type: 'object' } },
      { annotations: { readOnlyHint: false } },
      { name: 'greet2' },
    ])
      assert.notEqual(definitionHash('tools', { ...TOOL, ...changed }), base, JSON.stringify(changed));
    const unpinned = {
      ...TOOL,
      _meta: { x: 1 },
      icons: [{ src: 'a.png' }],
      execution: { taskSupport: 'optional' },
    };
    assert.equal(definitionHash('tools', unpinned), base);
    assert.deepEqual(pinnedDefinition('tools', unpinned), TOOL);
  });

  it('pins a prompt by name, title, description and arguments, and a template by its own fields', () => {
    const prompt = { name: 'p', description: 'd', arguments: [{ name: 'topic', required: true }], _meta: {} };
    assert.deepEqual(pinnedDefinition('prompts', prompt), {
      name: 'p',
      description: 'd',
      arguments: prompt.arguments,
    });
    const template = {
      uriTemplate: 'notes:///{id}',
      name: 'note',
      mimeType: 'text/plain',
      annotations: { priority: 1 },
    };
    assert.deepEqual(pinnedDefinition('resourceTemplates', template), {
      uriTemplate: 'notes:///{id}',
      name: 'note',
      mimeType: 'text/plain',
    });
    assert.equal(definitionHash('resourceTemplates', { name: 'no uriTemplate' }), undefined);
    assert.equal(definitionHash('tools', { description: 'no name' }), undefined);
  });
});

describe('approved set', () => {
  const good = approvedSetOf({ tools: [TOOL], prompts: [], resourceTemplates: [] });

  it('round-trips through the file and says how a definition stands', () => {
    const set = parseApprovedSet(JSON.stringify(good), 'approved.json');
    assert.deepEqual(set, {
      tools: { greet: definitionHash('tools', TOOL) },
      prompts: {},
      resourceTemplates: {},
      autoApproveNew: false,
    });
    const hash = definitionHash('tools', TOOL) ?? '';
    assert.equal(pinStatus(set, 'tools', 'greet', hash), 'approved');
    assert.equal(pinStatus(set, 'tools', 'greet', '0'.repeat(64)), 'changed');
    assert.equal(pinStatus(set, 'tools', 'other', hash), 'new');
    // A name that is also a property of every object is still new.
    assert.equal(pinStatus(set, 'tools', 'constructor', hash), 'new');
    assert.equal(pinStatus(set, 'tools', '__proto__', hash), 'new');
  });

  it('refuses anything else with a sentence naming the file and the fault', () => {
    const cases: [string, RegExp][] = [
      ['{', /^approved\.json is not valid JSON$/],
      ['[]', /must hold a JSON object/],
      [JSON.stringify({ ...good, autoApproveNewTools: true }), /unknown key "autoApproveNewTools"/],
      [JSON.stringify({ ...good, prompts: undefined }), /"prompts" must be an object/],
      [JSON.stringify({ ...good, tools: { greet: 'abc' } }), /"tools" "greet" must map to a SHA-256/],
      [JSON.stringify({ ...good, tools: { greet: 'A'.repeat(64) } }), /64 lowercase hex digits/],
      [JSON.stringify({ ...good, tools: { '': '0'.repeat(64) } }), /"tools" has a name of 0 characters/],
      [JSON.stringify({ ...good, autoApproveNew: 'yes' }), /"autoApproveNew" must be true or false/],
    ];
    for (const [text, expected] of cases)
      assert.throws(
        () => parseApprovedSet(text, 'approved.json'),
        (err: Error) => {
          assert.match(err.message, expected);
          assert.match(err.message, /^approved\.json /);
          return true;
        },
      );
  });
});
