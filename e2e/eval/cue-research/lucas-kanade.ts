/**
 * Pyramidal Lucas–Kanade point tracking on luma, for the cue experiments that follow pixels
 * rather than landmarks (flow-motion-experiment.ts, background-warp.ts,
 * photometric-consistency.ts).
 */
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import { percentile } from '../../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import type { Box, Point } from '../../../services/verifier/src/vision/geometry/types.js';
import { lumaPlane } from './source-frames.js';

/** A single-channel float image. */
export interface Plane {
  readonly w: number;
  readonly h: number;
  readonly d: Float32Array;
}

/** Half size, after the 5-tap binomial blur (separable, edges clamped). */
function down(p: Plane): Plane {
  const { w, h, d } = p;
  const k = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = -2; j <= 2; j++)
        s += k[j + 2]! * d[y * w + Math.min(w - 1, Math.max(0, x + j))]!;
      tmp[y * w + x] = s;
    }
  const w2 = Math.max(1, w >> 1),
    h2 = Math.max(1, h >> 1);
  const out = new Float32Array(w2 * h2);
  for (let y = 0; y < h2; y++)
    for (let x = 0; x < w2; x++) {
      let s = 0;
      for (let j = -2; j <= 2; j++)
        s += k[j + 2]! * tmp[Math.min(h - 1, Math.max(0, 2 * y + j)) * w + 2 * x]!;
      out[y * w2 + x] = s;
    }
  return { w: w2, h: h2, d: out };
}

/** The picture's luma and `levels − 1` halvings of it. */
export function lumaPyramid(img: RgbImage, levels: number): Plane[] {
  const out: Plane[] = [{ w: img.width, h: img.height, d: lumaPlane(img) }];
  while (out.length < levels) out.push(down(out[out.length - 1]!));
  return out;
}

/** Bilinear sample, the position clamped inside the plane. */
export function sample(p: Plane, x: number, y: number): number {
  const cx = Math.min(p.w - 1.001, Math.max(0, x)),
    cy = Math.min(p.h - 1.001, Math.max(0, y));
  const x0 = Math.floor(cx),
    y0 = Math.floor(cy);
  const fx = cx - x0,
    fy = cy - y0;
  const i = y0 * p.w + x0;
  return (
    (1 - fy) * ((1 - fx) * p.d[i]! + fx * p.d[i + 1]!) +
    fy * ((1 - fx) * p.d[i + p.w]! + fx * p.d[i + p.w + 1]!)
  );
}

export interface TrackOptions {
  /** The window is 2 × halfWindow + 1 pixels square at every level. */
  readonly halfWindow: number;
  readonly maxIterations: number;
}

/**
 * Tracks `pt` (level-0 coordinates) of pyramid `a` into pyramid `b`, starting from
 * displacement `guess`. Returns the point in `b` and the smallest eigenvalue (per pixel)
 * of the level-0 structure tensor, or undefined when the system is singular or the point
 * leaves the frame.
 */
