/**
 * Identifies a photo's format from its first bytes. The client's file name and declared
 * type are never trusted: the corpus alone has a WebP named `.jpg` and a PNG named `.jpg`.
 */

/** The photo formats of spec/API.md (code 2005 for anything else). */
export type ImageFormat = 'jpeg' | 'png' | 'bmp' | 'gif' | 'tiff' | 'webp';

const startsWith = (bytes: Uint8Array, magic: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + magic.length && magic.every((b, i) => bytes[offset + i] === b);

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

// BMP's two-byte "BM" is weak on its own, so the DIB header size must also be one of the
// known header versions (core, info, v2, v3, v4, v5).
const bmpHeaderSizes = new Set([12, 40, 52, 56, 108, 124]);

/** Returns the format that the bytes' magic numbers announce, or undefined. */
export function sniffImageType(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
  if (
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return 'tiff';
  }
  if (startsWith(bytes, ascii('BM')) && bytes.length >= 18) {
    const dibSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
      14,
      true,
    );
    if (bmpHeaderSizes.has(dibSize)) return 'bmp';
  }
  return undefined;
}
