import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { encodeJpeg } from './encode-jpeg.js';
import { quadrants } from '../testing/make-images.js';

test('encodes packed RGB as a JPEG of the same size', async () => {
  const jpeg = await encodeJpeg(quadrants(40, 30), 80);
  assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  const meta = await sharp(jpeg).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['jpeg', 40, 30, 3]);
});

test('refuses inconsistent images and qualities', async () => {
  await assert.rejects(encodeJpeg({ width: 4, height: 4, data: new Uint8Array(10) }), RangeError);
  await assert.rejects(encodeJpeg({ width: 0, height: 4, data: new Uint8Array(0) }), RangeError);
  await assert.rejects(encodeJpeg(quadrants(4, 4), 0), RangeError);
  await assert.rejects(encodeJpeg(quadrants(4, 4), 101), RangeError);
});
