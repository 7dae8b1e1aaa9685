import type { RgbImage } from '../../media/types.js';

/** Quarter turns clockwise. */
export type QuarterTurns = 0 | 1 | 2 | 3;

/** Rotates an image clockwise by 90° × turns, exactly (no resampling). */
export function rotateQuarter(src: RgbImage, turns: QuarterTurns): RgbImage {
  if (turns === 0) return src;
  const { width: w, height: h, data } = src;
  const ow = turns === 2 ? w : h;
  const oh = turns === 2 ? h : w;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let nx: number, ny: number;
      if (turns === 1) {
        nx = h - 1 - y;
        ny = x;
      } else if (turns === 2) {
        nx = w - 1 - x;
        ny = h - 1 - y;
      } else {
        nx = y;
        ny = w - 1 - x;
      }
      const i = (y * w + x) * 3;
      const o = (ny * ow + nx) * 3;
      out[o] = data[i]!;
      out[o + 1] = data[i + 1]!;
      out[o + 2] = data[i + 2]!;
    }
  }
  return { width: ow, height: oh, data: out };
}
