import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientKey } from './client-key.js';

test('IPv4 addresses are their own key; IPv6 ones count by /64', () => {
  assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey(undefined), 'unknown');
  const net64 = '2001:db8:0:1::/64';
  for (const a of ['2001:db8:0:1::1', '2001:0db8:0000:0001:ffff:0:0:2', '2001:db8::1:0:0:0:3'])
    assert.equal(clientKey(a), net64, a);
  assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(clientKey('::'), '0:0:0:0::/64');
  assert.equal(clientKey('::ffff:1.2.3.4'), '0:0:0:0::/64');
});
