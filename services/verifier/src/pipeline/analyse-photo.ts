import type { RgbImage } from '../media/types.js';
import { detectionFailed, faceOcclusion } from '../errors/api-error.js';
import type { LandmarkedFace } from '../vision/face.js';
import type { FaceTemplate } from '../vision/face-matcher.js';
import type { FaceModels } from '../vision/face-models.js';
import { rotateQuarter, type QuarterTurns } from '../vision/geometry/rotate.js';
import {
  CONSISTENT_FACE,
  isPlausibleFace,
  pickSubject,
  type Candidate,
} from '../vision/face-selection.js';
import { assessOcclusion } from '../vision/occlusion.js';
import { findFaces } from './find-subject.js';
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
  readonly template: FaceTemplate;
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
  if (face === undefined) throw detectionFailed('no face detected in the photo');
  if (opts.checkQuality) {
    const occlusion = await timer.time('detect', () => assessOcclusion(models, image, face));
    if (occlusion.occluded)
      throw faceOcclusion(`the face in the photo is occluded: ${occlusion.reasons.join(', ')}`);
  }
  const template = await timer.time('embed', () => models.matcher.template(image, face));
  return { face, turns, template };
}

/**
 * How upright an image's faces look: the share of plausible faces whose landmarks agree
 * with their mirror image. One face can look consistent by chance in a wrong orientation
 * (measured: one of three faces of a group photo turned 270°); most faces do not.
 */
function uprightShare(faces: readonly Candidate[]): number {
  const plausible = faces.filter(isPlausibleFace);
  if (plausible.length === 0) return 0;
  return plausible.filter((f) => f.disagreement < CONSISTENT_FACE).length / plausible.length;
}

async function bestOrientation(
  models: FaceModels,
  photo: RgbImage,
  autoRotate: boolean,
): Promise<{ image: RgbImage; face: LandmarkedFace | undefined; turns: QuarterTurns }> {
  const faces = await facesOrFramed(models, photo);
  const upright = {
    image: photo,
    face: pickSubject(faces),
    turns: 0 as QuarterTurns,
    share: uprightShare(faces),
  };
  // The common case stays cheap: when most faces look upright, no search.
  if (!autoRotate || upright.share >= 0.5) return upright;
  // The detector scores some upside-down faces at 1.000, so orientation is judged by the
  // landmark model's agreement with itself on mirrored faces (vision/landmark-consistency).
  let best = upright;
  for (const turns of [1, 2, 3] as const) {
    const image = rotateQuarter(photo, turns);
    const turned = await facesOrFramed(models, image);
    const share = uprightShare(turned);
    const face = pickSubject(turned);
    const better =
      share > best.share ||
      (share === best.share &&
        face !== undefined &&
        face.disagreement < (best.face?.disagreement ?? Infinity));
    if (face !== undefined && better) best = { image, face, turns, share };
  }
  return best;
}

/**
 * The photo's faces; when it has no plausible one, those found with a border around it.
 * A face that fills the frame (an ID-style crop) is missed by the detector without
 * context; the retry costs one detector run, and only for such photos.
 */
async function facesOrFramed(models: FaceModels, image: RgbImage): Promise<Candidate[]> {
  const faces = await findFaces(models, image);
  if (faces.some(isPlausibleFace)) return faces;
  return findFaces(models, image, await models.detector.detectWithBorder(image));
}
