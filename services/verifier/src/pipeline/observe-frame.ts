/**
 * What one video frame says about the tracked face, in three steps free of state so that
 * they can run on any thread that holds the models (see frame-workers.ts):
 *  - detect: the frame's face boxes; depends on nothing else, so it runs ahead;
 *  - locate: the tracked face among those boxes (or the subject, in the first frame),
 *    landmarked. It needs the previous frame's box: the tracker runs these in order, and
 *    they are all that is in order;
 *  - describe: eyes, presentation-attack score and quality of a located face; depends on
 *    that frame alone, so it runs beside the next frames' steps.
 */
import type { RgbImage } from '../media/types.js';
import type { EyeOpenness } from '../vision/eye-state.js';
import { fivePoints, interOcular, type Detection, type LandmarkedFace } from '../vision/face.js';
import type { FaceModels } from '../vision/face-models.js';
import { brightness, frontalness, saturation, sharpness } from '../vision/face-quality.js';
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
  /** Mean luma (0–255) of the face's skin: capture conditions, not a cue. */
  readonly brightness: number;
  /** Colour saturation (0–1) of the face's skin: 0 from a monochrome camera. */
  readonly saturation: number;
  readonly frontalness: number;
  /** Inter-ocular distance in pixels: the face's scale. */
  readonly iod: number;
  /** The face's box reaches the frame's border: part of the face may be outside it. */
  readonly cutByFrame: boolean;
}

export interface LocateTask {
  readonly image: RgbImage;
  /** The frame's detections (from `detect`). */
  readonly detections: readonly Detection[];
  /** The face's box in the previous tracked frame; none: find the subject afresh. */
  readonly previous: Box | undefined;
}

export interface DescribeTask {
  readonly image: RgbImage;
  readonly face: LandmarkedFace;
  /** Whether to run the presentation-attack model on this frame. */
  readonly withPad: boolean;
}

/** The three steps, wherever the models live: in this thread or on worker threads. */
export interface FrameObserver {
  /** `resized`: the whole frame at the detector's input size, when the decoder made it. */
  detect(image: RgbImage, resized?: RgbImage): Promise<Detection[]>;
  locate(task: LocateTask): Promise<LandmarkedFace | undefined>;
  describe(task: DescribeTask): Promise<FrameFacts>;
}

/** A tracked box must overlap the previous one this much to be the same person. */
const MIN_TRACK_IOU = 0.3;

/** The observer that runs on the calling thread's models. */
export const localObserver = (models: FaceModels): FrameObserver => ({
  detect: (image, resized) => models.detector.detect(image, undefined, resized),
  locate: (task) => locateFace(models, task),
  describe: (task) => describeFace(models, task),
});

export async function locateFace(
  models: FaceModels,
  { image, detections, previous }: LocateTask,
): Promise<LandmarkedFace | undefined> {
  return previous === undefined
    ? findSubject(models, image, detections)
    : follow(models, image, detections, previous);
}

export async function describeFace(
  models: FaceModels,
  { image, face, withPad }: DescribeTask,
): Promise<FrameFacts> {
  const [eyes, realScore] = await Promise.all([
    models.eyes.openness(image, face.landmarks),
    withPad ? models.liveness.realScore(image, face.box) : undefined,
  ]);
  // Only to rank the clip's frames by sharpness, against each other at about the same
  // scale: the averaging that the embedder needs would cost every frame ~1 ms for nothing.
  const aligned = models.embedder.align(image, fivePoints(face.landmarks), { antialias: false });
  return {
    face,
    eyes,
    realScore,
    sharpness: sharpness(aligned),
    brightness: brightness(aligned),
    saturation: saturation(aligned),
    frontalness: frontalness(face.landmarks),
    iod: interOcular(face.landmarks),
    cutByFrame: reachesBorder(face.box, image),
  };
}

/**
 * Whether the face's box reaches the frame's border. The detector clips its boxes to the
 * picture, so a face cut by the frame has a box on the border; the landmarks of such a
 * face guess at the missing part inside the box (measured: a face cut below the nose had
 * its eyes placed 25% too close together and its mouth inside the picture).
 */
const reachesBorder = (b: Box, image: RgbImage): boolean =>
  b.x1 < 1 || b.y1 < 1 || b.x2 > image.width - 1 || b.y2 > image.height - 1;

/** The detection overlapping the previous box most, landmarked, if it looks like a face. */
async function follow(
  models: FaceModels,
  image: RgbImage,
  detections: readonly Detection[],
  previous: Box,
): Promise<LandmarkedFace | undefined> {
  let best: Detection | undefined;
  let bestIou = MIN_TRACK_IOU;
  for (const d of detections) {
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
