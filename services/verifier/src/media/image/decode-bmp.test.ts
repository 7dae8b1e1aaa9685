import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BmpError, decodeBmp, readBmpHeader } from './decode-bmp.js';
import { encodeBmp, quadrants } from '../testing/make-images.js';

// Odd width exercises row padding; quadrants expose flipped or mirrored rows.
const image = quadrants(7, 6);

test('decodes 24-bit, 32-bit and 8-bit palette BMPs, bottom-up and top-down', () => {
  for (const bits of [8, 24, 32] as const) {
    for (const topDown of [false, true]) {
      const decoded = decodeBmp(encodeBmp(image, bits, { topDown }));
      assert.equal(decoded.width, 7);
      assert.equal(decoded.height, 6);
      assert.deepEqual(decoded.data, image.data, `${bits}-bit topDown=${topDown}`);
    }
  }
});

test('reads the header without decoding and reports the stored size', () => {
  const header = readBmpHeader(encodeBmp(image, 24, { topDown: true }));
  assert.deepEqual(header, { width: 7, height: 6, bitsPerPixel: 24, topDown: true });
});

test('flattens alpha on white, but treats an all-zero alpha channel as unused', () => {
  const one = quadrants(2, 2);
  const alpha = new Uint8Array([255, 0, 128, 255]);
  const decoded = decodeBmp(encodeBmp(one, 32, { alpha }));
  assert.deepEqual([...decoded.data.subarray(0, 3)], [255, 0, 0]); // opaque red
  assert.deepEqual([...decoded.data.subarray(3, 6)], [255, 255, 255]); // transparent → white
  assert.deepEqual([...decoded.data.subarray(6, 9)], [127, 127, 255]); // half blue on white
  const unused = decodeBmp(encodeBmp(one, 32, { alpha: new Uint8Array(4) }));
  assert.deepEqual(unused.data, one.data);
});

test('refuses truncated, compressed and malformed files with BmpError', () => {
  const good = encodeBmp(image, 24);
  const variants: [string, Uint8Array][] = [
    ['truncated pixels', good.subarray(0, good.length - 10)],
    ['truncated header', good.subarray(0, 20)],
    ['RLE8', patch(encodeBmp(image, 8), (v) => v.setUint32(30, 1, true))],
    ['12-bit depth', patch(good, (v) => v.setUint16(28, 12, true))],
    ['zero width', patch(good, (v) => v.setInt32(18, 0, true))],
    ['two planes', patch(good, (v) => v.setUint16(26, 2, true))],
    ['oversized palette', patch(encodeBmp(image, 8), (v) => v.setUint32(46, 300, true))],
    ['not BMP', new Uint8Array(64)],
  ];
  for (const [name, bytes] of variants) assert.throws(() => decodeBmp(bytes), BmpError, name);
});

test('decodes 1-bit and 4-bit palettes and 16-bit 5-5-5 pixels', () => {
  // 1 bit, 3×1: bits 1 0 1 → white black white.
  const mono = handBuilt(
    1,
    3,
    [0xa0, 0, 0, 0],
    [
      [0, 0, 0],
      [255, 255, 255],
    ],
  );
  assert.deepEqual([...decodeBmp(mono).data], [255, 255, 255, 0, 0, 0, 255, 255, 255]);
  // 4 bits, 3×1: indexes 2 1 0.
  const nibbles = handBuilt(
    4,
    3,
    [0x21, 0x00, 0, 0],
    [
      [10, 20, 30],
      [40, 50, 60],
      [70, 80, 90],
    ],
  );
  assert.deepEqual([...decodeBmp(nibbles).data], [70, 80, 90, 40, 50, 60, 10, 20, 30]);
  // 16 bits, 2×1: 0x7c00 is full red, 0x001f full blue.
  const hicolour = handBuilt(16, 2, [0x00, 0x7c, 0x1f, 0x00], []);
  assert.deepEqual([...decodeBmp(hicolour).data], [255, 0, 0, 0, 0, 255]);
});

/** A one-row BI_RGB BMP with a 40-byte header, from its raw row bytes and palette (RGB). */
function handBuilt(bits: number, width: number, row: number[], palette: number[][]): Uint8Array {
  const offset = 14 + 40 + palette.length * 4;
  const bytes = new Uint8Array(offset + row.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]);
  view.setUint32(10, offset, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, 1, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bits, true);
  view.setUint32(46, palette.length, true);
  palette.forEach(([r, g, b], i) => bytes.set([b!, g!, r!, 0], 54 + i * 4));
  bytes.set(row, offset);
  return bytes;
}

function patch(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return copy;
}
