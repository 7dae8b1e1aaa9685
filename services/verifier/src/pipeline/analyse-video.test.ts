import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config/config.js';
import { ApiError } from '../errors/api-error.js';
import { loadBundleManifest } from '../models/bundle-manifest.js';
import { analyseVideo, captureHints, onlyStillnessFails, withLaterBlink } from './analyse-video.js';
import type { FrameObservation } from './track-face.js';

const cal = (await loadBundleManifest(loadConfig({}).modelBundleDir)).manifest.calibration.liveness;

/** A tracked frame whose eyes are `iod` pixels apart (the only fact the gates read). */
const frame = (iod: number): FrameObservation => ({
  frame: { image: { width: 1, height: 1, data: new Uint8Array(3) }, timestamp: 0 },
  face: {
    box: { x1: 0, y1: 0, x2: 4 * iod, y2: 4 * iod },
    score: 1,
    landmarks: Array.from({ length: 68 }, (_, i) => ({ x: (i % 9) * iod, y: (i / 9) * iod })),
  },
  eyes: { left: 1, right: 1 },
  realScore: 0.9,
  sharpness: 1,
  brightness: 120,
  saturation: 0.4,
  frontalness: 1,
  iod,
  cutByFrame: false,
});

const refusal = (tracked: FrameObservation[], sampled: number): ApiError => {
  try {
    analyseVideo(tracked, sampled, cal);
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return err;
  }
  assert.fail('the clip was judged');
};

test('a clip that cannot be judged is refused with 4007 and says why', () => {
  const small = cal.usableFace.minInterOcularPx / 2;
  const tooSmall = refusal(
    Array.from({ length: 20 }, () => frame(small)),
    32,
  );
  assert.equal(tooSmall.code, 4007);
  assert.match(
    tooSmall.message,
    new RegExp(`too small.* ${Math.round(small)} px between the eyes`),
  );
  assert.match(tooSmall.message, /closer/);

  const none = refusal([], 32);
  assert.equal(none.code, 4007);
  assert.match(none.message, /no face in the video: none was found in 32 sampled frames/);

  const brief = refusal([frame(40), frame(40)], 32);
  assert.match(brief.message, /tracked in 2 of 32 sampled frames, at least 4 needed/);
});

test('a face without colour is refused when the bundle gates on it', () => {
  const grey = Array.from({ length: 20 }, () => ({ ...frame(40), saturation: 0.01 }));
  const gated = { ...cal, usableFace: { ...cal.usableFace, minFaceSaturation: 0.1 } };
  let refused: unknown;
  try {
    analyseVideo(grey, 32, gated);
  } catch (err) {
    refused = err;
  }
  assert.ok(refused instanceof ApiError && refused.code === 4007);
  assert.match(
    refused.message,
    /too little colour.*saturation 0\.01, at least 0\.1 needed.*colour camera/,
  );
  // Ungated (a bundle whose attack model reads grey faces), the same clip is judged.
  const ungated = { ...cal, usableFace: { ...cal.usableFace, minFaceSaturation: 0 } };
  assert.equal(analyseVideo(grey, 32, ungated).cues.trackedFrames, 20);
});

test('a clip with enough usable frames is judged', () => {
  const analysis = analyseVideo(
    Array.from({ length: 8 }, () => frame(40)),
    8,
    cal,
  );
  assert.equal(analysis.cues.trackedFrames, 8);
  assert.ok(analysis.evidence.score < cal.threshold, 'a frozen face is not live');
});

test('a failed clip gets the hints of what was measured, and only those', () => {
  const analysis = (
    motion: number,
    blink: number,
    direct: number,
    faceBrightness: number,
    faceCutByFrame = 0,
  ) => ({
    evidence: {
      score: Math.min(Math.max(motion, blink), direct),
      motion,
      blink,
      direct,
      decidedBy: 'motion' as const,
    },
    conditions: { faceBrightness, faceSizePx: 60, faceCutByFrame },
  });
  const dark = cal.capture.minFaceBrightness - 1;
  assert.deepEqual(captureHints(analysis(0.1, 0.01, 0.9, 120), cal, cal.threshold), ['too_still']);
  assert.deepEqual(captureHints(analysis(0.9, 0.01, 0.1, 120), cal, cal.threshold), ['not_direct']);
  assert.deepEqual(captureHints(analysis(0.9, 0.01, 0.1, dark), cal, cal.threshold), [
    'low_light',
    'not_direct',
  ]);
  // A blink answers "a moving face?" as well as motion does.
  assert.deepEqual(captureHints(analysis(0.1, 0.9, 0.9, 120), cal, cal.threshold), []);
  // A face at the frame's edge in most frames: keep all of it in the picture.
  assert.deepEqual(captureHints(analysis(0.1, 0.01, 0.9, 120, 0.6), cal, cal.threshold), [
    'too_still',
    'face_cut_off',
  ]);
  assert.deepEqual(captureHints(analysis(0.1, 0.01, 0.9, 120, 0.3), cal, cal.threshold), [
    'too_still',
  ]);
});

test('a blink in a later window passes a still first window; motion and attack stay its own', () => {
  const first = Array.from({ length: 20 }, () => frame(40));
  const open = frame(40);
  // Lids on the eye's lower points: eye aspect ratio 0, and the eye model reads closed.
  const lm = open.face.landmarks.map((p, i) =>
    [37, 38, 43, 44].includes(i) ? open.face.landmarks[{ 37: 41, 38: 40, 43: 47, 44: 46 }[i]!]! : p,
  );
  const closed = { ...open, face: { ...open.face, landmarks: lm }, eyes: { left: 0, right: 0 } };
  const later = [frame(40), frame(40), closed, frame(40), frame(40)];

  const still = analyseVideo(first, 32, cal);
  assert.ok(onlyStillnessFails(still.evidence, cal.threshold), JSON.stringify(still.evidence));
  const blinked = withLaterBlink(still, first, later, cal);
  assert.ok(blinked.evidence.blink >= cal.threshold, JSON.stringify(blinked.cues));
  assert.ok(blinked.evidence.score >= cal.threshold);
  assert.equal(blinked.cues.nonPlanarMotion, still.cues.nonPlanarMotion);
  assert.equal(blinked.cues.presentationAttack, still.cues.presentationAttack);
  assert.equal(blinked.cues.trackedFrames, still.cues.trackedFrames);
  assert.ok(!onlyStillnessFails(blinked.evidence, cal.threshold));

  // Later frames without a blink change nothing.
  const none = withLaterBlink(still, first, [frame(40), frame(40)], cal);
  assert.deepEqual(none.cues, still.cues);
  // A face not seen directly: no blink could pass it, so none is looked for.
  const attack = analyseVideo(
    first.map((o) => ({ ...o, realScore: 1e-4 })),
    32,
    cal,
  );
  assert.ok(!onlyStillnessFails(attack.evidence, cal.threshold));
});
