import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FrameObservation } from '../track-face.js';
import {
  blinkDepth,
  nonPlanarMotion,
  percentile,
  presentationAttackScore,
} from './temporal-cues.js';
import { fuseLiveness } from './fuse-liveness.js';
import { loadConfig } from '../../config/config.js';
import { loadBundleManifest } from '../../models/bundle-manifest.js';

/** The built-in bundle's liveness calibration: the constants the service decides with. */
const cal = (await loadBundleManifest(loadConfig({}).modelBundleDir)).manifest.calibration.liveness;
const motionOf = (clip: FrameObservation[]) => nonPlanarMotion(clip, cal.motion.smoothingFrames);

/**
 * A synthetic 68-point face: a grid for most points, two eye outlines in iBUG order
 * (corner, two upper lid points, corner, two lower lid points) with a lid gap of `lid`.
 */
function face(lid = 5): { x: number; y: number }[] {
  const pts = Array.from({ length: 68 }, (_, i) => ({
    x: 100 + (i % 9) * 8,
    y: 100 + Math.floor(i / 9) * 9,
  }));
  for (const [first, x0] of [
    [36, 110],
    [42, 150],
  ] as const) {
    const y = 130;
    [
      [x0, y],
      [x0 + 7, y - lid],
      [x0 + 13, y - lid],
      [x0 + 20, y],
      [x0 + 13, y + lid],
      [x0 + 7, y + lid],
    ].forEach(([x, yy], k) => {
      pts[first + k] = { x: x!, y: yy! };
    });
  }
  return pts;
}
const baseFace = face();
function obs(landmarks = baseFace, open = 1, real = 0.9): FrameObservation {
  return {
    frame: { image: { width: 1, height: 1, data: new Uint8Array(3) }, timestamp: 0 },
    face: { box: { x1: 90, y1: 90, x2: 190, y2: 190 }, score: 1, landmarks },
    eyes: { left: open, right: open },
    realScore: real,
    sharpness: 1,
    brightness: 120,
    saturation: 0.4,
    frontalness: 1,
    iod: 40,
    cutByFrame: false,
  };
}

test('a flat picture moved by any homography shows no non-planar motion; a moving face part does', () => {
  const zoomed = baseFace.map((p) => ({ x: 1.1 * p.x + 0.02 * p.y + 5, y: 1.1 * p.y - 3 }));
  const planar = motionOf([obs(), obs(), obs(zoomed), obs(zoomed), obs(), obs(zoomed)]);
  assert.ok(planar < 1e-6, String(planar));
  // The mouth opens for a while: the lower lip (points 55–59, 65–67) drops 6 px.
  const lowerLip = new Set([55, 56, 57, 58, 59, 65, 66, 67]);
  const speaking = baseFace.map((p, i) => (lowerLip.has(i) ? { x: p.x, y: p.y + 6 } : p));
  const clip = [baseFace, baseFace, baseFace, speaking, speaking, speaking].map((l) => obs(l));
  const motion = motionOf(clip);
  assert.ok(motion > 0.01, String(motion));
});

test('frame-to-frame jitter averages out; sustained motion does not', () => {
  // Alternating ±1 px on the mouth is jitter; the same amplitude held for frames is motion.
  const shift = (d: number) =>
    baseFace.map((p, i) => (i >= 55 && i <= 59 ? { x: p.x, y: p.y + d } : p));
  const jitter = [1, -1, 1, -1, 1, -1, 1, -1].map((d) => obs(shift(d)));
  const sustained = [1, 1, 1, 1, -1, -1, -1, -1].map((d) => obs(shift(d)));
  assert.ok(motionOf(sustained) > 2 * motionOf(jitter));
});

test('a blink needs the eye model to read closed and the lids to close', () => {
  const closed = face(1);
  const series = (values: number[], lids = values.map(() => baseFace)) =>
    values.map((v, i) => obs(lids[i], v));
  const lids = [baseFace, baseFace, closed, baseFace, baseFace, baseFace];
  assert.ok(blinkDepth(series([1, 1, 0.05, 1, 1, 1], lids), cal.blink) > 0.9);
  // The eye model alone says "closed" but the lids did not move: a misreading.
  assert.equal(blinkDepth(series([1, 1, 0.05, 1, 1, 1]), cal.blink), 0);
  // Jitter around a half-open reading is not a blink, even with moving lids.
  assert.equal(blinkDepth(series([0.93, 0.6, 0.9, 0.59, 0.95, 0.62], lids), cal.blink), 0);
});

