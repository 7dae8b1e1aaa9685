/**
 * The cues of the evaluation's research section on inputs whose answer is known by
 * construction: a face-sized patch inside a bezel (or not), skin-like texture with (or
 * without) a screen's periodic pattern, and a head that turns in depth (or a flat one).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import type { Point } from '../../../services/verifier/src/vision/geometry/types.js';
import { moirePeak } from './moire-peak.js';
import { RIGID_POINTS, rigidParallax } from './rigid-parallax.js';
import { borderSides } from './screen-border.js';

const W = 480,
  H = 480;
const face = { x1: 190, y1: 170, x2: 290, y2: 300 };

/** A picture from a grey-level function, with a little deterministic noise. */
function picture(grey: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(W * H * 3);
  let seed = 7;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const v = Math.max(0, Math.min(255, grey(x, y) + ((seed >> 16) % 7) - 3));
      data.set([v, v, v], (y * W + x) * 3);
    }
  }
  return { width: W, height: H, data };
}

/** A smooth scene: a lit face-sized blob on a gradient background. */
const scene = (x: number, y: number) => {
  const d = Math.hypot((x - 240) / 50, (y - 235) / 65);
  return 90 + 0.1 * x + (d < 1 ? 80 * (1 - d * d) : 0);
};

/** A dark bezel (screen edge) at x ≈ x0 + tan(tilt)·(y − 240). */
const bezel = (x0: number, tiltDeg: number) => (x: number, y: number) =>
  Math.abs(x - (x0 + Math.tan((tiltDeg * Math.PI) / 180) * (y - 240))) < 6;

describe('borderSides', () => {
  it('finds the two edges of a screen held around the face, upright or tilted', () => {
    for (const tilt of [0, 10]) {
      const left = bezel(95, tilt),
        right = bezel(385, tilt);
      const s = borderSides(
        picture((x, y) => (left(x, y) || right(x, y) ? 20 : scene(x, y))),
        face,
      );
      assert.ok(s.left > 0.9 && s.right > 0.9, `tilt ${tilt}: ${JSON.stringify(s)}`);
      assert.ok(s.bracket > 0.9);
    }
  });

  it('sees no bracket in a scene without straight edges, nor with a single edge', () => {
    assert.ok(borderSides(picture(scene), face).bracket < 0.2);
    const left = bezel(95, 0);
    const one = borderSides(
      picture((x, y) => (left(x, y) ? 20 : scene(x, y))),
      face,
    );
    assert.ok(one.left > 0.9, JSON.stringify(one));
    assert.ok(one.bracket < 0.2, JSON.stringify(one));
  });

  it('ignores edges that hug the face, as hair and shoulders do', () => {
    const hugging = (x: number) => Math.abs(x - 175) < 3 || Math.abs(x - 305) < 3;
    const s = borderSides(
      picture((x, y) => (hugging(x) ? 20 : scene(x, y))),
      face,
    );
    assert.ok(s.bracket < 0.2, JSON.stringify(s));
  });
});

describe('moirePeak', () => {
  it('stands out for a periodic pattern over the face and not for plain skin', () => {
    const plain = moirePeak(picture(scene), face)!;
    // An off-axis grating at 0.31 / 0.17 cycles per pixel: a screen grid aliased by the camera.
    const grating = moirePeak(
      picture((x, y) => scene(x, y) + 6 * Math.sin(2 * Math.PI * (0.31 * x + 0.17 * y))),
      face,
    )!;
    assert.ok(plain < 1.2, `plain ${plain}`);
    assert.ok(grating > plain + 1, `grating ${grating} vs plain ${plain}`);
  });

  it('has nothing to say about a face too small for its window', () => {
    assert.equal(moirePeak(picture(scene), { x1: 200, y1: 200, x2: 250, y2: 250 }), undefined);
  });
});

describe('rigidParallax', () => {
  // The rigid points of a face, in units of half the inter-ocular distance: the nose
  // bridge and base stand out of the plane of the eye corners by up to 0.9.
  const head: Record<number, readonly [number, number, number]> = {
    27: [0, -0.4, 0.3],
    28: [0, -0.1, 0.5],
    29: [0, 0.2, 0.7],
    30: [0, 0.5, 0.9],
    31: [-0.35, 0.7, 0.4],
    32: [-0.18, 0.75, 0.55],
    33: [0, 0.8, 0.65],
    34: [0.18, 0.75, 0.55],
    35: [0.35, 0.7, 0.4],
    36: [-1.4, -0.3, 0],
    39: [-0.4, -0.3, 0.1],
    42: [0.4, -0.3, 0.1],
    45: [1.4, -0.3, 0],
  };
  /** 68-point shapes of the head turning by up to ±maxYaw°, seen by a pinhole camera. */
  const clip = (depth: number, maxYaw: number, jitter: number): Point[][] => {
    let seed = 3;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return ((seed >> 8) / (1 << 23) - 0.5) * jitter;
    };
    return Array.from({ length: 24 }, (_, f) => {
      const yaw = ((maxYaw * Math.PI) / 180) * Math.sin((2 * Math.PI * f) / 24);
      const shape: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
      for (const i of RIGID_POINTS) {
        const [x, y, z] = head[i]!;
        const xr = x * Math.cos(yaw) + depth * z * Math.sin(yaw);
        const zr = -x * Math.sin(yaw) + depth * z * Math.cos(yaw);
        const w = 12 / (12 - zr);
        shape[i] = { x: 320 + 50 * xr * w + noise(), y: 240 + 50 * y * w + noise() };
      }
      return shape;
    });
  };
  const iods = (shapes: Point[][]) =>
    shapes.map((s) => Math.hypot(s[45]!.x - s[36]!.x, s[45]!.y - s[36]!.y));

  it('sees the nose move out of the plane of the eyes when a head turns, as one rigid depth map', () => {
    const turning = clip(1, 15, 0.3);
    const r = rigidParallax(turning, iods(turning), 3)!;
    assert.ok(r.magnitude > 0.01, JSON.stringify(r));
    assert.ok(r.rankOneShare > 0.8, JSON.stringify(r));
  });

  it('leaves only jitter for a flat face, however it turns', () => {
    const flat = clip(0, 15, 0.3);
    const r = rigidParallax(flat, iods(flat), 3)!;
    assert.ok(r.magnitude < 0.003, JSON.stringify(r));
  });

  it('needs a smoothing window of frames', () => {
    assert.equal(rigidParallax(clip(1, 15, 0).slice(0, 2), [100, 100], 3), undefined);
  });
});
