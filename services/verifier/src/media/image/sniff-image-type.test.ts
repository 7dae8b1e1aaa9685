import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { sniffImageType, type ImageFormat } from './sniff-image-type.js';
import { encodeBmp } from '../testing/make-images.js';

const base = () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } });

test('identifies every supported format by content', async () => {
  const cases: [ImageFormat, Uint8Array][] = [
    ['jpeg', await base().jpeg().toBuffer()],
    ['png', await base().png().toBuffer()],
    ['gif', await base().gif().toBuffer()],
    ['webp', await base().webp().toBuffer()],
    ['tiff', await base().tiff().toBuffer()],
    ['tiff', await base().tiff().toBuffer().then(swapTiffEndianMarker)],
    ['bmp', encodeBmp({ width: 2, height: 2, data: new Uint8Array(12) }, 24)],
  ];
  for (const [expected, bytes] of cases) assert.equal(sniffImageType(bytes), expected, expected);
});

test('refuses unknown, empty and look-alike content', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(sniffImageType(new Uint8Array()), undefined);
  assert.equal(sniffImageType(enc('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
  assert.equal(sniffImageType(enc('RIFF\0\0\0\0AVI LIST')), undefined);
  assert.equal(sniffImageType(enc('BM and then some text')), undefined);
  assert.equal(sniffImageType(new Uint8Array([0xff, 0xd8])), undefined);
  assert.equal(sniffImageType(enc('GIF88a')), undefined);
});

// Only the byte-order marker matters to the sniffer; a big-endian header is enough to test it.
function swapTiffEndianMarker(bytes: Buffer): Uint8Array {
  return new Uint8Array([0x4d, 0x4d, 0x00, 0x2a, ...bytes.subarray(4, 16)]);
}
