/**
 * What one video frame says about the tracked face: the per-frame half of tracking,
 * free of state so that it can run on any thread that holds the models (see
 * frame-workers.ts). The tracker owns the order of frames and the previous face.
 */
import type { RgbImage } from '../media/types.js';
import type { EyeOpenness } from '../vision/eye-state.js';
import { fivePoints, interOcular, type Detection, type LandmarkedFace } from '../vision/face.js';
import type { FaceModels } from '../vision/face-models.js';
import { frontalness, sharpness } from '../vision/face-quality.js';
import { isPlausibleFace } from '../vision/face-selection.js';
import { iou, type Box } from '../vision/geometry/types.js';
import { findSubject } from './find-subject.js';

/** A frame's measurements of the face; the frame itself stays with the caller. */
export interface FrameFacts {
  readonly face: LandmarkedFace;
  readonly eyes: EyeOpenness;
  /** The presentation-attack model's "real" probability, when it was asked for. */
  readonly realScore: number | undefined;
  readonly sharpness: number;
  readonly frontalness: number;
  /** Inter-ocular distance in pixels: the face's scale. */
  readonly iod: number;
}

export interface FrameTask {
  readonly image: RgbImage;
  /** The face's box in the previous tracked frame; none: find the subject afresh. */
  readonly previous: Box | undefined;
  /** Whether to run the presentation-attack model on this frame. */
  readonly withPad: boolean;
}

/** Observes one frame wherever the models live: in this thread or in a worker. */
export type FrameObserver = (task: FrameTask) => Promise<FrameFacts | undefined>;

/** A tracked box must overlap the previous one this much to be the same person. */
const MIN_TRACK_IOU = 0.3;

/** The observer that runs on the calling thread's models. */
export const localObserver =
  (models: FaceModels): FrameObserver =>
  (task) =>
    observeFrame(models, task);

export async function observeFrame(
  models: FaceModels,
  { image, previous, withPad }: FrameTask,
): Promise<FrameFacts | undefined> {
  const face = await locate(models, image, previous);
  if (face === undefined) return undefined;
  const [eyes, realScore] = await Promise.all([
    models.eyes.openness(image, face.landmarks),
    withPad ? models.liveness.realScore(image, face.box) : undefined,
  ]);
  const aligned = models.embedder.align(image, fivePoints(face.landmarks));
  return {
    face,
    eyes,
    realScore,
    sharpness: sharpness(aligned),
    frontalness: frontalness(face.landmarks),
    iod: interOcular(face.landmarks),
  };
}

/** The detection overlapping the previous box most, landmarked; or the subject afresh. */
async function locate(
  models: FaceModels,
  image: RgbImage,
  previous: Box | undefined,
): Promise<LandmarkedFace | undefined> {
  if (previous === undefined) return findSubject(models, image);
  let best: Detection | undefined;
  let bestIou = MIN_TRACK_IOU;
  for (const d of await models.detector.detect(image)) {
    const o = iou(d.box, previous);
    if (o >= bestIou) {
      best = d;
      bestIou = o;
    }
  }
  if (best === undefined) return undefined;
  const face = await models.landmarker.landmarks(image, best);
  return isPlausibleFace(face) ? face : undefined;
}
