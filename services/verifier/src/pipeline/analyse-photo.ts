import type { RgbImage } from '../media/types.js';
import { detectionFailed, faceOcclusion } from '../errors/api-error.js';
import type { Embedding } from '../vision/embedder.js';
import { fivePoints, type LandmarkedFace } from '../vision/face.js';
import type { FaceModels } from '../vision/face-models.js';
import { rotateQuarter, type QuarterTurns } from '../vision/geometry/rotate.js';
import { mirrorDisagreement } from '../vision/landmark-consistency.js';
import { assessOcclusion } from '../vision/occlusion.js';
import { findSubject } from './find-subject.js';
import type { StageTimer } from './stage-timer.js';

export interface PhotoOptions {
  /** Also try 90/180/270° and keep the orientation with the best face. */
  readonly autoRotate: boolean;
  /** Refuse a face whose eyes, nose or mouth are occluded (4004). */
  readonly checkQuality: boolean;
}

/** The enrolment photo's face, ready to compare. */
export interface PhotoFace {
  readonly face: LandmarkedFace;
  readonly turns: QuarterTurns;
  readonly embedding: Embedding;
}

/** Finds, checks and embeds the face of the photo (EXIF orientation already applied). */
export async function analysePhoto(
  models: FaceModels,
  photo: RgbImage,
  opts: PhotoOptions,
  timer: StageTimer,
): Promise<PhotoFace> {
  const { image, face, turns } = await timer.time('detect', () =>
    bestOrientation(models, photo, opts.autoRotate),
  );
  if (face === undefined) throw detectionFailed('no face detected in encrypted_image');
  if (opts.checkQuality) {
    const occlusion = await timer.time('detect', () => assessOcclusion(models, image, face));
    if (occlusion.occluded)
      throw faceOcclusion(
        `the face in encrypted_image is occluded: ${occlusion.reasons.join(', ')}`,
      );
  }
  const embedding = await timer.time('embed', () =>
    models.embedder.embed(models.embedder.align(image, fivePoints(face.landmarks))),
  );
  return { face, turns, embedding };
}

/** Below this mirror disagreement (in IODs) a face is upright: measured 0.017–0.048 upright, 0.17–0.72 turned. */
export const UPRIGHT_DISAGREEMENT = 0.1;

async function bestOrientation(
  models: FaceModels,
  photo: RgbImage,
  autoRotate: boolean,
): Promise<{ image: RgbImage; face: LandmarkedFace | undefined; turns: QuarterTurns }> {
  const upright = await findSubject(models, photo);
  if (!autoRotate) return { image: photo, face: upright, turns: 0 };
  // The detector scores some upside-down faces at 1.000, so orientation is judged by the
  // landmark model's agreement with itself on the mirrored face (vision/landmark-consistency).
  let best = { image: photo, face: upright, turns: 0 as QuarterTurns, disagreement: Infinity };
  if (upright !== undefined) {
    best.disagreement = await mirrorDisagreement(models.landmarker, photo, upright);
    // The common case stays cheap: an upright face needs no search.
    if (best.disagreement < UPRIGHT_DISAGREEMENT) return best;
  }
  for (const turns of [1, 2, 3] as const) {
    const image = rotateQuarter(photo, turns);
    const face = await findSubject(models, image);
    if (face === undefined) continue;
    const disagreement = await mirrorDisagreement(models.landmarker, image, face);
    if (disagreement < best.disagreement) best = { image, face, turns, disagreement };
  }
  return best;
}
