import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clopperPearson,
  equalErrorRate,
  histogram,
  poissonTail,
  precisionRecall,
  rateAtOrAbove,
  rocAuc,
  summarise,
  tarAtFar,
  wilson,
} from './metrics.js';

test('AUC is 1 for separated scores, 0.5 for identical ones, and counts ties as half', () => {
  assert.equal(rocAuc([0.9, 0.8], [0.1, 0.2]), 1);
  assert.equal(rocAuc([0.5, 0.5], [0.5, 0.5]), 0.5);
  assert.equal(rocAuc([0.5, 0.9], [0.5, 0.1]), (1.5 + 2) / 4);
  assert.equal(rocAuc([-Infinity], [-Infinity]), 0.5);
});

test('EER where FAR and FRR cross', () => {
  const e = equalErrorRate([0.6, 0.7, 0.8, 0.9], [0.1, 0.2, 0.3, 0.65]);
  assert.equal(e.eer, 0.25);
  assert.equal(e.far, 0.25);
  assert.equal(e.frr, 0.25);
  assert.equal(equalErrorRate([0.9], [0.1]).eer, 0);
});

test('TAR at FAR accepts at most floor(far·n) impostors and says when that is not a measurement', () => {
  const impostor = Array.from({ length: 100 }, (_, i) => i / 100); // 0 … 0.99
  const genuine = [0.5, 0.95, 0.985, 1];
  const r = tarAtFar(genuine, impostor, 0.01);
  assert.equal(r.impostorsAccepted, 1);
  assert.equal(r.threshold, 0.98);
  assert.equal(r.tar, 0.5);
  assert.equal(r.measured, false);
  const strict = tarAtFar(genuine, impostor, 0.001);
  assert.equal(strict.impostorsAccepted, 0);
  assert.equal(strict.tar, 0.25);
  assert.equal(tarAtFar(genuine, impostor, 0.2).measured, true);
});

test('ties at the cut are rejected rather than pushing FAR over the target', () => {
  const r = tarAtFar([0.9], [0.5, 0.5, 0.5, 0.1], 0.25);
  assert.equal(r.impostorsAccepted, 0);
  assert.equal(r.tar, 1);
});

test('detection failures (-Infinity) are never accepted', () => {
  const r = tarAtFar([-Infinity, 0.9], [0.1, -Infinity], 0.5);
  assert.equal(r.tar, 0.5);
  assert.equal(rateAtOrAbove([-Infinity, 0.3], 0).count, 1);
});

test('summary, histogram and precision/recall', () => {
  const s = summarise([1, 2, 3, -Infinity]);
  assert.equal(s.n, 3);
  assert.equal(s.mean, 2);
  assert.equal(s.sd, 1);
  assert.equal(s.median, 2);
  assert.deepEqual(histogram([0, 0.5, 1, 2, -Infinity], [0, 0.5, 1]), [1, 2]);
  const pr = precisionRecall([true, true, false], [false, true]);
  assert.deepEqual([pr.precision, pr.recall], [2 / 3, 2 / 3]);
});

test('Poisson tail: 1 event when 0.144 are expected is unremarkable; 5 when 0.5 are is not', () => {
  assert.ok(Math.abs(poissonTail(1, 0.144) - (1 - Math.exp(-0.144))) < 1e-12);
  assert.ok(poissonTail(5, 0.5) < 0.001);
  assert.equal(poissonTail(0, 3), 1);
});

test('Clopper–Pearson intervals: none observed is a bound, not zero; one in fifteen is wide', () => {
  const close = (a: number, b: number) => Math.abs(a - b) < 5e-4;
  const none15 = clopperPearson(0, 15);
  assert.equal(none15.low, 0);
  assert.ok(close(none15.high, 1 - 0.025 ** (1 / 15)), `${none15.high}`);
  const none612 = clopperPearson(0, 612);
  assert.ok(close(none612.high, 1 - 0.025 ** (1 / 612)), `${none612.high}`);
  // Published exact interval of 1/15: 0.0017–0.3195.
  const one15 = clopperPearson(1, 15);
  assert.ok(close(one15.low, 0.0017) && close(one15.high, 0.3195), JSON.stringify(one15));
  const all = clopperPearson(10, 10);
  assert.equal(all.high, 1);
  assert.ok(close(all.low, 0.025 ** (1 / 10)), `${all.low}`);
});

test('Wilson intervals match published values and stay inside [0, 1]', () => {
  // Newcombe (1998), table I: 81/263 → 0.2553–0.3662; 0/20 → 0–0.1611.
  const a = wilson(81, 263);
  assert.ok(Math.abs(a.low - 0.2553) < 5e-4 && Math.abs(a.high - 0.3662) < 5e-4);
  const b = wilson(0, 20);
  assert.equal(b.low, 0);
  assert.ok(Math.abs(b.high - 0.1611) < 5e-4);
  assert.equal(wilson(5, 5).high, 1);
  assert.ok(Number.isNaN(wilson(0, 0).low));
});
