import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNoop, planReconcile, type ObservedContainer } from './reconcile';

function container(name: string, configHash: string | null, state = 'running'): ObservedContainer {
  return {
    id: `id-${name}`,
    name,
    server: 's',
    instance: name.replace(/\.previous$/, ''),
    member: null,
    configHash,
    state,
    ports: [],
  };
}

void describe('planReconcile', () => {
  const want = [
    { name: 'a', configHash: 'h1', member: 'a' },
    { name: 'b', configHash: 'h2', member: 'b' },
  ];

  void it('changes nothing when every wanted container runs with its hash', () => {
    const steps = planReconcile(want, [container('b', 'h2'), container('a', 'h1')]);
    assert.deepEqual(
      steps.map((s) => s.kind),
      ['keep', 'keep'],
    );
    assert.ok(isNoop(steps));
  });

  void it('creates the missing, replaces the changed and the stopped, and removes the rest first', () => {
    const steps = planReconcile(want, [
      container('a', 'old'),
      container('a.previous', 'h1', 'exited'),
      container('stray', 'x'),
    ]);
    assert.deepEqual(
      steps.map((s) => [s.kind, s.kind === 'remove' ? s.current.name : s.desired.name]),
      [
        ['remove', 'a.previous'],
        ['remove', 'stray'],
        ['replace', 'a'],
        ['create', 'b'],
      ],
    );
    assert.equal(steps[2]?.kind === 'replace' && steps[2].reason, 'config');
    const stopped = planReconcile(want.slice(0, 1), [container('a', 'h1', 'created')]);
    assert.equal(stopped[0]?.kind === 'replace' && stopped[0].reason, 'not-running');
    assert.ok(!isNoop(stopped));
  });
});
