import type { RgbImage } from '../media/types.js';
import type { InputSpec } from '../models/bundle-manifest.js';
import { luma } from './luma.js';

/**
 * Packs an image already at the model's input size into an NCHW float tensor, in the
 * channel order and normalisation the manifest declares: value = (pixel − mean) × scale.
 * Writes at `offset` into `out` so frames can be batched into one buffer.
 */
export function toTensor(
  image: RgbImage,
  spec: InputSpec,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  const [, c, h, w] = spec.shape as [number, number, number, number];
  if (image.width !== w || image.height !== h) {
    throw new Error(`toTensor: image is ${image.width}×${image.height}, the model takes ${w}×${h}`);
  }
  const plane = w * h;
  const dst = out ?? new Float32Array(c * plane);
  const { data } = image;
  const { mean, scale } = spec;
  if (spec.channels === 'GRAY') {
    for (let i = 0; i < plane; i++) {
      dst[offset + i] = (luma(data, i * 3) - mean) * scale;
    }
    return dst;
  }
  // BGR swaps the first and third planes: models exported from OpenCV pipelines see BGR.
  const [r, b] = spec.channels === 'BGR' ? [2, 0] : [0, 2];
  for (let i = 0; i < plane; i++) {
    dst[offset + r * plane + i] = (data[i * 3]! - mean) * scale;
    dst[offset + plane + i] = (data[i * 3 + 1]! - mean) * scale;
    dst[offset + b * plane + i] = (data[i * 3 + 2]! - mean) * scale;
  }
  return dst;
}

/** Model input width and height from the manifest's NCHW shape. */
export function inputSize(spec: InputSpec): { width: number; height: number } {
  return { width: spec.shape[3]!, height: spec.shape[2]! };
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const exps = Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
