import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { ImageLimits } from '../../config/config.js';
import { ApiError } from '../../errors/api-error.js';
import type { RgbImage } from '../types.js';
import { decodePhoto } from './decode-photo.js';
import { corpusFile } from '../testing/corpus.js';
import { encodeBmp, pngHeaderOnly, quadrants, withJpegSize } from '../testing/make-images.js';

const limits: ImageLimits = {
  maxBytes: 8 * 1024 * 1024,
  minSide: 64,
  maxSide: 8192,
  maxPixels: 50_000_000,
};

const rawSharp = (image: RgbImage) =>
  sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });

const pixel = (image: RgbImage, x: number, y: number) => {
  const i = (y * image.width + x) * 3;
  return [...image.data.subarray(i, i + 3)];
};

/** Lossy formats shift colours a little; compare with a tolerance. */
function assertNear(actual: number[], expected: number[], message: string) {
  const far = actual.some((v, i) => Math.abs(v - expected[i]!) > 24);
  assert.ok(!far, `${message}: got ${actual}, expected about ${expected}`);
}

const rejects = (promise: Promise<unknown>, code: number, message?: string) =>
  assert.rejects(promise, (err: unknown) => err instanceof ApiError && err.code === code, message);

test('decodes every supported format to packed upright RGB', async () => {
  const source = quadrants(96, 80);
  const inputs: [string, Uint8Array][] = [
    ['jpeg', await rawSharp(source).jpeg({ quality: 95 }).toBuffer()],
    ['png', await rawSharp(source).png().toBuffer()],
    ['gif', await rawSharp(source).gif().toBuffer()],
    ['tiff', await rawSharp(source).tiff().toBuffer()],
    ['webp', await rawSharp(source).webp({ quality: 95 }).toBuffer()],
    ['bmp', encodeBmp(source, 24)],
  ];
  for (const [format, bytes] of inputs) {
    const photo = await decodePhoto(bytes, limits);
    assert.equal(photo.format, format);
    assert.equal(photo.orientation, 1);
    assert.deepEqual([photo.image.width, photo.image.height], [96, 80], format);
    assert.equal(photo.image.data.length, 96 * 80 * 3);
    assertNear(pixel(photo.image, 10, 10), [255, 0, 0], `${format} top-left`);
    assertNear(pixel(photo.image, 85, 70), [255, 255, 0], `${format} bottom-right`);
  }
});

test('applies EXIF orientation 6 and reports the displayed, swapped size', async () => {
  const stored = await rawSharp(quadrants(200, 64))
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const photo = await decodePhoto(stored, limits);
  assert.equal(photo.orientation, 6);
  assert.deepEqual([photo.image.width, photo.image.height], [64, 200]);
  // Turned 90° clockwise: the stored bottom-left (blue) is now the top-left.
  assertNear(pixel(photo.image, 5, 5), [0, 0, 255], 'top-left');
  assertNear(pixel(photo.image, 60, 5), [255, 0, 0], 'top-right');
  // The limit applies to the displayed size too: a 63-px side refused either way.
  const narrow = await rawSharp(quadrants(200, 63))
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  await rejects(decodePhoto(narrow, limits), 2003);
  await rejects(
    decodePhoto(stored, { ...limits, maxSide: 199 }),
    2003,
    'long side is 200 after turning',
  );
});

