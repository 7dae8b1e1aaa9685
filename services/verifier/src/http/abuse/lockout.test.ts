import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lockout } from './lockout.js';

const settings = { failures: 3, windowSeconds: 60, lockSeconds: 300 };

test('a run of rejections within the window locks the client out for lockSeconds', () => {
  let now = 0;
  const lockout = new Lockout(settings, 100, () => now);
  lockout.reject('a');
  lockout.reject('a');
  assert.equal(lockout.retryAfter('a'), 0);
  now = 10_000;
  lockout.reject('a');
  assert.equal(lockout.retryAfter('a'), 300);
  assert.equal(lockout.retryAfter('b'), 0, 'only that client');
  now = 10_000 + 299_500;
  assert.equal(lockout.retryAfter('a'), 1);
  lockout.reject('a'); // while locked: the end stands
  lockout.accept('a');
  assert.equal(lockout.retryAfter('a'), 1);
  now = 10_000 + 300_000;
  assert.equal(lockout.retryAfter('a'), 0);
  lockout.reject('a'); // a served lock-out: a new run
  assert.equal(lockout.retryAfter('a'), 0);
});

test('an accepted attempt ends the run; so does the window passing', () => {
  let now = 0;
  const lockout = new Lockout(settings, 100, () => now);
  lockout.reject('a');
  lockout.reject('a');
  lockout.accept('a');
  lockout.reject('a');
  lockout.reject('a');
  assert.equal(lockout.retryAfter('a'), 0, 'not consecutive');
  now = 61_000;
  lockout.reject('a');
  assert.equal(lockout.retryAfter('a'), 0, 'the run began outside the window');
  lockout.reject('a');
  lockout.reject('a');
  assert.equal(lockout.retryAfter('a'), 300);
});
