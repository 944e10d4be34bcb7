// Unit: the tool diff of a version change, on tools/list answers written out as servers give them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffTools, toolDiffLines, toolDiffReport, type ToolDefinition } from './tool-diff';

const schema = (props: Record<string, unknown>) => ({ type: 'object', properties: props });

void describe('diffTools', () => {
  const before: ToolDefinition[] = [
    { name: 'echo', description: 'Echoes text', inputSchema: schema({ text: { type: 'string' } }) },
    {
      name: 'add',
      description: 'Adds',
      inputSchema: schema({ a: { type: 'number' }, b: { type: 'number' } }),
    },
    { name: 'old', description: 'Goes away', inputSchema: schema({}) },
    { name: 'view', description: 'Shows', inputSchema: schema({}), annotations: { readOnlyHint: true } },
    { name: 'shape', description: 'Returns', inputSchema: schema({}) },
  ];

  it('names the tools added, removed and changed, with the fields that changed', () => {
    const after: ToolDefinition[] = [
      // Same content, keys in another order: not a change.
      {
        inputSchema: { properties: { text: { type: 'string' } }, type: 'object' },
        description: 'Echoes text',
        name: 'echo',
      },
      {
        name: 'add',
        description: 'Adds two or three numbers',
        inputSchema: schema({ a: { type: 'number' }, b: { type: 'number' }, c: { type: 'number' } }),
      },
      { name: 'view', description: 'Shows', inputSchema: schema({}), annotations: { readOnlyHint: false } },
      { name: 'shape', description: 'Returns', inputSchema: schema({}), outputSchema: schema({ n: {} }) },
      { name: 'fresh', description: 'New', inputSchema: schema({}) },
    ];
    const diff = diffTools(before, after);
    assert.deepEqual(diff, {
      added: ['fresh'],
      removed: ['old'],
      changed: [
        { name: 'add', fields: ['description', 'inputSchema'] },
        { name: 'shape', fields: ['outputSchema'] },
        { name: 'view', fields: ['annotations'] },
      ],
      unchanged: 1,
    });
    assert.deepEqual(toolDiffLines(diff), [
      '+ fresh',
      '- old',
      '~ add (description, inputSchema)',
      '~ shape (outputSchema)',
      '~ view (annotations)',
      '1 added, 1 removed, 3 changed, 1 unchanged',
    ]);
  });

  it('sees a field that appears, a null against an absent one, and a title', () => {
    const diff = diffTools(
      [{ name: 'a' }, { name: 'b', annotations: null }, { name: 'c', title: 'C' }],
      [{ name: 'a', description: '' }, { name: 'b' }, { name: 'c', title: 'See' }],
    );
    assert.deepEqual(diff.changed, [
      { name: 'a', fields: ['description'] },
      { name: 'b', fields: ['annotations'] },
      { name: 'c', fields: ['title'] },
    ]);
  });

  it('finds nothing between equal lists, and counts a tool listed twice once', () => {
    assert.deepEqual(diffTools(before, [...before].reverse()), {
      added: [],
      removed: [],
      changed: [],
      unchanged: before.length,
    });
    const twice = diffTools(
      [{ name: 'x', description: '1' }],
      [
        { name: 'x', description: '1' },
        { name: 'x', description: '2' },
      ],
    );
    assert.deepEqual([twice.changed, twice.unchanged], [[], 1]);
    assert.deepEqual(toolDiffLines(diffTools([], [])), ['0 added, 0 removed, 0 changed, 0 unchanged']);
  });

  it('reports the versions and the host, or that nothing was listed', () => {
    const diff = { from: 'img:1', to: 'img:2', ...diffTools([{ name: 'a' }], [{ name: 'b' }]) };
    assert.deepEqual(toolDiffReport('vt', { ...diff, host: 'lab' }), [
      'tools of img:2 against img:1 (listed on lab):',
      '  + b',
      '  - a',
      '  1 added, 1 removed, 0 changed, 0 unchanged',
    ]);
    assert.deepEqual(toolDiffReport('vt', { ...diff, host: null }), [
      'vt runs on no host yet, so no tools were listed to compare',
    ]);
  });
});
