import type { RgbImage } from '../media/types.js';
import { boxArea } from '../vision/geometry/types.js';
import type { LandmarkedFace } from '../vision/face.js';
import type { FaceModels } from '../vision/face-models.js';
import { pickSubject } from '../vision/face-selection.js';

/** At most this many detector hits get landmarks: group photos must not cost 50 runs. */
const MAX_CANDIDATES = 5;

/** Detects, landmarks the largest few candidates and picks the subject. */
export async function findSubject(
  models: FaceModels,
  image: RgbImage,
): Promise<LandmarkedFace | undefined> {
  const detections = await models.detector.detect(image);
  const candidates = [...detections]
    .sort((a, b) => boxArea(b.box) - boxArea(a.box))
    .slice(0, MAX_CANDIDATES);
  const faces = await Promise.all(candidates.map((d) => models.landmarker.landmarks(image, d)));
  return pickSubject(faces);
}
