import type { VideoFrame } from '../media/types.js';
import type { EyeOpenness } from '../vision/eye-state.js';
import { fivePoints, interOcular, type LandmarkedFace } from '../vision/face.js';
import type { FaceModels } from '../vision/face-models.js';
import { frontalness, sharpness } from '../vision/face-quality.js';
import { isPlausibleFace } from '../vision/face-selection.js';
import { iou } from '../vision/geometry/types.js';
import { findSubject } from './find-subject.js';

/** What one sampled frame says about the tracked face. */
export interface FrameObservation {
  readonly frame: VideoFrame;
  readonly face: LandmarkedFace;
  readonly eyes: EyeOpenness;
  /** The presentation-attack model's "real" probability for this frame. */
  readonly realScore: number;
  readonly sharpness: number;
  readonly frontalness: number;
  /** Inter-ocular distance in pixels: the face's scale. */
  readonly iod: number;
}

/** A tracked box must overlap the previous one this much to be the same person. */
const MIN_TRACK_IOU = 0.3;

/**
 * Follows one face through the sampled frames: the subject of the first frame that has
 * one, then in each frame the detection overlapping it most. Frames where the face is
 * lost are skipped rather than re-assigned to a bystander.
 */
export async function trackFace(
  models: FaceModels,
  frames: readonly VideoFrame[],
  signal?: AbortSignal,
): Promise<FrameObservation[]> {
  const out: FrameObservation[] = [];
  let previous: LandmarkedFace | undefined;
  for (const frame of frames) {
    // A client that went away stops the work between frames, not after the clip.
    signal?.throwIfAborted();
    const face = previous === undefined ? await findSubject(models, frame.image) : await follow(models, frame, previous);
    if (face === undefined) continue;
    previous = face;
    const [eyes, realScore] = await Promise.all([
      models.eyes.openness(frame.image, face.landmarks),
      models.liveness.realScore(frame.image, face.box),
    ]);
    const aligned = models.embedder.align(frame.image, fivePoints(face.landmarks));
    out.push({
      frame,
      face,
      eyes,
      realScore,
      sharpness: sharpness(aligned),
      frontalness: frontalness(face.landmarks),
      iod: interOcular(face.landmarks),
    });
  }
  return out;
}

async function follow(models: FaceModels, frame: VideoFrame, previous: LandmarkedFace): Promise<LandmarkedFace | undefined> {
  const detections = await models.detector.detect(frame.image);
  let best: (typeof detections)[number] | undefined;
  let bestIou = MIN_TRACK_IOU;
  for (const d of detections) {
    const o = iou(d.box, previous.box);
    if (o >= bestIou) {
      best = d;
      bestIou = o;
    }
  }
  if (best === undefined) return undefined;
  const face = await models.landmarker.landmarks(frame.image, best);
  return isPlausibleFace(face) ? face : undefined;
}
