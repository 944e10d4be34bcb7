import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureLimiter, TokenBucket } from './rate-limit';

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

describe('TokenBucket', () => {
  it('lets a burst through, then the rate, and says how long to wait in whole seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 4, () => now);
    for (let i = 0; i < 4; i++) assert.equal(bucket.take(), 0, `burst ${i}`);
    assert.equal(bucket.take(), 1, 'empty: one token comes in half a second, said as 1 s');
    now += 500;
    assert.equal(bucket.take(), 0, 'the token that came');
    now += 10_000;
    for (let i = 0; i < 4; i++) assert.equal(bucket.take(), 0, 'a quiet spell refills to the burst');
    assert.notEqual(bucket.take(), 0, 'and no further');
  });

  it('waits longer under a slow rate', () => {
    const bucket = new TokenBucket(0.1, 1, () => 0);
    assert.equal(bucket.take(), 0);
    assert.equal(bucket.take(), 10);
  });
});
