import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors/api-error.js';
import { ReplayGuard } from './replay-guard.js';

const isReplay = (e: unknown) => e instanceof ApiError && e.code === 1201 && e.status === 409;

test('an answered fingerprint is refused for the window; one not answered is not', () => {
  let now = 0;
  const guard = new ReplayGuard(10, 100, () => now);
  const first = guard.claim('x');
  assert.throws(() => guard.claim('x'), isReplay, 'the same bytes twice at once');
  first.commit();
  now = 9_999;
  assert.throws(() => guard.claim('x'), isReplay);
  now = 10_000;
  guard.claim('x').release();
  guard.claim('x').release(); // released: may come again
  const y = guard.claim('y');
  y.commit();
  y.release(); // settled once: a late release does not forget it
  assert.throws(() => guard.claim('y'), isReplay);
});

test('memory is bounded: expired fingerprints go first, then the oldest', () => {
  let now = 0;
  const guard = new ReplayGuard(10, 3, () => now);
  for (const k of ['a', 'b', 'c']) guard.claim(k).commit();
  now = 1;
  guard.claim('d').commit(); // full: 'a' goes early
  assert.equal(guard.size, 3);
  guard.claim('a').commit();
  assert.throws(() => guard.claim('d'), isReplay);
  now = 20_000;
  guard.claim('e');
  assert.equal(guard.size, 1, 'every expired one dropped');
});
