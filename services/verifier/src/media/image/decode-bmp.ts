/**
 * A small, strict BMP decoder: sharp's libvips has no BMP loader, and the npm decoders we
 * looked at either ignore palettes and top-down rows or do no bounds checks (see
 * docs/decisions/0010-strict-bmp-decoder.md). It reads uncompressed 1/4/8-bit palette,
 * 16/32-bit (BI_RGB or bit fields, optional alpha) and 24-bit images; RLE and embedded
 * JPEG/PNG are refused. Every offset is checked against the buffer before it is read.
 */
import type { RgbImage } from '../types.js';

/** What the headers say, read without touching the pixels. */
export interface BmpHeader {
  readonly width: number;
  readonly height: number;
  readonly bitsPerPixel: number;
  readonly topDown: boolean;
}

/** A malformed or unsupported BMP; callers map it to code 2005. */
export class BmpError extends Error {
  override name = 'BmpError';
}

interface Layout extends BmpHeader {
  readonly pixelOffset: number;
  readonly stride: number;
  readonly palette: Uint8Array | undefined; // packed RGB entries
  readonly masks: readonly [number, number, number, number] | undefined; // R, G, B, A
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const FILE_HEADER = 14;

/** Reads width and height from the headers only; throws BmpError when they are malformed. */
export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  const { width, height, bitsPerPixel, topDown } = readLayout(bytes, false);
  return { width, height, bitsPerPixel, topDown };
}

/** Decodes a BMP to packed RGB, top row first; alpha, when present, is flattened on white. */
export function decodeBmp(bytes: Uint8Array): RgbImage {
  const layout = readLayout(bytes, true);
  const { width, height, stride, pixelOffset } = layout;
  if (pixelOffset + stride * height > bytes.length)
    throw new BmpError('BMP pixel data is truncated');
  const out = new Uint8Array(width * height * 3);
  const alpha =
    layout.masks !== undefined && layout.masks[3] !== 0
      ? new Uint8Array(width * height)
      : undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let y = 0; y < height; y++) {
    // Rows are stored bottom-up unless the header's height was negative.
    const src = pixelOffset + (layout.topDown ? y : height - 1 - y) * stride;
    const dst = y * width;
    if (layout.palette !== undefined) readPaletteRow(bytes, src, layout, out, dst);
    else if (layout.bitsPerPixel === 24) readBgrRow(bytes, src, width, out, dst);
    else readMaskedRow(view, src, layout, out, alpha, dst);
  }
  if (alpha !== undefined) flattenOnWhite(out, alpha);
  return { width, height, data: out };
}

function readLayout(bytes: Uint8Array, withColours: boolean): Layout {
  if (bytes.length < FILE_HEADER + 12 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) {
    throw new BmpError('not a BMP file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelOffset = view.getUint32(10, true);
  const dibSize = view.getUint32(14, true);
  const core = dibSize === 12;
  if (!core && dibSize < 40) throw new BmpError(`unsupported BMP header size ${dibSize}`);
  if (FILE_HEADER + (core ? 12 : 40) > bytes.length) throw new BmpError('BMP header is truncated');

  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getUint16(20, true) : view.getInt32(22, true);
  const planes = view.getUint16(core ? 22 : 26, true);
  const bitsPerPixel = view.getUint16(core ? 24 : 28, true);
  const compression = core ? BI_RGB : view.getUint32(30, true);
  const coloursUsed = core ? 0 : view.getUint32(46, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);

  if (width <= 0 || height <= 0) throw new BmpError('BMP width or height is zero or negative');
  if (planes !== 1) throw new BmpError('BMP planes must be 1');
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) {
    throw new BmpError(`unsupported BMP bit depth ${bitsPerPixel}`);
  }
  const fields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (compression !== BI_RGB && !(fields && (bitsPerPixel === 16 || bitsPerPixel === 32))) {
    throw new BmpError(`unsupported BMP compression ${compression} at ${bitsPerPixel} bits`);
  }
  if (topDown && compression !== BI_RGB && !fields)
    throw new BmpError('top-down BMP must be uncompressed');

  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  const base = { width, height, bitsPerPixel, topDown, pixelOffset, stride };
  if (!withColours) return { ...base, palette: undefined, masks: undefined };

  if (bitsPerPixel <= 8) {
    const entries = coloursUsed === 0 ? 2 ** bitsPerPixel : coloursUsed;
    if (entries > 2 ** bitsPerPixel)
      throw new BmpError('BMP palette is larger than its bit depth allows');
    const entrySize = core ? 3 : 4;
    const start = FILE_HEADER + dibSize;
    if (start + entries * entrySize > Math.min(bytes.length, pixelOffset)) {
      throw new BmpError('BMP palette is truncated');
    }
    const palette = new Uint8Array(entries * 3);
    for (let i = 0; i < entries; i++) {
      const p = start + i * entrySize; // entries are stored B, G, R(, reserved)
      palette[i * 3] = bytes[p + 2]!;
      palette[i * 3 + 1] = bytes[p + 1]!;
      palette[i * 3 + 2] = bytes[p]!;
    }
    return { ...base, palette, masks: undefined };
  }
  if (bitsPerPixel === 24) return { ...base, palette: undefined, masks: undefined };
  return {
    ...base,
    palette: undefined,
    masks: readMasks(view, dibSize, compression, bitsPerPixel),
  };
}

function readMasks(
  view: DataView,
  dibSize: number,
  compression: number,
  bitsPerPixel: number,
): [number, number, number, number] {
  if (compression === BI_RGB) {
    // The implicit layouts: 5-5-5 for 16 bits, 8-8-8 with an unused high byte for 32 bits.
    return bitsPerPixel === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0xff00, 0xff, 0];
  }
  // The masks follow a 40-byte header, or are part of the v2+ headers at the same place.
  const at = FILE_HEADER + 40;
  const count = compression === BI_ALPHABITFIELDS || dibSize >= 56 ? 4 : 3;
  if (at + count * 4 > view.byteLength) throw new BmpError('BMP colour masks are truncated');
  const m = (i: number) => (i < count ? view.getUint32(at + i * 4, true) : 0);
  const masks: [number, number, number, number] = [m(0), m(1), m(2), m(3)];
  if (masks.slice(0, 3).some((mask) => mask === 0 || !contiguous(mask))) {
    throw new BmpError('BMP colour masks are invalid');
  }
  if (masks[3] !== 0 && !contiguous(masks[3])) throw new BmpError('BMP alpha mask is invalid');
  return masks;
}

