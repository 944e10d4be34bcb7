// Integration: two real connections to one encrypted store, as the CLI and a running app have.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from './events';
import { watchExternalChanges } from './external-changes';
import { Store } from './store/store';
import { createTestStore } from '../test-support/store';
import { waitFor } from '../test-support/wait-for';

test('a commit by another connection reaches the event bus; our own quiet store does not', async () => {
  const t = await createTestStore();
  const other = await Store.open({ home: t.home, keyProvider: t.keyProvider });
  const events = new EventBus();
  const seen: string[] = [];
  events.subscribe((_e, payload) => seen.push((payload as { domain: string }).domain));
  const stop = watchExternalChanges(t.store, events, 20);
  try {
    // Not a wait for something: five of the watcher's 20 ms ticks pass, to show that none brings an event.
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
    await waitFor(() => seen.length > 0, {
      timeoutMs: 2_000,
      intervalMs: 20,
      what: 'an event from the watcher',
    });
    assert.ok(seen.includes('hosts'), `expected a hosts event, got ${JSON.stringify(seen)}`);
  } finally {
    stop();
    other.close();
    t.cleanup();
  }
});
