/** The on-device checks on known pixels: the stats, the per-frame hint, the gate before upload. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  emptyTally,
  gateClip,
  GUIDE_OVAL,
  isSkin,
  judgeFrame,
  measureOval,
  SilentIdError,
  type FrameStats,
  type Pixels,
} from '../index.js';

/** A frame of one colour, with `inner` painted inside a centred box of `share` of its sides. */
function frame(
  width: number,
  height: number,
  outer: [number, number, number],
  inner?: { rgb: [number, number, number]; share: number },
): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside =
        inner !== undefined &&
        Math.abs(x + 0.5 - width / 2) < (inner.share * width) / 2 &&
        Math.abs(y + 0.5 - height / 2) < (inner.share * height) / 2;
      const [r, g, b] = inside ? inner.rgb : outer;
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return { data, width, height };
}

const SKIN: [number, number, number] = [205, 150, 125];
const DARK_SKIN: [number, number, number] = [120, 80, 60];
const WALL: [number, number, number] = [90, 110, 140];
const evidence = (stats: FrameStats) => ({ width: 160, height: 120, stats, faces: undefined });

test('skin tones light and dark are skin; a blue-grey wall and black are not', () => {
  assert.ok(isSkin(...SKIN));
  assert.ok(isSkin(...DARK_SKIN));
  assert.ok(!isSkin(...WALL));
  assert.ok(!isSkin(0, 0, 0));
});

test('the oval stats: luma mean and spread, and the skin share', () => {
  const flat = measureOval(frame(160, 120, WALL));
  assert.ok(Math.abs(flat.meanLuma - (0.299 * 90 + 0.587 * 110 + 0.114 * 140)) < 1e-6);
  assert.ok(flat.lumaSpread < 1e-3);
  assert.equal(flat.skinFraction, 0);
  const face = measureOval(frame(160, 120, WALL, { rgb: SKIN, share: 0.5 }));
  assert.ok(face.skinFraction > 0.5, String(face.skinFraction));
  assert.ok(face.lumaSpread > 10);
});

test('a frame is judged dark, bright, empty, far or ok', () => {
  assert.equal(
    judgeFrame(evidence(measureOval(frame(160, 120, [20, 20, 20]))), GUIDE_OVAL),
    'too-dark',
  );
  assert.equal(
    judgeFrame(evidence(measureOval(frame(160, 120, [250, 250, 250]))), GUIDE_OVAL),
    'too-bright',
  );
  assert.equal(judgeFrame(evidence(measureOval(frame(160, 120, WALL))), GUIDE_OVAL), 'no-face');
  const small = measureOval(frame(160, 120, WALL, { rgb: SKIN, share: 0.2 }));
  assert.equal(judgeFrame(evidence(small), GUIDE_OVAL), 'too-far');
  const near = measureOval(frame(160, 120, [200, 210, 230], { rgb: DARK_SKIN, share: 0.5 }));
  assert.equal(judgeFrame(evidence(near), GUIDE_OVAL), 'ok');
});

test('with a detector, its faces decide: none, small, off-centre, centred', () => {
  const stats = measureOval(frame(160, 120, WALL));
  const judge = (faces: { x: number; y: number; width: number; height: number }[]) =>
    judgeFrame({ width: 160, height: 120, stats, faces }, GUIDE_OVAL);
  assert.equal(judge([]), 'no-face');
  assert.equal(judge([{ x: 70, y: 50, width: 20, height: 20 }]), 'too-far');
  assert.equal(judge([{ x: 0, y: 0, width: 40, height: 50 }]), 'off-centre');
  assert.equal(judge([{ x: 60, y: 35, width: 40, height: 50 }]), 'ok');
});

test('the gate: too short and too long before anything else, then light, then the face', () => {
  const good = { ...emptyTally(), ok: 10 };
  const reason = (seconds: number, tally = good) => {
    try {
      gateClip({ seconds, tally }, { minSeconds: 2, maxSeconds: 60 });
      return 'passed';
    } catch (e) {
      assert.ok(e instanceof SilentIdError);
      return `${e.reason}: ${e.message}`;
    }
  };
  assert.match(reason(1.2), /^too-short: The recording is 1\.2 s long; at least 2 s/);
  assert.match(reason(61), /^too-long/);
  assert.equal(reason(3), 'passed');
  assert.equal(reason(3, emptyTally()), 'passed', 'no sample: the service decides');
  assert.match(reason(3, { ...emptyTally(), ok: 2, 'too-dark': 8 }), /^bad-light: .*too dark/);
  assert.match(reason(3, { ...emptyTally(), ok: 2, 'too-far': 8 }), /^no-face: .*too small/);
  assert.match(reason(3, { ...emptyTally(), ok: 2, 'no-face': 8 }), /^no-face: No face was seen/);
});