export function track(
  a: readonly Plane[],
  b: readonly Plane[],
  pt: Point,
  guess: Point,
  { halfWindow, maxIterations }: TrackOptions,
): { p: Point; minEig: number } | undefined {
  const levels = a.length;
  const win = 2 * halfWindow + 1;
  const tpl = new Float32Array(win * win);
  const gx = new Float32Array(win * win);
  const gy = new Float32Array(win * win);
  let dx = guess.x / 2 ** (levels - 1),
    dy = guess.y / 2 ** (levels - 1);
  let minEig = 0;
  for (let L = levels - 1; L >= 0; L--) {
    const A = a[L]!,
      B = b[L]!;
    const s = 2 ** L;
    const px = pt.x / s,
      py = pt.y / s;
    let gxx = 0,
      gxy = 0,
      gyy = 0;
    for (let j = 0; j < win; j++)
      for (let i = 0; i < win; i++) {
        const x = px + i - halfWindow,
          y = py + j - halfWindow;
        const k = j * win + i;
        tpl[k] = sample(A, x, y);
        const ix = (sample(A, x + 1, y) - sample(A, x - 1, y)) / 2;
        const iy = (sample(A, x, y + 1) - sample(A, x, y - 1)) / 2;
        gx[k] = ix;
        gy[k] = iy;
        gxx += ix * ix;
        gxy += ix * iy;
        gyy += iy * iy;
      }
    const det = gxx * gyy - gxy * gxy;
    if (det < 1e-6) return undefined;
    if (L === 0) {
      const tr = (gxx + gyy) / 2;
      minEig = (tr - Math.sqrt(Math.max(0, tr * tr - det))) / (win * win);
    }
    for (let it = 0; it < maxIterations; it++) {
      let bx = 0,
        by = 0;
      for (let j = 0; j < win; j++)
        for (let i = 0; i < win; i++) {
          const k = j * win + i;
          const e = tpl[k]! - sample(B, px + dx + i - halfWindow, py + dy + j - halfWindow);
          bx += e * gx[k]!;
          by += e * gy[k]!;
        }
      const ux = (gyy * bx - gxy * by) / det,
        uy = (gxx * by - gxy * bx) / det;
      dx += ux;
      dy += uy;
      if (ux * ux + uy * uy < 1e-4) break;
    }
    if (L > 0) {
      dx *= 2;
      dy *= 2;
    }
  }
  const p = { x: pt.x + dx, y: pt.y + dy };
  const P = a[0]!;
  if (!(p.x >= 0 && p.y >= 0 && p.x <= P.w - 1 && p.y <= P.h - 1)) return undefined;
  return { p, minEig };
}

export interface GridOptions extends TrackOptions {
  /** Points per side of the lattice. */
  readonly grid: number;
  /** Forward–backward error (px) above which a track is dropped. */
  readonly fbMax: number;
}

/**
 * A face's flow between two frames: a grid × grid lattice over the middle 80% of `boxA`,
 * each point tracked from `a` into `b` (started at the boxes' shift) and back; kept where
 * it returns within `fbMax` px and its window's texture (the smallest eigenvalue) is at
 * least 5% of the pair's 90th percentile.
 */
export function faceGridTracks(
  a: readonly Plane[],
  b: readonly Plane[],
  boxA: Box,
  boxB: Box,
  { grid, fbMax, ...lk }: GridOptions,
): { from: Point; to: Point }[] {
  const c = { x: (boxA.x1 + boxA.x2) / 2, y: (boxA.y1 + boxA.y2) / 2 };
  const hw = ((boxA.x2 - boxA.x1) * 0.8) / 2,
    hh = ((boxA.y2 - boxA.y1) * 0.8) / 2;
  const guess = { x: (boxB.x1 + boxB.x2) / 2 - c.x, y: (boxB.y1 + boxB.y2) / 2 - c.y };
  const tracks: { from: Point; to: Point; minEig: number }[] = [];
  for (let j = 0; j < grid; j++)
    for (let i = 0; i < grid; i++) {
      const from = {
        x: c.x - hw + (2 * hw * (i + 0.5)) / grid,
        y: c.y - hh + (2 * hh * (j + 0.5)) / grid,
      };
      const fwd = track(a, b, from, guess, lk);
      if (fwd === undefined) continue;
      const back = track(b, a, fwd.p, { x: from.x - fwd.p.x, y: from.y - fwd.p.y }, lk);
      if (back === undefined || Math.hypot(back.p.x - from.x, back.p.y - from.y) > fbMax) continue;
      tracks.push({ from, to: fwd.p, minEig: fwd.minEig });
    }
  if (tracks.length === 0) return [];
  const floor =
    0.05 *
    percentile(
      tracks.map((t) => t.minEig),
      0.9,
    );
  return tracks.filter((t) => t.minEig >= floor).map(({ from, to }) => ({ from, to }));
}
