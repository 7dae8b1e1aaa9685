import type { Affine, Point } from './types.js';

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) mapping
 * `src` onto `dst` — Umeyama's method without reflection, the closed form for 2-D.
 * This is what insightface's `estimate_norm` uses to align 5 points to the ArcFace
 * template; a full affine would shear faces and hurt the embedding.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Affine {
  if (src.length !== dst.length || src.length < 2) {
    throw new Error('estimateSimilarity needs two equal lists of at least 2 points');
  }
  const n = src.length;
  let sx = 0,
    sy = 0,
    dx = 0,
    dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]!.x;
    sy += src[i]!.y;
    dx += dst[i]!.x;
    dy += dst[i]!.y;
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  // With complex numbers z = x + iy the best similarity is dst ≈ k·src + t where
  // k = Σ conj(s)·d / Σ |s|², s and d centred.
  let num_re = 0,
    num_im = 0,
    den = 0;
  for (let i = 0; i < n; i++) {
    const ax = src[i]!.x - sx,
      ay = src[i]!.y - sy;
    const bx = dst[i]!.x - dx,
      by = dst[i]!.y - dy;
    num_re += ax * bx + ay * by;
    num_im += ax * by - ay * bx;
    den += ax * ax + ay * ay;
  }
  if (den === 0) throw new Error('estimateSimilarity: source points coincide');
  const a = num_re / den;
  const b = num_im / den;
  // [x'] = [a -b][x] + t
  // [y']   [b  a][y]
  return { a, b: -b, c: dx - (a * sx - b * sy), d: b, e: a, f: dy - (b * sx + a * sy) };
}

/** Applies an affine matrix to a point. */
export function applyAffine(m: Affine, p: Point): Point {
  return { x: m.a * p.x + m.b * p.y + m.c, y: m.d * p.x + m.e * p.y + m.f };
}

/** Inverts an affine matrix; throws on a singular one. */
export function invertAffine(m: Affine): Affine {
  const det = m.a * m.e - m.b * m.d;
  if (Math.abs(det) < 1e-12) throw new Error('invertAffine: singular matrix');
  const a = m.e / det,
    b = -m.b / det,
    d = -m.d / det,
    e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
}
