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

  private readonly withPad: boolean;
  private readonly keepPixels: boolean;
  private readonly detectEvery: number;
  private pushed = 0;

  /**
   * `from`: the face's box in the frame before the first one pushed, to go on following
   * it (a later window of the same clip) instead of finding the subject afresh.
   * `presentationAttack: false`: never run the attack model. `keepPixels: false`: an
   * observation keeps its frame's time but not its pixels, which are freed once described.
   * `detectEvery: n`: the detector runs on every n-th frame only, and the frames between
   * are landmarked in the last tracked box (all three for a window searched only for a
   * blink, decision 0028, where the box's jitter does not matter).
   */
  constructor(
    private readonly observer: FrameObserver,
    private readonly signal?: AbortSignal,
    options: {
      readonly from?: Box | undefined;
      readonly presentationAttack?: boolean;
      readonly keepPixels?: boolean;
      readonly detectEvery?: number;
    } = {},
  ) {
    this.previous = options.from;
    this.withPad = options.presentationAttack ?? true;
    this.keepPixels = options.keepPixels ?? true;
    this.detectEvery = options.detectEvery ?? 1;
  }

  /**
   * Queues a frame. Its detection starts at once (it depends on no other frame); faces
   * are located one frame at a time, in order, each from the previous frame's box; a
   * located face is described beside the next frames. Resolves (never rejects) once this
   * frame's analysis is over, so that a decoder can hold back until it is.
   */
  push(frame: VideoFrame): Promise<void> {
    const detect = this.pushed++ % this.detectEvery === 0;
    // undefined: no detector run for this frame; it is landmarked in the last tracked box.
    const detections: Promise<Detection[] | undefined> = this.stopped()
      ? Promise.resolve([])
      : detect
        ? this.observer.detect(frame.image, frame.detectorImage)
        : Promise.resolve(undefined);
    // Observed below; this keeps a detection that fails after an earlier failure quiet.
    detections.catch(() => undefined);
    // The chain never rejects: a failure is kept for done(), so a request that fails
    // elsewhere and never calls done() leaves no unhandled rejection behind.
    let located: { readonly described: Promise<unknown> } | undefined;
    this.tail = this.tail.then(async () => {
      if (this.failure !== undefined) return;
      const t0 = performance.now();
      try {
        const found = await detections;
        const previous = this.previous;
        const reused = previous === undefined ? [] : [{ box: previous, score: 1 }];
        located = await this.locateNext(frame, found ?? reused);
      } catch (err) {
        this.failure = { err };
      } finally {
        this.busyMs += performance.now() - t0;
      }
    });
    return this.tail
      .then(() => located?.described)
      .then(
        () => undefined,
        () => undefined,
      );
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

  /**
   * Locates the face in the frame and starts its description, whose promise it returns
   * wrapped: returned bare from an async function, it would be awaited here, and the next
   * frame's locating would wait for this one's description.
   */
  private async locateNext(
    frame: VideoFrame,
    detections: Detection[],
  ): Promise<{ readonly described: Promise<FrameObservation> } | undefined> {
    // A client that went away stops the work between frames, not after the clip.
    this.signal?.throwIfAborted();
    const face = await this.observer.locate({
      image: frame.image,
      detections,
      previous: this.previous,
    });
    // A lost face keeps its last box: re-acquiring "a" subject could switch people, and
    // two faces' landmarks differ by far more than any live motion.
    if (face === undefined) return undefined;
    this.previous = face.box;
    const withPad = this.withPad && this.described.length % PAD_EVERY === 0;
    const described = this.observer
      .describe({ image: frame.image, face, withPad })
      .then((facts) => ({ frame: this.keepPixels ? frame : timeOnly(frame), ...facts }));
    described.catch(() => undefined);
    this.described.push(described);
    return { described };
  }
}

/** A frame's time, without its pixels (a 0×0 image). */
const timeOnly = (frame: VideoFrame): VideoFrame => ({
  timestamp: frame.timestamp,
  image: { width: 0, height: 0, data: new Uint8Array(0) },
});

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
