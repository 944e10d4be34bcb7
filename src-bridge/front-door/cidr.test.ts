import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressAllowed, addressBytes, isLoopbackAddress, parseCidr, sourceKey } from './cidr';

describe('cidr', () => {
  it('expands IPv6 forms to the same bytes', () => {
    assert.deepEqual(addressBytes('::1'), addressBytes('0:0:0:0:0:0:0:1'));
    assert.deepEqual(addressBytes('fd00::1:2'), addressBytes('fd00:0:0:0:0:0:1:2'));
    assert.deepEqual(addressBytes('::ffff:10.1.2.3'), addressBytes('10.1.2.3'));
    assert.deepEqual(addressBytes('[::1]'), addressBytes('::1'));
    assert.equal(addressBytes('example.com'), undefined);
  });

  it('matches IPv4 ranges, also for IPv4-mapped IPv6 peers', () => {
    const cidrs = [parseCidr('10.0.0.0/8'), parseCidr('192.168.1.7')];
    assert.equal(addressAllowed(cidrs, '10.200.3.4'), true);
    assert.equal(addressAllowed(cidrs, '::ffff:10.200.3.4'), true);
    assert.equal(addressAllowed(cidrs, '11.0.0.1'), false);
    assert.equal(addressAllowed(cidrs, '192.168.1.7'), true);
    assert.equal(addressAllowed(cidrs, '192.168.1.8'), false);
    assert.equal(addressAllowed(cidrs, undefined), false);
  });

  it('matches IPv6 ranges with odd prefix lengths', () => {
    const cidrs = [parseCidr('fd00::/7'), parseCidr('2001:db8:abcd:12::/62')];
    assert.equal(addressAllowed(cidrs, 'fc12::9'), true);
    assert.equal(addressAllowed(cidrs, 'fe80::1'), false);
    assert.equal(addressAllowed(cidrs, '2001:db8:abcd:13::5'), true);
    assert.equal(addressAllowed(cidrs, '2001:db8:abcd:16::5'), false);
    assert.equal(addressAllowed(cidrs, '10.0.0.1'), false);
  });

  it('admits everything when no range is configured, and ::/0 admits IPv4 too', () => {
    assert.equal(addressAllowed([], '8.8.8.8'), true);
    assert.equal(addressAllowed([parseCidr('::/0')], '8.8.8.8'), true);
    assert.equal(addressAllowed([parseCidr('0.0.0.0/0')], '2001:db8::1'), false);
  });

  it('refuses malformed ranges with a sentence naming them', () => {
    assert.throws(() => parseCidr('10.0.0.0/33'), /prefix length outside 0-32/);
    assert.throws(() => parseCidr('fd00::/129'), /outside 0-128/);
    assert.throws(() => parseCidr('10.0.0/8'), /not an address range/);
    assert.throws(() => parseCidr('10.0.0.0/8/1'), /not an address range/);
    assert.throws(() => parseCidr('10.0.0.0/x'), /prefix length/);
  });

  it('knows loopback and keys IPv6 sources by /64', () => {
    assert.equal(isLoopbackAddress('127.0.0.1'), true);
    assert.equal(isLoopbackAddress('::ffff:127.0.0.1'), true);
    assert.equal(isLoopbackAddress('::1'), true);
    assert.equal(isLoopbackAddress('10.0.0.1'), false);
    assert.equal(sourceKey('::ffff:1.2.3.4'), '1.2.3.4');
    assert.equal(sourceKey('2001:db8:1:2::1'), sourceKey('2001:db8:1:2:ffff::9'));
    assert.notEqual(sourceKey('2001:db8:1:2::1'), sourceKey('2001:db8:1:3::1'));
  });
});