const contiguous = (mask: number): boolean => {
  const shifted = mask >>> trailingZeros(mask);
  return (shifted & (shifted + 1)) === 0;
};

const trailingZeros = (mask: number): number => (mask === 0 ? 0 : 31 - Math.clz32(mask & -mask));

function readPaletteRow(
  bytes: Uint8Array,
  src: number,
  layout: Layout,
  out: Uint8Array,
  dst: number,
) {
  const palette = layout.palette!;
  const bits = layout.bitsPerPixel;
  const perByte = 8 / bits;
  const valueMask = (1 << bits) - 1;
  for (let x = 0; x < layout.width; x++) {
    const byte = bytes[src + Math.floor(x / perByte)]!;
    const index = (byte >> (8 - bits * ((x % perByte) + 1))) & valueMask;
    if (index * 3 >= palette.length)
      throw new BmpError('BMP pixel refers past the end of its palette');
    out.set(palette.subarray(index * 3, index * 3 + 3), (dst + x) * 3);
  }
}

function readBgrRow(bytes: Uint8Array, src: number, width: number, out: Uint8Array, dst: number) {
  for (let x = 0; x < width; x++) {
    const s = src + x * 3;
    const d = (dst + x) * 3;
    out[d] = bytes[s + 2]!;
    out[d + 1] = bytes[s + 1]!;
    out[d + 2] = bytes[s]!;
  }
}

function readMaskedRow(
  view: DataView,
  src: number,
  layout: Layout,
  out: Uint8Array,
  alpha: Uint8Array | undefined,
  dst: number,
) {
  const masks = layout.masks!;
  const channels = masks.map(channelReader);
  const wide = layout.bitsPerPixel === 32;
  for (let x = 0; x < layout.width; x++) {
    const px = wide ? view.getUint32(src + x * 4, true) : view.getUint16(src + x * 2, true);
    const d = (dst + x) * 3;
    out[d] = channels[0]!(px);
    out[d + 1] = channels[1]!(px);
    out[d + 2] = channels[2]!(px);
    if (alpha !== undefined) alpha[dst + x] = channels[3]!(px);
  }
}

/** Extracts one masked channel and scales it to 8 bits (5-bit 31 → 255). */
function channelReader(mask: number): (px: number) => number {
  const shift = trailingZeros(mask);
  const max = mask >>> shift;
  return (px) => (max === 0 ? 255 : Math.round((((px & mask) >>> shift) * 255) / max));
}

/**
 * Many writers leave the alpha byte at zero to mean "unused"; an all-transparent image
 * is therefore read as opaque rather than as a white page.
 */
function flattenOnWhite(rgb: Uint8Array, alpha: Uint8Array) {
  if (alpha.every((a) => a === 0)) return;
  for (let i = 0; i < alpha.length; i++) {
    const a = alpha[i]!;
    if (a === 255) continue;
    for (let c = 0; c < 3; c++) {
      const j = i * 3 + c;
      rgb[j] = Math.round((rgb[j]! * a + 255 * (255 - a)) / 255);
    }
  }
}
