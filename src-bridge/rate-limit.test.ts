import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureLimiter } from './rate-limit';

describe('FailureLimiter', () => {
  it('blocks a source at maxFailures for the rest of its window, and only that source', () => {
    let now = 1_000_000;
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 2; i++) limiter.recordFailure('a');
    assert.equal(limiter.retryAfter('a'), 0, 'two failures are not a block');
    limiter.recordFailure('a');
    assert.equal(limiter.retryAfter('a'), 60);
    assert.equal(limiter.retryAfter('b'), 0);
    now += 45_000;
    assert.equal(limiter.retryAfter('a'), 15);
    now += 15_000;
    assert.equal(limiter.retryAfter('a'), 0, 'the window is over');
    assert.equal(limiter.size, 0, 'and forgotten');
  });

  it('keeps its memory bounded under failures from ever new sources', () => {
    let now = 0;
    const limiter = new FailureLimiter({ maxFailures: 2, windowMs: 60_000, maxSources: 100, now: () => now });
    for (let i = 0; i < 5000; i++) {
      now += 1;
      limiter.recordFailure(`10.0.${i >> 8}.${i & 0xff}`);
      assert.ok(limiter.size <= 100);
    }
    // The newest sources are still counted.
    limiter.recordFailure('10.0.19.135');
    assert.ok(limiter.retryAfter('10.0.19.135') > 0);
  });
});
