/**
 * Real face photos for unit tests that need only "a real face": the demo photos shipped
 * inside the npm package @vladmandic/face-api (whose weights the built-in bundle uses),
 * so these tests run on a fresh clone without the corpus.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../media/types.js';

const require = createRequire(import.meta.url);
const demoDir = path.join(
  path.dirname(require.resolve('@vladmandic/face-api/package.json')),
  'demo',
);

/** sample1.jpg … sample6.jpg of the face-api demo. */
export const samplePhoto = (n: 1 | 2 | 3 | 4 | 5 | 6): string =>
  path.join(demoDir, `sample${n}.jpg`);

/** Decodes a file to packed RGB (EXIF applied), as the service's photo path does. */
export async function loadRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file)
    .rotate()
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}
