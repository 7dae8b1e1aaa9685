import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './work-queue.js';

test('a key queued twice is processed once', async () => {
  const queue = new WorkQueue();
  queue.add('a');
  queue.add('a');
  queue.add('b');
  assert.equal(await queue.take(), 'a');
  assert.equal(await queue.take(), 'b');
  queue.stop();
  assert.equal(await queue.take(), undefined);
});

test('a key added while in flight is processed again after done, never concurrently', async () => {
  const queue = new WorkQueue();
  queue.add('a');
  const first = await queue.take();
  queue.add('a');
  queue.add('b');
  assert.equal(await queue.take(), 'b');
  queue.done(first!);
  assert.equal(await queue.take(), 'a');
  queue.stop();
});

test('retries back off exponentially up to the cap and reset on forget', () => {
  const queue = new WorkQueue({ baseMs: 10, maxMs: 35 });
  assert.deepEqual([queue.retry('k'), queue.retry('k'), queue.retry('k')], [10, 20, 35]);
  queue.forget('k');
  assert.equal(queue.retry('k'), 10);
  queue.stop();
});
