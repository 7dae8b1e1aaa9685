/**
 * Occlusion of the eyes, nose or mouth (check_quality, code 4004). No occlusion model
 * exists in any bundle we can ship, so this combines four measured cues:
 *  - the face cut by the image border (landmarks of eyes/nose/mouth outside the image);
 *  - both eyes "closed or covered" per the eye model (sunglasses, a hand);
 *  - the mouth-and-chin region not showing the cheeks' skin (masks, scarves, hands): the
 *    share of its pixels whose chromaticity matches the cheeks' in the aligned crop;
 *  - the head turned so far that the far eye and half the mouth hide behind the nose
 *    (self-occlusion: a profile, often with something in front of it).
 * Thresholds are bundle-independent fractions measured on the occluded and clean photos
 * of the corpus, each with a wide margin on both sides (docs/eval, decision 0007).
 */
import type { RgbImage } from '../media/types.js';
import type { FaceModels } from './face-models.js';
import { fivePoints, type LandmarkedFace } from './face.js';
import { frontalness } from './face-quality.js';

export interface OcclusionAssessment {
  readonly occluded: boolean;
  /** Human-readable causes, for the error message (no image content). */
  readonly reasons: string[];
  readonly cues: {
    readonly outside: number;
    readonly eyesOpen: number;
    readonly lowerFaceSkin: number;
    readonly frontalness: number;
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
  /**
   * Share of mouth-and-chin pixels with the cheeks' skin chromaticity below this reads as
   * covered. Measured: clean photos 0.34 and up (beards and shadows included), masks
   * 0.00–0.03.
   */
  lowerFaceSkin: 0.15,
  /**
   * Frontalness below this (the nose more than 0.4 IOD off the eyes' centre, a yaw of
   * roughly 40° and more) hides the far eye. Measured: clean photos 0.49 and up, the
   * corpus's profile behind a camera 0.09.
   */
  frontalness: 0.2,
} as const;

/** Two chromaticities closer than this are the same skin under one light. */
const SKIN_CHROMA_MATCH = 0.05;

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
  const lowerFaceSkin = lowerFaceSkinShare(aligned);
  const turn = frontalness(face.landmarks);
  const t = OCCLUSION_THRESHOLDS;
  const reasons: string[] = [];
  if (outside > t.outside) reasons.push('the face is cut by the image border');
  if (eyesOpen < t.eyesOpen) reasons.push('the eyes are covered or closed');
  if (lowerFaceSkin < t.lowerFaceSkin) reasons.push('the nose or mouth is covered');
  if (turn < t.frontalness) reasons.push('the face is turned so far that an eye is hidden');
  return {
    occluded: reasons.length > 0,
    reasons,
    cues: { outside, eyesOpen, lowerFaceSkin, frontalness: turn },
  };
}

/**
 * Share of the mouth-and-chin region whose normalised chromaticity (r, g) is within
 * SKIN_CHROMA_MATCH of the cheeks' median, in the 112×112 ArcFace frame (regions scale
 * with its size). Skin keeps its chromaticity under one light, in shadow too; a mask is
 * another colour almost everywhere, even a patterned one whose mean colour is skin-like.
 */
export function lowerFaceSkinShare(aligned: RgbImage): number {
  const s = aligned.width / 112;
  const cheeks = [
    ...chromas(aligned, 24 * s, 56 * s, 40 * s, 68 * s),
    ...chromas(aligned, 72 * s, 56 * s, 88 * s, 68 * s),
  ];
  const skin = { r: median(cheeks.map((c) => c.r)), g: median(cheeks.map((c) => c.g)) };
  const lower = chromas(aligned, 40 * s, 84 * s, 72 * s, 104 * s);
  const matching = lower.filter(
    (c) => Math.hypot(c.r - skin.r, c.g - skin.g) < SKIN_CHROMA_MATCH,
  ).length;
  return matching / lower.length;
}

const median = (v: number[]): number => v.sort((a, b) => a - b)[v.length >> 1]!;

function chromas(
  img: RgbImage,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): { r: number; g: number }[] {
  const out: { r: number; g: number }[] = [];
  for (let y = Math.floor(y1); y < Math.ceil(y2); y++) {
    for (let x = Math.floor(x1); x < Math.ceil(x2); x++) {
      const i = (y * img.width + x) * 3;
      const sum = img.data[i]! + img.data[i + 1]! + img.data[i + 2]! + 1;
      out.push({ r: img.data[i]! / sum, g: img.data[i + 1]! / sum });
    }
  }
  return out;
}
