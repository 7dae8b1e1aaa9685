import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FrameObservation } from '../track-face.js';
import { blinkDepth, nonPlanarMotion, percentile, presentationAttackScore } from './temporal-cues.js';
import { fuseLiveness } from './fuse-liveness.js';

/** A synthetic 68-point face: a grid-like layout with eyes 40 px apart. */
const baseFace = Array.from({ length: 68 }, (_, i) => ({ x: 100 + (i % 9) * 8, y: 100 + Math.floor(i / 9) * 9 }));
function obs(landmarks = baseFace, open = 1, real = 0.9): FrameObservation {
  return {
    frame: { image: { width: 1, height: 1, data: new Uint8Array(3) }, timestamp: 0 },
    face: { box: { x1: 90, y1: 90, x2: 190, y2: 190 }, score: 1, landmarks },
    eyes: { left: open, right: open },
    realScore: real,
    sharpness: 1,
    frontalness: 1,
    iod: 40,
  };
}

test('a flat picture moved by any homography shows no non-planar motion; a moving face part does', () => {
  const zoomed = baseFace.map((p) => ({ x: 1.1 * p.x + 0.02 * p.y + 5, y: 1.1 * p.y - 3 }));
  assert.ok(nonPlanarMotion([obs(), obs(zoomed), obs(zoomed)]) < 1e-6);
  // The mouth (points 48–67) opens: 3 px down, against a still upper face.
  const speaking = baseFace.map((p, i) => (i >= 48 ? { x: p.x, y: p.y + 3 } : p));
  assert.ok(nonPlanarMotion([obs(), obs(speaking), obs(speaking)]) > 0.01);
});

test('a blink counts only when the eyes read as closed', () => {
  const series = (values: number[]) => values.map((v) => obs(baseFace, v));
  assert.ok(blinkDepth(series([1, 1, 0.05, 1, 1, 1])) > 0.9);
  // Jitter of a still photo around a half-open reading is not a blink.
  assert.equal(blinkDepth(series([0.93, 0.6, 0.9, 0.59, 0.95, 0.62])), 0);
});

test('the presentation-attack score trims outliers', () => {
  const s = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.0].map((r) => obs(baseFace, 1, r));
  assert.ok(Math.abs(presentationAttackScore(s) - 0.9) < 1e-9);
  assert.equal(percentile([3, 1, 2], 0.5), 2);
});

test('fusion: both questions must be answered live', () => {
  const live = fuseLiveness({ nonPlanarMotion: 0.06, blinkDepth: 0, presentationAttack: 0.95, trackedFrames: 30 });
  const still = fuseLiveness({ nonPlanarMotion: 0.01, blinkDepth: 0, presentationAttack: 1, trackedFrames: 30 });
  const replay = fuseLiveness({ nonPlanarMotion: 0.06, blinkDepth: 0.9, presentationAttack: 0.02, trackedFrames: 30 });
  const blinker = fuseLiveness({ nonPlanarMotion: 0.015, blinkDepth: 0.9, presentationAttack: 0.95, trackedFrames: 30 });
  assert.ok(live.score > 0.9);
  assert.ok(still.score < 0.1);
  assert.ok(replay.score < 0.1);
  assert.ok(blinker.score > 0.9);
});
