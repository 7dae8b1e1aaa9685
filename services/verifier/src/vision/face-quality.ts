import type { RgbImage } from '../media/types.js';
import { fivePoints, interOcular } from './face.js';
import type { Point } from './geometry/types.js';
import { luma } from './luma.js';

/** Calls `visit` with the byte offset of each pixel of the crop's central half: skin. */
function forCentre(aligned: RgbImage, visit: (offset: number) => void): void {
  const { width: w, height: h } = aligned;
  for (let y = Math.floor(h / 4); y < Math.ceil((3 * h) / 4); y++)
    for (let x = Math.floor(w / 4); x < Math.ceil((3 * w) / 4); x++) visit((y * w + x) * 3);
}

/**
 * Brightness of a face: the mean luma (0–255) of the aligned crop's central half, which
 * is skin (cheeks, nose, eyes) whatever the hair or background. Liveness is judged less
 * reliably on dark faces (docs/liveness.md); the analysis says so rather than guessing.
 */
export function brightness(aligned: RgbImage): number {
  let s = 0;
  let n = 0;
  forCentre(aligned, (i) => {
    s += luma(aligned.data, i);
    n++;
  });
  return s / n;
}

/**
 * Colour saturation of a face, 0–1: Σ(max − min) / Σ max of R, G, B over the aligned
 * crop's central half (HSV's saturation, pooled so that dark pixels do not make it
 * noisy). A monochrome or infrared camera gives 0; skin in colour video 0.2 and more (the
 * corpus), in dim light as in bright. Attack models trained on colour read a colourless
 * face as a print (docs/decisions/0027), so a clip without colour is refused, not judged.
 */
export function saturation(aligned: RgbImage): number {
  const { data } = aligned;
  let spread = 0;
  let peak = 0;
  forCentre(aligned, (i) => {
    const max = Math.max(data[i]!, data[i + 1]!, data[i + 2]!);
    spread += max - Math.min(data[i]!, data[i + 1]!, data[i + 2]!);
    peak += max;
  });
  return peak === 0 ? 0 : spread / peak;
}

/**
 * Sharpness of an aligned face crop: variance of the 4-neighbour Laplacian of its grey
 * levels. Motion blur and defocus flatten it; it is compared between frames of one
 * clip, not against an absolute scale.
 */
export function sharpness(aligned: RgbImage): number {
  const { width: w, height: h, data } = aligned;
  const g = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) g[i] = luma(data, i * 3);
  let s = 0,
    s2 = 0,
    n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const lap = g[i - 1]! + g[i + 1]! + g[i - w]! + g[i + w]! - 4 * g[i]!;
      s += lap;
      s2 += lap * lap;
      n++;
    }
  }
  const mean = s / n;
  return s2 / n - mean * mean;
}

/**
 * How frontal a face is, 1 (nose centred between the eyes) … 0 (turned by about
 * 45° or more): a yaw proxy from the five points, enough to rank frames.
 */
export function frontalness(landmarks: readonly Point[]): number {
  const [le, re, nose] = fivePoints(landmarks);
  const iod = interOcular(landmarks);
  const offset = Math.abs(nose.x - (le.x + re.x) / 2) / Math.max(iod, 1e-6);
  return Math.max(0, 1 - offset / 0.5);
}
