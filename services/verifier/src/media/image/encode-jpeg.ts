/** JPEG encoding of packed RGB, for the response's base64_image and base64_face_image. */
import sharp from 'sharp';
import type { RgbImage } from '../types.js';

/** Encodes packed RGB as a baseline JPEG (quality 1..100, default 90); no metadata is written. */
export async function encodeJpeg(image: RgbImage, quality = 90): Promise<Buffer> {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid image size ${width}×${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new RangeError(`image data is ${data.length} bytes, expected ${width * height * 3}`);
  }
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`JPEG quality must be an integer in [1, 100], got ${quality}`);
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}
