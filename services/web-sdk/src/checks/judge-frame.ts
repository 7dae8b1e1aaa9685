/**
 * One frame's verdict, as a hint the page shows live: is there a face in the oval, large
 * enough, and is the light good enough? With the browser's FaceDetector the face comes
 * from a real detector; without it (most browsers) from the skin share of the oval, a
 * cheap heuristic that only guides the person: the service does the real detection.
 */
import { ovalInPixels, type FrameStats, type Oval } from './frame-stats.js';

export type FrameHint = 'ok' | 'no-face' | 'too-far' | 'off-centre' | 'too-dark' | 'too-bright';

/** A detected face's box, in pixels of the analysed frame. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What a frame was judged from: its size, its stats, and detector faces if there is a detector. */
export interface FrameEvidence {
  readonly width: number;
  readonly height: number;
  readonly stats: FrameStats;
  /** undefined: no detector in this browser (the heuristic decides). */
  readonly faces: readonly FaceBox[] | undefined;
}

/** Thresholds, exported so that the docs and tests name the same numbers. */
export const FRAME_LIMITS = {
  /** Mean luma in the oval: below, the face is too dark to judge; above, washed out. */
  minLuma: 50,
  maxLuma: 215,
  /** A covered lens or a blank wall has almost no contrast. */
  minLumaSpread: 10,
  /** Heuristic: skin share of the oval under which no face is there… */
  minSkinForFace: 0.12,
  /** …and under which a face is there but too small (too far away). */
  minSkinForSize: 0.3,
  /** Detector: the face's width as a share of the frame's shorter side. */
  minFaceWidth: 0.25,
} as const;

export function judgeFrame(evidence: FrameEvidence, oval: Oval): FrameHint {
  const { stats, faces } = evidence;
  if (stats.meanLuma < FRAME_LIMITS.minLuma) return 'too-dark';
  if (stats.meanLuma > FRAME_LIMITS.maxLuma) return 'too-bright';
  if (faces !== undefined) return judgeDetectedFaces(evidence, faces, oval);
  if (stats.lumaSpread < FRAME_LIMITS.minLumaSpread) return 'no-face';
  if (stats.skinFraction < FRAME_LIMITS.minSkinForFace) return 'no-face';
  if (stats.skinFraction < FRAME_LIMITS.minSkinForSize) return 'too-far';
  return 'ok';
}

function judgeDetectedFaces(
  evidence: FrameEvidence,
  faces: readonly FaceBox[],
  oval: Oval,
): FrameHint {
  const face = [...faces].sort((a, b) => b.width * b.height - a.width * a.height)[0];
  if (face === undefined) return 'no-face';
  const short = Math.min(evidence.width, evidence.height);
  if (face.width < FRAME_LIMITS.minFaceWidth * short) return 'too-far';
  const o = ovalInPixels(oval, evidence.width, evidence.height);
  const dx = (face.x + face.width / 2 - o.cx) / o.rx;
  const dy = (face.y + face.height / 2 - o.cy) / o.ry;
  return dx * dx + dy * dy > 0.5 ? 'off-centre' : 'ok';
}
