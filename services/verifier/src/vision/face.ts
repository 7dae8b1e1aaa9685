import type { Box, Point } from './geometry/types.js';

/** A detector hit: where a face is and how sure the detector is. */
export interface Detection {
  readonly box: Box;
  readonly score: number;
}

/** A detected face with its 68 landmarks (iBUG 300-W order, 0-based). */
export interface LandmarkedFace extends Detection {
  readonly landmarks: readonly Point[];
}

/** The five points of ArcFace alignment: eyes, nose tip, mouth corners (image left → right). */
export type FivePoints = readonly [Point, Point, Point, Point, Point];

/** Landmark index ranges of the 68-point scheme that later stages read. */
export const LANDMARKS = {
  jaw: [0, 16],
  leftEye: [36, 41],
  rightEye: [42, 47],
  noseTip: 30,
  /** Top of the nose bridge and base of the nose: its length is the face's height scale. */
  noseLength: [27, 33],
  mouth: [48, 67],
  /** Points 17–67: everything but the jaw outline, which jitters most (BASELINES.md). */
  inner: [17, 67],
} as const;

const meanOf = (pts: readonly Point[], idx: readonly number[]): Point => {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += pts[i]!.x;
    y += pts[i]!.y;
  }
  return { x: x / idx.length, y: y / idx.length };
};

/** The five alignment points from 68 landmarks (MODELS.md's recipe). */
export function fivePoints(l: readonly Point[]): FivePoints {
  return [
    meanOf(l, [37, 38, 40, 41]),
    meanOf(l, [43, 44, 46, 47]),
    l[30]!,
    meanOf(l, [48, 60]),
    meanOf(l, [54, 64]),
  ];
}

/** Distance between the eye centres: the unit for every landmark-based measure. */
export function interOcular(l: readonly Point[]): number {
  const [le, re] = fivePoints(l);
  return Math.hypot(le.x - re.x, le.y - re.y);
}
