// The concurrency bound the monitor relies on: never more than n tasks at once, all of them run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { limiter, withTimeout } from './limit';

describe('limiter', () => {
  it('runs at most n tasks at once and every task in turn, failures included', async () => {
    const limit = limiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await tick();
          active -= 1;
          if (i % 7 === 0) throw new Error(`task ${i} failed`);
          return i;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 17);
    assert.deepEqual(
      results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).slice(0, 4),
      [1, 2, 3, 4],
    );
  });

  it('rejects with the given error when the work does not finish in time', async () => {
    const never = new Promise<never>(() => undefined);
    await assert.rejects(
      withTimeout(
        () => never,
        5,
        () => new Error('no answer within 5 ms'),
      ),
      /no answer within 5 ms/,
    );
    assert.equal(
      await withTimeout(
        async () => 7,
        1000,
        () => new Error('late'),
      ),
      7,
    );
  });
});
