import type { VideoFrame } from '../media/types.js';
import type { FaceModels } from '../vision/face-models.js';
import type { Detection } from '../vision/face.js';
import type { Box } from '../vision/geometry/types.js';
import { localObserver, type FrameFacts, type FrameObserver } from './observe-frame.js';

/** What one sampled frame says about the tracked face. */
export interface FrameObservation extends FrameFacts {
  readonly frame: VideoFrame;
}

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
  /**
   * Milliseconds of analysis: each frame's turn until its face is located, then the wait
   * for the last descriptions; waits for a worker thread included (for Server-Timing: it
   * overlaps decoding).
   */
  busyMs = 0;
  /** Each tracked frame's observation, in frame order; described while later frames go on. */
  private readonly described: Promise<FrameObservation>[] = [];
  private previous: Box | undefined;
  private tail: Promise<void> = Promise.resolve();
  private failure: { readonly err: unknown } | undefined;

  constructor(
    private readonly observer: FrameObserver,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Queues a frame. Its detection starts at once (it depends on no other frame); faces
   * are located one frame at a time, in order, each from the previous frame's box; a
   * located face is described beside the next frames.
   */
  push(frame: VideoFrame): void {
    const detections = this.stopped()
      ? Promise.resolve([])
      : this.observer.detect(frame.image, frame.detectorImage);
    // Observed below; this keeps a detection that fails after an earlier failure quiet.
    detections.catch(() => undefined);
    // The chain never rejects: a failure is kept for done(), so a request that fails
    // elsewhere and never calls done() leaves no unhandled rejection behind.
    this.tail = this.tail.then(async () => {
      if (this.failure !== undefined) return;
      const t0 = performance.now();
      try {
        await this.locateNext(frame, await detections);
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
    const t0 = performance.now();
    const observations = await Promise.allSettled(this.described);
    this.busyMs += performance.now() - t0;
    if (this.failure !== undefined) throw this.failure.err;
    return observations.map((o) => {
      if (o.status === 'rejected') throw o.reason;
      return o.value;
    });
  }

  private stopped(): boolean {
    return this.failure !== undefined || this.signal?.aborted === true;
  }

  private async locateNext(frame: VideoFrame, detections: Detection[]): Promise<void> {
    // A client that went away stops the work between frames, not after the clip.
    this.signal?.throwIfAborted();
    const face = await this.observer.locate({
      image: frame.image,
      detections,
      previous: this.previous,
    });
    // A lost face keeps its last box: re-acquiring "a" subject could switch people, and
    // two faces' landmarks differ by far more than any live motion.
    if (face === undefined) return;
    this.previous = face.box;
    const withPad = this.described.length % PAD_EVERY === 0;
    const described = this.observer
      .describe({ image: frame.image, face, withPad })
      .then((facts) => ({ frame, ...facts }));
    described.catch(() => undefined);
    this.described.push(described);
  }
}

/** Convenience for callers that hold every frame already (tests, evaluation). */
export async function trackFace(
  models: FaceModels,
  frames: readonly VideoFrame[],
  signal?: AbortSignal,
): Promise<FrameObservation[]> {
  const tracker = new FaceTracker(localObserver(models), signal);
  for (const frame of frames) tracker.push(frame);
  return tracker.done();
}
