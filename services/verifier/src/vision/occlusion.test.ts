import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RgbImage } from '../media/types.js';
import { lowerFaceSkinShare } from './occlusion.js';

type Rgb = [number, number, number];

/** A 112×112 aligned face of one skin tone; from row `from` down, `paint(x, y)` colours it. */
function alignedFace(mask?: { from: number; paint: (x: number, y: number) => Rgb }): RgbImage {
  const data = new Uint8Array(112 * 112 * 3);
  for (let y = 0; y < 112; y++) {
    for (let x = 0; x < 112; x++) {
      const rgb = mask !== undefined && y >= mask.from ? mask.paint(x, y) : [200, 150, 120];
      data.set(rgb, (y * 112 + x) * 3);
    }
  }
  return { width: 112, height: 112, data };
}
const plain = (rgb: Rgb) => () => rgb;

test('one skin tone over the whole face is all skin, whatever its brightness', () => {
  assert.equal(lowerFaceSkinShare(alignedFace()), 1);
  // A shadow over the lower face darkens it but keeps its chromaticity.
  assert.equal(lowerFaceSkinShare(alignedFace({ from: 80, paint: plain([100, 75, 60]) })), 1);
});

test('a blue or white mask over nose and mouth shows no skin', () => {
  assert.equal(lowerFaceSkinShare(alignedFace({ from: 70, paint: plain([90, 140, 200]) })), 0);
  assert.equal(lowerFaceSkinShare(alignedFace({ from: 70, paint: plain([235, 235, 240]) })), 0);
});

test('a patterned mask whose mean colour is skin-like still shows no skin', () => {
  // Red and blue-green stripes average to a warm tone near the skin's chromaticity;
  // a mean-colour test passes them, the per-pixel share does not.
  const stripes = (x: number): Rgb => (x % 4 < 2 ? [230, 60, 40] : [60, 140, 110]);
  assert.ok(lowerFaceSkinShare(alignedFace({ from: 70, paint: stripes })) < 0.15);
});
