import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors/api-error.js';
import { Admission } from './admission.js';

test('admits up to maxInFlight, queues up to maxQueued, refuses beyond with 5003 and Retry-After', async () => {
  const seen: [number, number][] = [];
  const a = new Admission(1, 1, (i, q) => seen.push([i, q]));
  const r1 = await a.acquire();
  const p2 = a.acquire();
  // Thrown, not rejected: the caller has not started reading the body.
  assert.throws(
    () => a.acquire(),
    (e: unknown) =>
      e instanceof ApiError &&
      e.code === 5003 &&
      e.status === 503 &&
      e.headers['Retry-After'] === '1',
  );
  r1();
  assert.equal(a.inFlight, 1, 'the slot went straight to the queued request');
  const r2 = await p2;
  r2();
  r2(); // releasing twice is harmless
  assert.equal(a.inFlight, 0);
  assert.deepEqual(seen.at(-1), [0, 0]);
});

test('a queued request whose client went away leaves the queue', async () => {
  const a = new Admission(1, 4);
  const r1 = await a.acquire();
  const ctl = new AbortController();
  const waiting = a.acquire(ctl.signal);
  ctl.abort();
  await assert.rejects(waiting);
  await assert.rejects(a.acquire(AbortSignal.abort()), 'already gone: never queued');
  r1();
  const r3 = await a.acquire();
  assert.equal(a.inFlight, 1);
  r3();
});
