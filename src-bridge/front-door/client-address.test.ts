import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCidr } from './cidr';
import { forwardedClient, isTrustedProxy } from './client-address';

const trusted = [parseCidr('10.0.0.0/8', '--trusted-proxy'), parseCidr('fd00::/8', '--trusted-proxy')];

describe('forwardedClient (X-Forwarded-For behind trusted proxies)', () => {
  it('takes the right-most entry that is not a trusted proxy', () => {
    assert.deepEqual(forwardedClient('203.0.113.7', trusted), { kind: 'client', address: '203.0.113.7' });
    assert.deepEqual(forwardedClient('203.0.113.7, 10.0.0.2', trusted), {
      kind: 'client',
      address: '203.0.113.7',
    });
    assert.deepEqual(forwardedClient(' 203.0.113.7 ,10.1.1.1,  fd00::9 ', trusted), {
      kind: 'client',
      address: '203.0.113.7',
    });
  });

  it('ignores what the client wrote left of its own entry, forged or malformed', () => {
    for (const forged of ['10.0.0.5, 198.51.100.9', '127.0.0.1', 'garbage', '', 'unknown, ;drop']) {
      assert.deepEqual(forwardedClient(`${forged}, 203.0.113.7, 10.0.0.2`, trusted), {
        kind: 'client',
        address: '203.0.113.7',
      });
    }
  });

  it('takes the left-most entry when every entry is a trusted proxy', () => {
    assert.deepEqual(forwardedClient('10.0.0.9, 10.0.0.2', trusted), { kind: 'client', address: '10.0.0.9' });
  });

  it('reads IPv6 and IPv4-mapped entries', () => {
    assert.deepEqual(forwardedClient('2001:db8::5, fd00::1', trusted), {
      kind: 'client',
      address: '2001:db8::5',
    });
    assert.deepEqual(forwardedClient('[2001:db8::6]', trusted), { kind: 'client', address: '[2001:db8::6]' });
    assert.deepEqual(forwardedClient('::ffff:10.0.0.3, 203.0.113.8', trusted), {
      kind: 'client',
      address: '203.0.113.8',
    });
  });

  it('is malformed when an entry it has to read is not an address', () => {
    for (const header of [
      '',
      ' ',
      'unknown',
      '203.0.113.7:4711',
      '203.0.113.7,',
      '203.0.113.7, , 10.0.0.2',
    ]) {
      assert.deepEqual(forwardedClient(header, trusted), { kind: 'malformed' }, JSON.stringify(header));
    }
  });

  it('knows a trusted proxy by its address, as Node reports peers', () => {
    assert.equal(isTrustedProxy(trusted, '10.9.8.7'), true);
    assert.equal(isTrustedProxy(trusted, '::ffff:10.9.8.7'), true);
    assert.equal(isTrustedProxy(trusted, '11.0.0.1'), false);
    assert.equal(isTrustedProxy(trusted, undefined), false);
    assert.equal(isTrustedProxy([], '10.0.0.1'), false);
  });
});
