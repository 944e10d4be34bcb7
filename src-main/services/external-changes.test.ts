// Integration: two real connections to one encrypted store, as the CLI and a running app have.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from './events';
import { watchExternalChanges } from './external-changes';
import { Store } from './store/store';
import { createTestStore } from './store/test-store';

test('a commit by another connection reaches the event bus; our own quiet store does not', async () => {
  const t = await createTestStore();
  const other = await Store.open({ home: t.home, keyProvider: t.keyProvider });
  const events = new EventBus();
  const seen: string[] = [];
  events.subscribe((_e, payload) => seen.push((payload as { domain: string }).domain));
  const stop = watchExternalChanges(t.store, events, 20);
  try {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.length, 0, 'no change, no event');
    other.hosts.insert(
      {
        name: 'lab',
        kind: 'local',
        user: null,
        address: null,
        port: null,
        auth: 'none',
        hostKeySha256: null,
      },
      null,
    );
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(seen.includes('hosts'), `expected a hosts event, got ${JSON.stringify(seen)}`);
  } finally {
    stop();
    other.close();
    t.cleanup();
  }
});
