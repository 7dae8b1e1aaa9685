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

/**
 * The person the photo or clip is about: the largest plausible face among those the
 * detector is nearly as sure of as its best. "Largest box" alone picks blurred
 * background boxes larger than the real face (BASELINES.md).
 */
export function pickSubject(faces: readonly LandmarkedFace[]): LandmarkedFace | undefined {
  const plausible = faces.filter(isPlausibleFace);
  if (plausible.length === 0) return undefined;
  const best = Math.max(...plausible.map((f) => f.score));
  return plausible
    .filter((f) => f.score >= best - 0.1)
    .reduce((a, b) => (boxArea(b.box) > boxArea(a.box) ? b : a));
}
