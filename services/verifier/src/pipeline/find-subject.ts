import type { RgbImage } from '../media/types.js';
import { boxArea } from '../vision/geometry/types.js';
import type { Detection } from '../vision/face.js';
import type { FaceModels } from '../vision/face-models.js';
import { pickSubject, type Candidate } from '../vision/face-selection.js';
import { mirrorDisagreement } from '../vision/landmark-consistency.js';

/** At most this many detector hits get landmarks: group photos must not cost 50 runs. */
const MAX_CANDIDATES = 5;

/**
 * Detects (unless the detections are given), landmarks the largest few candidates and
 * measures their mirror consistency.
 */
export async function findFaces(
  models: FaceModels,
  image: RgbImage,
  detected?: readonly Detection[],
): Promise<Candidate[]> {
  const detections = detected ?? (await models.detector.detect(image));
  const largest = [...detections]
    .sort((a, b) => boxArea(b.box) - boxArea(a.box))
    .slice(0, MAX_CANDIDATES);
  return Promise.all(
    largest.map(async (d) => {
      const face = await models.landmarker.landmarks(image, d);
      return { ...face, disagreement: await mirrorDisagreement(models.landmarker, image, face) };
    }),
  );
}

/** The subject of an image (see pickSubject), or undefined when it has no plausible face. */
export async function findSubject(
  models: FaceModels,
  image: RgbImage,
  detected?: readonly Detection[],
): Promise<Candidate | undefined> {
  return pickSubject(await findFaces(models, image, detected));
}