test('flattens RGBA on white (the transparent-PNG trap) and reads 16-bit and grey images as RGB', async () => {
  const rgba = await sharp({
    create: { width: 64, height: 64, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
  })
    .png()
    .toBuffer();
  const clear = await decodePhoto(rgba, limits);
  assert.deepEqual(pixel(clear.image, 0, 0), [255, 255, 255]);
  const deep = await sharp({
    create: { width: 64, height: 64, channels: 3, background: '#204080' },
  })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
  assertNear(pixel((await decodePhoto(deep, limits)).image, 3, 3), [0x20, 0x40, 0x80], '16-bit');
  const grey = await sharp({
    create: { width: 64, height: 64, channels: 3, background: '#808080' },
  })
    .greyscale()
    .jpeg()
    .toBuffer();
  const greyPhoto = await decodePhoto(grey, limits);
  assert.equal(greyPhoto.image.data.length, 64 * 64 * 3);
});

test('takes only the first frame of an animated GIF', async () => {
  const frames = new Uint8Array(64 * 128 * 3);
  frames.fill(255, 0, 64 * 64 * 3); // frame 1 white, frame 2 black
  const gif = await sharp(frames, { raw: { width: 64, height: 128, channels: 3, pageHeight: 64 } })
    .gif()
    .toBuffer();
  const photo = await decodePhoto(gif, limits);
  assert.deepEqual([photo.image.width, photo.image.height], [64, 64]);
  assert.deepEqual(pixel(photo.image, 32, 32), [255, 255, 255]);
});

test('refuses a tiny file declaring 30000×30000 from its header alone (2003)', async () => {
  // Neither file has pixel data: a decode attempt would fail with 2005, so 2003 proves
  // the refusal came from the header, before any pixel buffer was allocated.
  await rejects(decodePhoto(pngHeaderOnly(30000, 30000), limits), 2003, 'PNG IHDR');
  const small = await rawSharp(quadrants(64, 64)).jpeg().toBuffer();
  await rejects(decodePhoto(withJpegSize(small, 30000, 30000), limits), 2003, 'JPEG SOF');
  const bmp = encodeBmp(quadrants(2, 2), 24).slice();
  new DataView(bmp.buffer).setInt32(18, 30000, true);
  new DataView(bmp.buffer).setInt32(22, 30000, true);
  await rejects(decodePhoto(bmp, limits), 2003, 'BMP');
  // Within the side limits but over the pixel budget.
  await rejects(decodePhoto(pngHeaderOnly(8000, 8000), limits), 2003, '64 MP');
});

test('checks bytes before type, and type before size', async () => {
  const big = new Uint8Array(2000);
  await rejects(decodePhoto(big, { ...limits, maxBytes: 1999 }), 2004);
  await rejects(decodePhoto(big, limits), 2005);
  await rejects(decodePhoto(pngHeaderOnly(63, 100), limits), 2003);
});

test('answers 2005, never a crash, for garbage, truncation, corruption and disguise', async () => {
  const photo = await sharp({
    create: {
      width: 200,
      height: 200,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg()
    .toBuffer();
  const png = await sharp(photo).png().toBuffer();
  const webp = await sharp(photo).webp().toBuffer();
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"/>');
  const cases: [string, Uint8Array][] = [
    ['random bytes', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)],
    ['empty', new Uint8Array()],
    ['svg', svg],
    ['truncated jpeg', photo.subarray(0, photo.length / 2)],
    ['truncated png', png.subarray(0, png.length / 2)],
    ['truncated webp', webp.subarray(0, webp.length / 2)],
    ['jpeg header only', photo.subarray(0, 20)],
    ['png signature on jpeg data', Buffer.concat([png.subarray(0, 8), photo])],
    ['truncated bmp', encodeBmp(quadrants(80, 80), 24).subarray(0, 4000)],
  ];
  for (const [name, bytes] of cases) await rejects(decodePhoto(bytes, limits), 2005, name);
});

test('real corpus: a WebP named .jpg, EXIF orientation 6, and a 32-bit RGBA PNG', async (t) => {
  const files = {
    webp: corpusFile('serengil__deepface/img47.jpg'),
    rotated: corpusFile('minivision-ai__Silent-Face-Anti-Spoofing/image_F1.jpg'),
    rgba: corpusFile('ageitgey__face_recognition/32bit.png'),
  };
  if (files.webp === undefined || files.rotated === undefined || files.rgba === undefined) {
    t.skip('corpus absent: set SILENTID_DATA_DIR to the shared data folder');
    return;
  }
  assert.equal((await decodePhoto(await readFile(files.webp), limits)).format, 'webp');

  const rotatedBytes = await readFile(files.rotated);
  const stored = await sharp(rotatedBytes).metadata();
  const rotated = await decodePhoto(rotatedBytes, limits);
  assert.equal(rotated.orientation, 6);
  assert.deepEqual([rotated.image.width, rotated.image.height], [stored.height, stored.width]);

  const rgbaBytes = await readFile(files.rgba);
  assert.equal((await sharp(rgbaBytes).metadata()).channels, 4);
  const rgba = await decodePhoto(rgbaBytes, limits);
  assert.equal(rgba.format, 'png');
  assert.equal(rgba.image.data.length, rgba.image.width * rgba.image.height * 3);
});

test('mutated files of every format decode or answer 2005/2003, never anything else', async () => {
  const source = rawSharp(quadrants(80, 72));
  const seeds = [
    await source.clone().jpeg().toBuffer(),
    await source.clone().png().toBuffer(),
    await source.clone().gif().toBuffer(),
    await source.clone().tiff().toBuffer(),
    await source.clone().webp().toBuffer(),
    Buffer.from(encodeBmp(quadrants(80, 72), 8)),
  ];
  let state = 0x2545f491;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const seed of seeds) {
    for (let round = 0; round < 25; round++) {
      const bytes = Buffer.from(seed);
      const edits = 1 + Math.floor(random() * 8);
      for (let e = 0; e < edits; e++)
        bytes[12 + Math.floor(random() * (bytes.length - 12))] = random() * 256;
      const cut = random() < 0.3 ? bytes.subarray(0, Math.floor(bytes.length * random())) : bytes;
      await decodePhoto(cut, limits).catch((err: unknown) => {
        assert.ok(
          err instanceof ApiError && (err.code === 2005 || err.code === 2003),
          `unexpected ${String(err)}`,
        );
      });
    }
  }
});
