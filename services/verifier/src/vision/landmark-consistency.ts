import type { RgbImage } from '../media/types.js';
import type { LandmarkedFace } from './face.js';
import { interOcular } from './face.js';
import type { Landmarker } from './landmarker.js';

/** Index of each of the 68 iBUG points in a horizontally mirrored face. */
export const MIRROR_68: readonly number[] = (() => {
  const m = Array.from({ length: 68 }, (_, i) => i);
  const pairs: [number, number][] = [
    ...Array.from({ length: 8 }, (_, i) => [i, 16 - i] as [number, number]),
    ...Array.from({ length: 5 }, (_, i) => [17 + i, 26 - i] as [number, number]),
    [31, 35],
    [32, 34],
    [36, 45],
    [37, 44],
    [38, 43],
    [39, 42],
    [40, 47],
    [41, 46],
    [48, 54],
    [49, 53],
    [50, 52],
    [55, 59],
    [56, 58],
    [60, 64],
    [61, 63],
    [65, 67],
  ];
  for (const [a, b] of pairs) {
    m[a] = b;
    m[b] = a;
  }
  return m;
})();

/**
 * How much the landmark model disagrees with itself when shown the same face mirrored,
 * in inter-ocular distances. An upright face mirrored is still an upright face, and the
 * model finds the same points; a face lying on its side or upside down is outside what
 * the model learned, and its two answers differ. The detector alone cannot tell: it
 * scores some upside-down faces at 1.000.
 */
export async function mirrorDisagreement(
  landmarker: Landmarker,
  image: RgbImage,
  face: LandmarkedFace,
): Promise<number> {
  const { box } = face;
  const x1 = Math.max(0, Math.floor(box.x1));
  const x2 = Math.min(image.width, Math.ceil(box.x2));
  const y1 = Math.max(0, Math.floor(box.y1));
  const y2 = Math.min(image.height, Math.ceil(box.y2));
  const w = x2 - x1;
  const h = y2 - y1;
  if (w < 2 || h < 2) return Infinity;
  // Only the box region is mirrored: the landmark model never looks outside it.
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = ((y1 + y) * image.width + (x2 - 1 - x)) * 3;
      data.set(image.data.subarray(s, s + 3), (y * w + x) * 3);
    }
  }
  const mirrored = await landmarker.landmarks(
    { width: w, height: h, data },
    { box: { x1: 0, y1: 0, x2: w, y2: h }, score: face.score },
  );
  let sum = 0;
  for (let i = 0; i < 68; i++) {
    // Point i of the face is point MIRROR_68[i] of its mirror image, mapped back.
    const p = mirrored.landmarks[MIRROR_68[i]!]!;
    const q = face.landmarks[i]!;
    sum += Math.hypot(x2 - 1 - p.x - q.x, y1 + p.y - q.y);
  }
  return sum / 68 / Math.max(interOcular(face.landmarks), 1e-6);
}
