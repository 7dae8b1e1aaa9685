import type { Point } from './types.js';

/** A 3×3 projective transform, row-major, h[8] = 1. */
export type Homography = readonly number[];

/**
 * Least-squares homography src → dst (normalised DLT with h33 = 1, Hartley's
 * conditioning so the normal equations stay well-posed). Needs ≥ 4 points.
 */
export function fitHomography(src: readonly Point[], dst: readonly Point[]): Homography {
  if (src.length !== dst.length || src.length < 4)
    throw new Error('fitHomography needs ≥ 4 point pairs');
  const ns = normaliser(src);
  const nd = normaliser(dst);
  const ata = Array.from({ length: 8 }, () => new Float64Array(8));
  const atb = new Float64Array(8);
  const addRow = (row: number[], rhs: number) => {
    for (let i = 0; i < 8; i++) {
      atb[i]! += row[i]! * rhs;
      for (let j = 0; j < 8; j++) ata[i]![j]! += row[i]! * row[j]!;
    }
  };
  for (let k = 0; k < src.length; k++) {
    const x = (src[k]!.x - ns.cx) * ns.s,
      y = (src[k]!.y - ns.cy) * ns.s;
    const u = (dst[k]!.x - nd.cx) * nd.s,
      v = (dst[k]!.y - nd.cy) * nd.s;
    addRow([x, y, 1, 0, 0, 0, -u * x, -u * y], u);
    addRow([0, 0, 0, x, y, 1, -v * x, -v * y], v);
  }
  const h = solve(ata, atb);
  // Undo the conditioning: H = Td⁻¹ · Hn · Ts.
  const hn = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
  const ts = [ns.s, 0, -ns.s * ns.cx, 0, ns.s, -ns.s * ns.cy, 0, 0, 1];
  const tdInv = [1 / nd.s, 0, nd.cx, 0, 1 / nd.s, nd.cy, 0, 0, 1];
  const m = mul3(tdInv, mul3(hn, ts));
  const k = m[8]!;
  return m.map((v) => v / k);
}

/** Maps a point through a homography. */
export function project(h: Homography, p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

function normaliser(pts: readonly Point[]): { cx: number; cy: number; s: number } {
  let cx = 0,
    cy = 0;
  for (const p of pts) {
    cx += p.x;
    cy += p.y;
  }
  cx /= pts.length;
  cy /= pts.length;
  let d = 0;
  for (const p of pts) d += Math.hypot(p.x - cx, p.y - cy);
  d /= pts.length;
  return { cx, cy, s: d > 0 ? Math.SQRT2 / d : 1 };
}

function mul3(a: readonly number[], b: readonly number[]): number[] {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 3; k++) r[i * 3 + j]! += a[i * 3 + k]! * b[k * 3 + j]!;
  return r;
}

/** Gaussian elimination with partial pivoting; a (near-)singular system yields zeros. */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => Float64Array.from([...row, b[i]!]));
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    if (Math.abs(m[piv]![col]!) < 1e-12) return new Float64Array(n);
    [m[col], m[piv]] = [m[piv]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return Float64Array.from({ length: n }, (_, i) => m[i]![n]! / m[i]![i]!);
}
