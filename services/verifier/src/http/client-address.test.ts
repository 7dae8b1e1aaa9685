import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddressResolver } from './client-address.js';

test('TRUST_PROXY=false: the peer, whatever X-Forwarded-For says', () => {
  const resolve = clientAddressResolver(false);
  assert.equal(resolve('10.0.0.2', '203.0.113.7'), '10.0.0.2');
  assert.equal(resolve('::ffff:10.0.0.2', undefined), '10.0.0.2');
  assert.equal(resolve(undefined, '203.0.113.7'), undefined);
});

test('TRUST_PROXY=true: the address the peer (a proxy) appended', () => {
  const resolve = clientAddressResolver(true);
  assert.equal(resolve('10.0.0.2', '192.0.2.1, 203.0.113.7'), '203.0.113.7');
  assert.equal(resolve('10.0.0.2', '[2001:db8::7]:4711'), '2001:db8::7');
  assert.equal(resolve('10.0.0.2', '203.0.113.7:4711'), '203.0.113.7');
  assert.equal(resolve('10.0.0.2', undefined), '10.0.0.2');
  assert.equal(resolve('10.0.0.2', ' , '), '10.0.0.2');
  assert.equal(resolve('10.0.0.2', 'unknown'), '10.0.0.2', 'not an address: not believed');
});

test('TRUST_PROXY ranges: hops inside them are skipped from the right, only behind a trusted peer', () => {
  const resolve = clientAddressResolver(['10.0.0.0/8', '2001:db8:ffff::/48']);
  assert.equal(resolve('10.0.0.2', '192.0.2.1, 203.0.113.7, 10.3.3.3'), '203.0.113.7');
  assert.equal(resolve('10.0.0.2', '203.0.113.7, 2001:db8:ffff::1'), '203.0.113.7');
  assert.equal(resolve('10.0.0.2', '10.1.1.1, 10.3.3.3'), '10.1.1.1', 'all trusted: the leftmost');
  assert.equal(resolve('198.51.100.9', '203.0.113.7'), '198.51.100.9', 'a peer outside: ignored');
  assert.equal(resolve('10.0.0.2', 'garbage, 10.3.3.3'), '10.3.3.3');
});
