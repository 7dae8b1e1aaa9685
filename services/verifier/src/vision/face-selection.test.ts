import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Point } from './geometry/types.js';
import { isPlausibleFace, pickSubject, type Candidate } from './face-selection.js';

/** 68 landmarks of an upright face in a box at (x, y) of the given width. */
function uprightLandmarks(x: number, y: number, w: number): Point[] {
  const at = (fx: number, fy: number): Point => ({ x: x + fx * w, y: y + fy * w });
  const pts = Array.from({ length: 68 }, () => at(0.5, 0.5));
  for (const i of [37, 38, 40, 41]) pts[i] = at(0.3, 0.35);
  for (const i of [43, 44, 46, 47]) pts[i] = at(0.7, 0.35);
  pts[30] = at(0.5, 0.55);
  for (const i of [48, 60]) pts[i] = at(0.35, 0.75);
  for (const i of [54, 64]) pts[i] = at(0.65, 0.75);
  return pts;
}

const candidate = (x: number, w: number, score: number, disagreement: number): Candidate => ({
  box: { x1: x, y1: 0, x2: x + w, y2: w },
  score,
  landmarks: uprightLandmarks(x, 0, w),
  disagreement,
});

test('an upright layout is plausible; eyes below the mouth are not', () => {
  const face = candidate(0, 100, 1, 0.03);
  assert.ok(isPlausibleFace(face));
  const flipped = { ...face, landmarks: face.landmarks.map((p) => ({ x: p.x, y: 100 - p.y })) };
  assert.equal(isPlausibleFace(flipped), false);
});

test('a consistent face beats a larger background box the detector is nearly as sure of', () => {
  const face = candidate(0, 100, 1.0, 0.03);
  const blur = candidate(200, 110, 0.973, 0.48);
  assert.equal(pickSubject([blur, face]), face);
});

test('among consistent faces the largest wins; with none consistent, the plausible ones still count', () => {
  const small = candidate(0, 60, 1.0, 0.03);
  const large = candidate(200, 120, 0.99, 0.04);
  assert.equal(pickSubject([small, large]), large);
  const masked = candidate(0, 100, 0.95, 0.3);
  assert.equal(pickSubject([masked]), masked);
  assert.equal(pickSubject([]), undefined);
});

test('a much less confident detection does not win on size', () => {
  const face = candidate(0, 80, 1.0, 0.03);
  const weak = candidate(200, 160, 0.8, 0.05);
  assert.equal(pickSubject([face, weak]), face);
});
