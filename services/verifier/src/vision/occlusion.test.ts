import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RgbImage } from '../media/types.js';
import { chromaMismatch } from './occlusion.js';

/** A 112×112 aligned face of one skin tone, with the rows from `maskFrom` down in another colour. */
function alignedFace(mask?: { from: number; rgb: [number, number, number] }): RgbImage {
  const data = new Uint8Array(112 * 112 * 3);
  for (let y = 0; y < 112; y++) {
    for (let x = 0; x < 112; x++) {
      const rgb = mask !== undefined && y >= mask.from ? mask.rgb : [200, 150, 120];
      data.set(rgb, (y * 112 + x) * 3);
    }
  }
  return { width: 112, height: 112, data };
}

test('one skin tone over the whole face has no chroma mismatch, whatever its brightness', () => {
  assert.ok(chromaMismatch(alignedFace()) < 1e-9);
  // A shadow over the lower face darkens it but keeps its chromaticity.
  assert.ok(chromaMismatch(alignedFace({ from: 80, rgb: [100, 75, 60] })) < 0.01);
});

test('a blue or white mask over nose and mouth reads as a mismatch', () => {
  assert.ok(chromaMismatch(alignedFace({ from: 70, rgb: [90, 140, 200] })) > 0.2);
  assert.ok(chromaMismatch(alignedFace({ from: 70, rgb: [235, 235, 240] })) > 0.05);
});
