import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRate, falseMatchRate } from '../index.js';

test("the seed's table: 0.7 is 1 in 10,000, 0.9 is 1 in a million", () => {
  assert.equal(describeRate(falseMatchRate(0.7)), '1 in 10,000');
  assert.equal(describeRate(falseMatchRate(0.9)), '1 in 1,000,000');
  assert.equal(describeRate(falseMatchRate(0.5)), '1 in 100');
});

test('outside [0.4, 0.9] the rate is clamped to the ends of the table', () => {
  assert.equal(falseMatchRate(0.2), falseMatchRate(0.4));
  assert.equal(falseMatchRate(1), falseMatchRate(0.9));
});