test('an eye the model reads closed throughout is set aside; one that flickers is not', () => {
  const closed = face(1);
  const lids = [baseFace, baseFace, closed, baseFace, baseFace, baseFace];
  const clip = (left: number[], right: number[]) =>
    left.map((l, i) => ({ ...obs(lids[i]), eyes: { left: l, right: right[i]! } }));
  // A soft lens: one eye reads shut in every frame, the other blinks (the mean of the two
  // never reads open).
  const blurred = clip([1, 1, 0.02, 0.98, 1, 1], [0.1, 0.05, 0, 0.15, 0.02, 0.1]);
  assert.ok(blinkDepth(blurred, cal.blink) > 0.9);
  // A noisy still photo: one eye's reading jumps between open and shut, the other stays
  // open; the two never close together, so no blink.
  const noisy = clip([1, 1, 0.02, 0.98, 1, 1], [0.9, 0.05, 1, 0.1, 0.95, 0.02]);
  assert.equal(blinkDepth(noisy, cal.blink), 0);
});

test('a frame whose face changed shape is not read for a blink', () => {
  // A nose 35 px long under eyes 40 px apart.
  const withNose = (pts: { x: number; y: number }[]) =>
    pts.map((p, i) => (i === 27 ? { x: 140, y: 115 } : i === 33 ? { x: 140, y: 150 } : p));
  const open = withNose(baseFace);
  const blink = withNose(face(1));
  // Landmarks fitted to a squashed box: the face, lids included, 0.6 × as tall.
  const squashed = open.map((p) => ({ x: p.x, y: 130 + 0.6 * (p.y - 130) }));
  const clip = (middle: { x: number; y: number }[]) =>
    [open, open, middle, open, open, open].map((l, i) => obs(l, i === 2 ? 0.05 : 1));
  assert.ok(blinkDepth(clip(blink), cal.blink) > 0.9);
  // The eye model read the misplaced crops as shut and the eye aspect ratio fell 40%, but
  // the face lost its proportions with them: no blink.
  assert.equal(blinkDepth(clip(squashed), cal.blink), 0);
  // A head that nods while it blinks: the nose shortens by 8% a frame, by 44% over the
  // clip; the blink frame keeps the proportions of the frames around it, and counts.
  const nodding = (pts: { x: number; y: number }[], k: number) =>
    pts.map((p, i) => (i === 33 ? { x: 140, y: 115 + 35 * 0.92 ** k } : p));
  const nod = [open, open, open, open, open, open, blink, open].map((l, k) =>
    obs(nodding(l, k), k === 6 ? 0.05 : 1),
  );
  assert.ok(blinkDepth(nod, cal.blink) > 0.9);
});

test('the presentation-attack score trims outliers', () => {
  const s = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.0].map((r) => obs(baseFace, 1, r));
  assert.ok(Math.abs(presentationAttackScore(s, cal.presentationAttack.trim) - 0.9) < 1e-9);
  assert.equal(percentile([3, 1, 2], 0.5), 2);
});

test('fusion: both questions must be answered live', () => {
  // The fusion's structure, not a bundle's fit: 1.1.0's attack-model gate.
  const gated = {
    ...cal,
    presentationAttack: { centre: 0.3, width: 0.08, scale: 'probability' as const, trim: 0.1 },
  };
  const live = fuseLiveness(
    {
      nonPlanarMotion: 0.03,
      blinkDepth: 0,
      presentationAttack: 0.95,
      trackedFrames: 30,
    },
    gated,
  );
  const still = fuseLiveness(
    {
      nonPlanarMotion: 0.012,
      blinkDepth: 0,
      presentationAttack: 1,
      trackedFrames: 30,
    },
    gated,
  );
  const replay = fuseLiveness(
    {
      nonPlanarMotion: 0.06,
      blinkDepth: 0.9,
      presentationAttack: 0.02,
      trackedFrames: 30,
    },
    gated,
  );
  const blinker = fuseLiveness(
    {
      nonPlanarMotion: 0.012,
      blinkDepth: 0.9,
      presentationAttack: 0.95,
      trackedFrames: 30,
    },
    gated,
  );
  assert.ok(live.score > 0.9);
  assert.ok(still.score < 0.1);
  assert.ok(replay.score < 0.1);
  assert.ok(blinker.score > 0.9);
  // The score names the evidence it is.
  assert.equal(replay.decidedBy, 'direct');
  assert.equal(still.decidedBy, 'motion');
});

test('an attack-model gate on the log-odds tells a replay from a low live score', () => {
  // On a probability scale a width small enough for 0.004 against 0.03 would be a cliff
  // everywhere else; in log-odds one width is the same ratio of odds at any score.
  const pa = { centre: 0.0113, width: 1, scale: 'logit' as const, trim: 0.1 };
  const direct = (presentationAttack: number) =>
    fuseLiveness(
      { nonPlanarMotion: 0.05, blinkDepth: 0, presentationAttack, trackedFrames: 30 },
      { ...cal, presentationAttack: pa },
    ).direct;
  assert.ok(Math.abs(direct(0.0113) - 0.5) < 1e-9);
  assert.ok(direct(0.004) < 0.3, 'a screen replay is rejected');
  assert.ok(direct(0.03) > 0.7, 'the lowest live scores pass');
  assert.ok(direct(0.5) > 0.98 && direct(1) > direct(0.5));
  assert.ok(direct(0) < 0.01, 'a score of 0 is finite, and the lowest');
});
