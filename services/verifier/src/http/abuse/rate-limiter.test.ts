import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limiter.js';

test('a burst at once, then one request per 60/perMinute seconds, per client', () => {
  let now = 0;
  const limiter = new RateLimiter(30, 2, 100, () => now); // a token every 2 s
  assert.deepEqual([limiter.take('a'), limiter.take('a'), limiter.take('a')], [0, 0, 2]);
  assert.equal(limiter.take('b'), 0, 'another client has its own bucket');
  now = 1000;
  assert.equal(limiter.take('a'), 1, 'half a token: 1 s to go');
  now = 2000;
  assert.equal(limiter.take('a'), 0);
  now = 60_000;
  assert.deepEqual([limiter.take('a'), limiter.take('a'), limiter.take('a')], [0, 0, 2]);
});

test('memory is bounded: beyond capacity the longest idle client is forgotten', () => {
  const limiter = new RateLimiter(1, 1, 2, () => 0);
  assert.equal(limiter.take('a'), 0);
  assert.equal(limiter.take('a'), 60);
  limiter.take('b');
  limiter.take('c'); // 'a' was idle longest: forgotten, so it starts afresh
  assert.equal(limiter.take('a'), 0);
});
