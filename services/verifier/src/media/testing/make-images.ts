/**
 * Test-only helpers that build image inputs at test time (nothing binary is committed).
 * sharp cannot write BMP, so a tiny encoder covers the layouts the decoder must read.
 */
import zlib from 'node:zlib';
import type { RgbImage } from '../types.js';

export interface BmpOptions {
  /** Store rows top-down (negative height), as some writers do. */
  readonly topDown?: boolean;
  /** Per-pixel alpha; written as a v4 header with an alpha bit field (32-bit only). */
  readonly alpha?: Uint8Array;
}

/** Encodes packed RGB as an uncompressed 24/32-bit or 8-bit palette BMP. */
export function encodeBmp(
  image: RgbImage,
  bits: 8 | 24 | 32,
  options: BmpOptions = {},
): Uint8Array {
  const { width, height, data } = image;
  const withAlpha = bits === 32 && options.alpha !== undefined;
  const dibSize = withAlpha ? 108 : 40;
  const palette = bits === 8 ? buildPalette(data) : undefined;
  const paletteBytes = palette === undefined ? 0 : palette.size * 4;
  const stride = Math.floor((bits * width + 31) / 32) * 4;
  const pixelOffset = 14 + dibSize + paletteBytes;
  const out = new Uint8Array(pixelOffset + stride * height);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  view.setUint32(2, out.length, true);
  view.setUint32(10, pixelOffset, true);
  view.setUint32(14, dibSize, true);
  view.setInt32(18, width, true);
  view.setInt32(22, options.topDown === true ? -height : height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bits, true);
  view.setUint32(30, withAlpha ? 3 : 0, true);
  view.setUint32(46, palette?.size ?? 0, true);
  if (withAlpha)
    [0xff0000, 0xff00, 0xff, 0xff000000].forEach((m, i) => view.setUint32(54 + i * 4, m, true));
  if (palette !== undefined) {
    for (const [rgb, index] of palette) {
      out.set([rgb & 0xff, (rgb >> 8) & 0xff, rgb >> 16, 0], 14 + dibSize + index * 4);
    }
  }
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (options.topDown === true ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const [r, g, b] = [data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!];
      if (palette !== undefined) out[row + x] = palette.get((r << 16) | (g << 8) | b)!;
      else if (bits === 24) out.set([b, g, r], row + x * 3);
      else out.set([b, g, r, withAlpha ? options.alpha![i]! : 0], row + x * 4);
    }
  }
  return out;
}

function buildPalette(data: Uint8Array): Map<number, number> {
  const palette = new Map<number, number>();
  for (let i = 0; i < data.length; i += 3) {
    const rgb = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
    if (!palette.has(rgb)) palette.set(rgb, palette.size);
  }
  if (palette.size > 256) throw new Error('test image has more than 256 colours');
  return palette;
}

/** A small RGB test pattern: four coloured quadrants, so orientation errors show. */
export function quadrants(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  const colours = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 0],
  ];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = (y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1);
      data.set(colours[q]!, (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

/** A PNG of only a signature and an IHDR declaring any size: a decompression-bomb probe. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A copy of a JPEG whose frame header (SOF) claims another size: a decompression-bomb probe. */
export function withJpegSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = jpeg.slice();
  for (let i = 2; i + 9 < out.length;) {
    if (out[i] !== 0xff) throw new Error('not a JPEG marker');
    const marker = out[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xc3) {
      out.set([height >> 8, height & 0xff, width >> 8, width & 0xff], i + 5);
      return out;
    }
    i += 2 + ((out[i + 2]! << 8) | out[i + 3]!);
  }
  throw new Error('no SOF marker');
}
