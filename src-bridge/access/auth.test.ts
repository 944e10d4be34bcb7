import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasQueryCredential, parseAuthorization, TokenVerifier } from './auth';
import { buildMembers } from './members';
import { FailureLimiter } from './rate-limit';
import { sha256 } from '../test-helpers';

describe('auth', () => {
  it('parses bearer headers and refuses malformed ones', () => {
    assert.deepEqual(parseAuthorization(undefined), { kind: 'missing' });
    assert.deepEqual(parseAuthorization('Bearer abc.DEF-_~+/=='), {
      kind: 'bearer',
      token: 'abc.DEF-_~+/==',
    });
    assert.deepEqual(parseAuthorization('bearer abc'), { kind: 'bearer', token: 'abc' });
    for (const bad of ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearer a"b', 'abc']) {
      assert.deepEqual(parseAuthorization(bad), { kind: 'malformed' }, bad);
    }
  });

  it('spots credentials in query strings', () => {
    assert.equal(hasQueryCredential('?token=x'), true);
    assert.equal(hasQueryCredential('?a=1&Access_Token=x'), true);
    assert.equal(hasQueryCredential('?api_key=x'), true);
    assert.equal(hasQueryCredential('?page=2'), false);
    assert.equal(hasQueryCredential(''), false);
  });

  it('maps a token to its member by hash, and refuses a token differing in its last byte', () => {
    const members = buildMembers(
      [
        { name: 'alice', tokenSha256: sha256('alice-token-0001'), tools: ['*'] },
        { name: 'bob', tokenSha256: [sha256('bob-old'), sha256('bob-new')], tools: ['read_*'] },
      ],
      [],
    );
    const verifier = new TokenVerifier(members);
    assert.equal(verifier.verify('alice-token-0001')?.name, 'alice');
    assert.equal(verifier.verify('alice-token-0002'), undefined);
    assert.equal(verifier.verify('bob-old')?.name, 'bob');
    assert.equal(verifier.verify('bob-new')?.name, 'bob');
    assert.equal(verifier.verify(sha256('alice-token-0001')), undefined, 'the hash itself is not a token');
    assert.equal(verifier.verify(''), undefined);
  });

  it('blocks a source after repeated failures until the window passes', () => {
    let now = 0;
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 2; i++) limiter.recordFailure('1.2.3.4');
    assert.equal(limiter.retryAfter('1.2.3.4'), 0);
    limiter.recordFailure('1.2.3.4');
    assert.equal(limiter.retryAfter('1.2.3.4'), 60);
    assert.equal(limiter.retryAfter('5.6.7.8'), 0, 'other sources are not affected');
    now = 59_000;
    assert.equal(limiter.retryAfter('1.2.3.4'), 1);
    now = 60_000;
    assert.equal(limiter.retryAfter('1.2.3.4'), 0);
  });

  it('keeps a bounded number of sources', () => {
    const limiter = new FailureLimiter({ maxFailures: 1, windowMs: 60_000, maxSources: 3, now: () => 0 });
    for (const source of ['a', 'b', 'c', 'd']) limiter.recordFailure(source);
    assert.equal(limiter.retryAfter('d'), 60);
    assert.equal(limiter.retryAfter('a'), 0, 'the oldest source was forgotten to make room');
  });
});
