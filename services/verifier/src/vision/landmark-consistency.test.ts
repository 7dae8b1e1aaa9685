import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIRROR_68 } from './landmark-consistency.js';

test('the 68-point mirror map is an involution that swaps left and right features', () => {
  for (let i = 0; i < 68; i++) assert.equal(MIRROR_68[MIRROR_68[i]!], i);
  assert.equal(MIRROR_68[0], 16); // jaw ends
  assert.equal(MIRROR_68[36], 45); // outer eye corners
  assert.equal(MIRROR_68[48], 54); // mouth corners
  assert.equal(MIRROR_68[30], 30); // nose tip stays
  assert.equal(MIRROR_68[8], 8); // chin stays
});
