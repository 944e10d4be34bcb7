/**
 * The gate's own rules, with a stand-in for what it opens (web mode and the app open real services
 * through it in web/unlock.test.ts and app/desktop-store.test.ts): one attempt at a time, only typed
 * passphrases rate-limited, nothing opened after close.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FleetError } from '../../shared/errors';
import { MAX_FAILED_UNLOCKS, StoreGate, UNLOCK_WINDOW_MS, UnlockRateLimited } from './store-gate';

const root = mkdtempSync(join(tmpdir(), 'mcp-fleet-gate-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Something to open: records whether it was closed. */
class Opened {
  closed = false;
  constructor(readonly by: string) {}
  close(): void {
    this.closed = true;
  }
}

const wrong = () => Promise.reject(new FleetError('store_locked', 'wrong passphrase'));

describe('StoreGate', () => {
  test('a key from elsewhere (openWith) is not rate-limited; once open, every further attempt is a conflict', async () => {
    let now = 0;
    const gate = new StoreGate<Opened>({ home: join(root, 'a'), open: wrong, now: () => now });
    for (let i = 0; i < MAX_FAILED_UNLOCKS; i++) {
      await assert.rejects(gate.unlock('guess that is long'), /wrong passphrase/);
    }
    await assert.rejects(gate.unlock('guess that is long'), UnlockRateLimited);
    await assert.rejects(gate.openWith(wrong), /wrong passphrase/);
    assert.deepEqual(await gate.openWith(async () => new Opened('keychain')), {
      locked: false,
      initialized: true,
    });
    assert.equal(gate.current()?.by, 'keychain');
    await assert.rejects(
      gate.openWith(async () => new Opened('again')),
      { code: 'conflict' },
    );
    now += UNLOCK_WINDOW_MS;
    await assert.rejects(gate.unlock('guess that is long'), { code: 'conflict' });
  });

  test('attempts run one at a time: the second waits and finds the store open', async () => {
    let release = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const gate = new StoreGate<Opened>({
      home: join(root, 'b'),
      open: async (passphrase) => {
        await slow;
        return new Opened(passphrase);
      },
    });
    const first = gate.unlock('first passphrase');
    const second = gate.unlock('second passphrase');
    release();
    assert.equal((await first).locked, false);
    await assert.rejects(second, { code: 'conflict' });
    assert.equal(gate.current()?.by, 'first passphrase');
  });

  test('close waits for an attempt in flight, closes what it opened, and refuses later attempts', async () => {
    let release = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const made: Opened[] = [];
    const gate = new StoreGate<Opened>({ home: join(root, 'c'), open: wrong });
    let started = () => {};
    const opening = new Promise<void>((resolve) => (started = resolve));
    const inFlight = gate.openWith(async () => {
      started();
      await slow;
      made.push(new Opened('late'));
      return made[0] as Opened;
    });
    await opening;
    const closing = gate.close();
    release();
    await assert.rejects(inFlight, /shutting down/);
    await closing;
    assert.equal(made[0]?.closed, true);
    assert.equal(gate.current(), null);
    await assert.rejects(gate.unlock('a long passphrase'), /shutting down/);
  });
});
