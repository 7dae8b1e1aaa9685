import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruMap } from './lru-map.js';

test('holds at most its capacity, forgetting the least recently used entry', () => {
  const m = new LruMap<string, number>(2);
  m.set('a', 1);
  m.set('b', 2);
  assert.equal(m.get('a'), 1); // a is now the most recent
  m.set('c', 3);
  assert.deepEqual([m.peek('a'), m.peek('b'), m.peek('c'), m.size], [1, undefined, 3, 2]);
  m.peek('a'); // peeking leaves the order alone: a is still older than c
  m.set('d', 4);
  assert.deepEqual([m.peek('a'), m.peek('c'), m.peek('d')], [undefined, 3, 4]);
  m.delete('c');
  assert.equal(m.size, 1);
  assert.throws(() => new LruMap(0), RangeError);
});
