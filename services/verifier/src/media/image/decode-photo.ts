/**
 * The photo path of a request: limits first (bytes, then the header's dimensions), then a
 * full decode to packed RGB the way a person sees the photo (EXIF orientation applied,
 * first frame only, transparency on white).
 */
import sharp, { type Metadata } from 'sharp';
import type { ImageLimits } from '../../config/config.js';
import { invalidContentLength, invalidImageSize, invalidMedia } from '../../errors/api-error.js';
import type { RgbImage } from '../types.js';
import { BmpError, decodeBmp, readBmpHeader } from './decode-bmp.js';
import { sniffImageType, type ImageFormat } from './sniff-image-type.js';

export interface DecodedPhoto {
  /** Upright pixels: EXIF orientation already applied. */
  readonly image: RgbImage;
  readonly format: ImageFormat;
  /** The EXIF orientation found in the file (1..8; 1 when absent). */
  readonly orientation: number;
}

interface Header {
  /** Width and height as displayed, i.e. after the EXIF orientation. */
  readonly width: number;
  readonly height: number;
  readonly orientation: number;
}

/** Checks a photo against the limits and decodes it; throws ApiError 2004, 2005 or 2003. */
export async function decodePhoto(bytes: Uint8Array, limits: ImageLimits): Promise<DecodedPhoto> {
  if (bytes.length > limits.maxBytes) {
    throw invalidContentLength(
      `the photo is ${bytes.length} bytes, more than the maximum of ${limits.maxBytes}`,
    );
  }
  const format = sniffImageType(bytes);
  if (format === undefined) {
    throw invalidMedia('the photo is not a JPEG, PNG, BMP, GIF, TIFF or WebP image');
  }
  const header = format === 'bmp' ? bmpHeader(bytes) : await sharpHeader(bytes, format);
  checkDimensions(header, limits);
  const image = format === 'bmp' ? decodeBmpOrRefuse(bytes) : await decodeWithSharp(bytes, limits);
  return { image, format, orientation: header.orientation };
}

function checkDimensions({ width, height }: Header, limits: ImageLimits): void {
  const { minSide, maxSide, maxPixels } = limits;
  if (Math.min(width, height) < minSide || Math.max(width, height) > maxSide) {
    throw invalidImageSize(
      `the photo is ${width}×${height} px; each side must be within [${minSide}, ${maxSide}] px`,
    );
  }
  if (width * height > maxPixels) {
    throw invalidImageSize(
      `the photo has ${width * height} pixels, more than the maximum of ${maxPixels}`,
    );
  }
}

/**
 * Reads only the headers. sharp's own pixel limit is lifted here because this call
 * allocates no pixels and must be able to report an oversized image as 2003, not fail.
 */
async function sharpHeader(bytes: Uint8Array, format: ImageFormat): Promise<Header> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (err) {
    throw invalidMedia(`the photo's ${format} header could not be read`, err);
  }
  // libvips sniffs on its own; a disagreement means a polyglot or a damaged file.
  if (meta.format !== format || meta.width === undefined || meta.height === undefined) {
    throw invalidMedia(`the photo's content is not a valid ${format} image`);
  }
  const orientation =
    meta.orientation !== undefined && meta.orientation >= 1 && meta.orientation <= 8
      ? meta.orientation
      : 1;
  // Orientations 5–8 turn the picture by 90°: the displayed width is the stored height.
  const swapped = orientation >= 5;
  const height = meta.pageHeight ?? meta.height;
  return {
    width: swapped ? height : meta.width,
    height: swapped ? meta.width : height,
    orientation,
  };
}

async function decodeWithSharp(bytes: Uint8Array, limits: ImageLimits): Promise<RgbImage> {
  try {
    // failOn 'error' refuses truncated and corrupt data (a half-grey photo would still
    // "decode") but tolerates the harmless warnings that many camera JPEGs trigger.
    const { data, info } = await sharp(bytes, {
      failOn: 'error',
      limitInputPixels: limits.maxPixels,
      pages: 1,
      page: 0,
    })
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new Error(`unexpected decoder output: ${info.channels} channels, ${data.length} bytes`);
    }
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (err) {
    throw invalidMedia('the photo could not be decoded: its data is corrupt or truncated', err);
  }
}

function bmpHeader(bytes: Uint8Array): Header {
  try {
    const { width, height } = readBmpHeader(bytes);
    return { width, height, orientation: 1 };
  } catch (err) {
    throw refuseBmp(err);
  }
}

function decodeBmpOrRefuse(bytes: Uint8Array): RgbImage {
  try {
    return decodeBmp(bytes);
  } catch (err) {
    throw refuseBmp(err);
  }
}

function refuseBmp(err: unknown): unknown {
  return err instanceof BmpError
    ? invalidMedia(`the photo is not a readable BMP: ${err.message}`, err)
    : err;
}
