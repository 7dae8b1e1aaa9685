/**
 * Occlusion of the eyes, nose or mouth (check_quality, code 4004). No occlusion model
 * exists in any bundle we can ship, so this combines three measured cues:
 *  - the face cut by the image border (landmarks of eyes/nose/mouth outside the image);
 *  - both eyes "closed or covered" per the eye model (sunglasses, a hand);
 *  - the nose-and-mouth region not looking like the same skin as the upper cheeks
 *    (masks, scarves, hands): chroma distance in the aligned crop.
 * Thresholds are bundle-independent fractions measured on the occluded and clean photos
 * of the corpus (docs/eval).
 */
import type { RgbImage } from '../media/types.js';
import type { FaceModels } from './face-models.js';
import { fivePoints, type LandmarkedFace } from './face.js';

export interface OcclusionAssessment {
  readonly occluded: boolean;
  /** Human-readable causes, for the error message (no image content). */
  readonly reasons: string[];
  readonly cues: {
    readonly outside: number;
    readonly eyesOpen: number;
    readonly lowerFaceChroma: number;
  };
}

export const OCCLUSION_THRESHOLDS = {
  /**
   * Fraction of eye/nose/mouth landmarks outside the image: any. A face cut by the border
   * puts only one or two of its 51 inner points outside (measured: 0.02 and 0.04 on the
   * corpus's half faces); no clean photo puts one there.
   */
  outside: 0,
  /** Mean openness of both eyes below this reads as covered. */
  eyesOpen: 0.1,
  /** Chroma distance between lower face and cheeks above this reads as covered. */
  lowerFaceChroma: 0.2,
} as const;

export async function assessOcclusion(
  models: FaceModels,
  image: RgbImage,
  face: LandmarkedFace,
): Promise<OcclusionAssessment> {
  const inner = face.landmarks.slice(17);
  const outside =
    inner.filter((p) => p.x < 0 || p.y < 0 || p.x >= image.width || p.y >= image.height).length /
    inner.length;
  const eyes = await models.eyes.openness(image, face.landmarks);
  const eyesOpen = (eyes.left + eyes.right) / 2;
  const aligned = models.embedder.align(image, fivePoints(face.landmarks));
  const lowerFaceChroma = chromaMismatch(aligned);
  const reasons: string[] = [];
  if (outside > OCCLUSION_THRESHOLDS.outside) reasons.push('the face is cut by the image border');
  if (eyesOpen < OCCLUSION_THRESHOLDS.eyesOpen) reasons.push('the eyes are covered or closed');
  if (lowerFaceChroma > OCCLUSION_THRESHOLDS.lowerFaceChroma)
    reasons.push('the nose or mouth is covered');
  return { occluded: reasons.length > 0, reasons, cues: { outside, eyesOpen, lowerFaceChroma } };
}

/**
 * Distance in normalised chromaticity (r, g) between the mouth-and-chin region and the
 * cheeks under the eyes, in the 112×112 ArcFace frame (regions scale with its size).
 * Skin keeps its chromaticity under one light; a mask or a hand in another colour does not.
 */
export function chromaMismatch(aligned: RgbImage): number {
  const s = aligned.width / 112;
  const cheeks = [
    regionChroma(aligned, 24 * s, 56 * s, 40 * s, 68 * s),
    regionChroma(aligned, 72 * s, 56 * s, 88 * s, 68 * s),
  ];
  const lower = regionChroma(aligned, 40 * s, 84 * s, 72 * s, 104 * s);
  const ref = { r: (cheeks[0]!.r + cheeks[1]!.r) / 2, g: (cheeks[0]!.g + cheeks[1]!.g) / 2 };
  return Math.hypot(lower.r - ref.r, lower.g - ref.g);
}

function regionChroma(
  img: RgbImage,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): { r: number; g: number } {
  let r = 0,
    g = 0,
    n = 0;
  for (let y = Math.floor(y1); y < Math.ceil(y2); y++) {
    for (let x = Math.floor(x1); x < Math.ceil(x2); x++) {
      const i = (y * img.width + x) * 3;
      const sum = img.data[i]! + img.data[i + 1]! + img.data[i + 2]! + 1;
      r += img.data[i]! / sum;
      g += img.data[i + 1]! / sum;
      n++;
    }
  }
  return { r: r / n, g: g / n };
}
