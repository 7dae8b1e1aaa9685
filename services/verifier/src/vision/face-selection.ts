import { boxArea, distance } from './geometry/types.js';
import { fivePoints, type LandmarkedFace } from './face.js';

/**
 * Whether 68 landmarks look like a face seen roughly upright: eyes a sensible fraction
 * of the box apart, the nose below the eye line and the mouth below the nose. Detector
 * hits on background texture rarely pass this; a face turned sideways never does.
 */
export function isPlausibleFace(face: LandmarkedFace): boolean {
  const [le, re, nose, ml, mr] = fivePoints(face.landmarks);
  const width = face.box.x2 - face.box.x1;
  const iod = distance(le, re);
  if (iod < 0.18 * width || iod > 0.75 * width) return false;
  // Coordinates along the face's own vertical axis (perpendicular to the eye line).
  const ex = (re.x - le.x) / iod,
    ey = (re.y - le.y) / iod;
  const eyeMid = { x: (le.x + re.x) / 2, y: (le.y + re.y) / 2 };
  const down = (p: { x: number; y: number }) =>
    ((p.x - eyeMid.x) * -ey + (p.y - eyeMid.y) * ex) / iod;
  const mouthMid = { x: (ml.x + mr.x) / 2, y: (ml.y + mr.y) / 2 };
  return ex > 0.5 && down(nose) > 0.15 && down(mouthMid) > down(nose) && down(mouthMid) < 2.0;
}

/** A landmarked detection with its mirror disagreement (vision/landmark-consistency). */
export interface Candidate extends LandmarkedFace {
  /** Landmark self-disagreement on the mirrored face, in inter-ocular distances. */
  readonly disagreement: number;
}

/**
 * Above this mirror disagreement a "face" is not one the landmark model recognises as an
 * upright face: measured 0.017–0.048 on upright faces, 0.17–0.72 on turned faces and
 * 0.48 on a blurred-crowd box the detector scored 0.973.
 */
export const CONSISTENT_FACE = 0.12;

/**
 * The person the photo or clip is about: the largest plausible face among those the
 * detector is nearly as sure of as its best, preferring faces whose landmarks agree with
 * their mirror image. "Largest box" alone picks blurred background boxes larger than the
 * real face (BASELINES.md); so does "largest plausible box" (deepface img41.jpg).
 */
export function pickSubject<F extends Candidate>(faces: readonly F[]): F | undefined {
  const plausible = faces.filter(isPlausibleFace);
  const consistent = plausible.filter((f) => f.disagreement < CONSISTENT_FACE);
  // When no face is consistent (a mask, a strong profile), keep the plausible ones
  // rather than refusing the photo: the subject is still the best guess there is.
  const pool = consistent.length > 0 ? consistent : plausible;
  if (pool.length === 0) return undefined;
  const best = Math.max(...pool.map((f) => f.score));
  return pool
    .filter((f) => f.score >= best - 0.1)
    .reduce((a, b) => (boxArea(b.box) > boxArea(a.box) ? b : a));
}
