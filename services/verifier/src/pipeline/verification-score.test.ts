import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promisedFalseMatchRate, verificationScore } from './verification-score.js';

const knots = [
  [-1, 0],
  [0.2, 0.3],
  [0.4, 0.7],
  [0.6, 0.9],
  [1, 1],
] as const;

test('interpolates between knots and clamps outside them', () => {
  assert.equal(verificationScore(0.4, knots), 0.7);
  assert.ok(Math.abs(verificationScore(0.3, knots) - 0.5) < 1e-12);
  assert.equal(verificationScore(-2, knots), 0);
  assert.equal(verificationScore(2, knots), 1);
});

test('is monotonic in the cosine', () => {
  let prev = -1;
  for (let c = -1; c <= 1; c += 0.01) {
    const s = verificationScore(c, knots);
    assert.ok(s >= prev);
    prev = s;
  }
});

test("the seed's table: 0.7 ↔ 1/10,000, 0.4 ↔ 1/10", () => {
  assert.ok(Math.abs(promisedFalseMatchRate(0.7) - 1e-4) < 1e-12);
  assert.ok(Math.abs(promisedFalseMatchRate(0.4) - 0.1) < 1e-12);
});

test('refuses a bundle without calibration', () => {
  assert.throws(() => verificationScore(0.5, []));
});
