import type { VideoFrame } from '../media/types.js';
import type { EyeOpenness } from '../vision/eye-state.js';
import { fivePoints, interOcular, type Detection, type LandmarkedFace } from '../vision/face.js';
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
  /**
   * The presentation-attack model's "real" probability, on every PAD_EVERY-th tracked
   * frame (per frame it is noisy; a handful of frames is as good as all of them).
   */
  readonly realScore: number | undefined;
  readonly sharpness: number;
  readonly frontalness: number;
  /** Inter-ocular distance in pixels: the face's scale. */
  readonly iod: number;
}

/** A tracked box must overlap the previous one this much to be the same person. */
const MIN_TRACK_IOU = 0.3;
/** The presentation-attack model runs on every PAD_EVERY-th tracked frame. */
export const PAD_EVERY = 3;

/**
 * Follows one face through a clip's frames as they are decoded: the subject of the first
 * frame that has one, then in each frame the detection overlapping it most. Frames where
 * the face is lost are skipped rather than re-assigned to a bystander.
 *
 * The detector runs on every frame. Predicting the box from the previous landmarks
 * (MediaPipe-style) saved two detector runs in three but fed landmark jitter back into
 * the box: on still-photo clips the non-planar motion cue rose from ≤ 0.016 to 0.022 IOD,
 * eating most of the margin to the live threshold (docs/benchmarks.md).
 */
export class FaceTracker {
  readonly observations: FrameObservation[] = [];
  /** Milliseconds spent analysing frames (for Server-Timing: it overlaps decoding). */
  busyMs = 0;
  private previous: LandmarkedFace | undefined;
  private tail: Promise<void> = Promise.resolve();
  private failure: { readonly err: unknown } | undefined;

  constructor(
    private readonly models: FaceModels,
    private readonly signal?: AbortSignal,
  ) {}

  /** Queues a frame; frames are analysed one at a time, in order. */
  push(frame: VideoFrame): void {
    // The chain never rejects: a failure is kept for done(), so a request that fails
    // elsewhere and never calls done() leaves no unhandled rejection behind.
    this.tail = this.tail.then(async () => {
      if (this.failure !== undefined) return;
      const t0 = performance.now();
      try {
        await this.observe(frame);
      } catch (err) {
        this.failure = { err };
      } finally {
        this.busyMs += performance.now() - t0;
      }
    });
  }

  /** Resolves once every pushed frame is analysed; rejects with the first failure. */
  async done(): Promise<FrameObservation[]> {
    await this.tail;
    if (this.failure !== undefined) throw this.failure.err;
    return this.observations;
  }

  private async observe(frame: VideoFrame): Promise<void> {
    // A client that went away stops the work between frames, not after the clip.
    this.signal?.throwIfAborted();
    const face = await this.locate(frame);
    // A lost face keeps its last box: re-acquiring "a" subject could switch people, and
    // two faces' landmarks differ by far more than any live motion.
    if (face === undefined) return;
    this.previous = face;
    const { models } = this;
    const padDue = this.observations.length % PAD_EVERY === 0;
    const [eyes, realScore] = await Promise.all([
      models.eyes.openness(frame.image, face.landmarks),
      padDue ? models.liveness.realScore(frame.image, face.box) : undefined,
    ]);
    const aligned = models.embedder.align(frame.image, fivePoints(face.landmarks));
    this.observations.push({
      frame,
      face,
      eyes,
      realScore,
      sharpness: sharpness(aligned),
      frontalness: frontalness(face.landmarks),
      iod: interOcular(face.landmarks),
    });
  }

  private async locate(frame: VideoFrame): Promise<LandmarkedFace | undefined> {
    const { models, previous } = this;
    if (previous === undefined) return findSubject(models, frame.image);
    let best: Detection | undefined;
    let bestIou = MIN_TRACK_IOU;
    for (const d of await models.detector.detect(frame.image)) {
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
}

/** Convenience for callers that hold every frame already (tests, evaluation). */
export async function trackFace(
  models: FaceModels,
  frames: readonly VideoFrame[],
  signal?: AbortSignal,
): Promise<FrameObservation[]> {
  const tracker = new FaceTracker(models, signal);
  for (const frame of frames) tracker.push(frame);
  return tracker.done();
}
