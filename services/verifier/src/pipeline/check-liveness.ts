/**
 * The liveness half of a request: is the video a live person? Used by the verification
 * endpoint and, alone, by /liveness/silent_detection/stateless.
 */
import type { BlinkSearch, VideoSampling } from '../config/config.js';
import { ApiCode, ApiError, inField } from '../errors/api-error.js';
import { encodeJpeg } from '../media/image/encode-jpeg.js';
import type { VideoFrame } from '../media/types.js';
import { samplingRate } from '../media/video/decode-frames.js';
import { openVideo, type OpenVideo } from '../media/video/load-video.js';
import type { VideoInfo } from '../media/video/probe-video.js';
import {
  analyseVideo,
  captureHints,
  onlyStillnessFails,
  withLaterBlink,
  type CaptureConditions,
  type CaptureHint,
} from './analyse-video.js';
import { roundScore } from './calibrated-score.js';
import type { LivenessCues, LivenessEvidence } from './liveness/fuse-liveness.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { faceClip } from './render-images.js';
import type { StageTimer } from './stage-timer.js';
import { localObserver } from './observe-frame.js';
import { FaceTracker, type FrameObservation } from './track-face.js';

export interface LivenessRequest {
  readonly video: Uint8Array;
  readonly returnImage: boolean;
  readonly returnFaceImage: boolean;
}

export type LivenessStatus = 'ok' | 'hack' | 'short_time';

/** Why a video passed or failed: each cue's measurement and evidence, and the bar. */
export interface LivenessReport {
  readonly cues: LivenessCues;
  readonly evidence: LivenessEvidence;
  readonly threshold: number;
  /** How the clip was filmed (face brightness and size). */
  readonly conditions: CaptureConditions;
  /** What the person could change; empty when the clip passed. */
  readonly hints: readonly CaptureHint[];
  /** Frames decoded for the analysis (the face was tracked in cues.trackedFrames). */
  readonly sampledFrames: number;
  /** Frames of the later window searched for a blink with the face in them (0: no search). */
  readonly blinkSearchFrames: number;
}

export interface LivenessOutcome {
  readonly passed: boolean;
  readonly livenessScore: number;
  readonly livenessStatus: LivenessStatus;
  /** The frame to compare and return; present only when passed. */
  readonly best?: FrameObservation;
  /** Present only when passed and asked for. */
  readonly selectedFrame?: { readonly timestamp: number; readonly jpeg: Buffer };
  readonly faceImage?: Buffer;
  /** Per-cue figures (operators and the evaluation read them; never biometric data). */
  readonly liveness?: LivenessReport;
}

export async function checkLiveness(
  deps: PipelineDeps,
  req: LivenessRequest,
  timer: StageTimer,
  signal: AbortSignal,
): Promise<LivenessOutcome> {
  const { models, config } = deps;
  // Frames are analysed as ffmpeg delivers them, so decoding and inference overlap.
  const tracker = new FaceTracker(deps.frameObserver ?? localObserver(models), signal);
  let video: OpenVideo | undefined;
  try {
    video = await timer.time('decode', () =>
      openVideo(req.video, config.video, config.sampling, {
        ffmpegPath: config.ffmpegPath,
        ffprobePath: config.ffprobePath,
        signal,
      }),
    );
    const opened = video;
    const frames = await timer.time('decode', () =>
      opened.decode(config.sampling, {
        onFrame: opened.tooShort ? undefined : (frame) => tracker.push(frame),
        detectorSize: models.detector.inputSize,
      }),
    );
    if (opened.tooShort) return { passed: false, livenessScore: 0, livenessStatus: 'short_time' };
    const tracked = await tracker.done();
    timer.add('liveness', tracker.busyMs);
    const calibration = models.bundle.manifest.calibration.liveness;
    let analysis = analyseVideo(tracked, frames.length, calibration);
    const threshold = config.livenessThreshold ?? calibration.threshold;
    let searched = 0;
    if (config.blinkSearch.when === 'always' || onlyStillnessFails(analysis.evidence, threshold)) {
      const later = await searchLaterWindow(deps, opened, frames, tracked, timer, signal);
      searched = later.length;
      if (searched > 0) analysis = withLaterBlink(analysis, tracked, later, calibration);
    }
    const passed = analysis.evidence.score >= threshold;
    const base = {
      passed,
      livenessScore: roundScore(analysis.evidence.score),
      liveness: {
        cues: analysis.cues,
        evidence: analysis.evidence,
        threshold,
        conditions: analysis.conditions,
        hints: passed ? [] : captureHints(analysis, calibration, threshold),
        sampledFrames: frames.length,
        blinkSearchFrames: searched,
      },
    };
    if (!passed) return { ...base, livenessStatus: 'hack' };
    const { best } = analysis;
    return {
      ...base,
      livenessStatus: 'ok',
      best,
      ...(req.returnImage
        ? {
            selectedFrame: {
              timestamp: roundScore(best.frame.timestamp),
              jpeg: await encodeJpeg(best.frame.image),
            },
          }
        : {}),
      ...(req.returnFaceImage
        ? { faceImage: await encodeJpeg(faceClip(best.frame.image, best.face.box)) }
        : {}),
    };
  } catch (err) {
    throw inField('encrypted_video', err);
  } finally {
    // A request that failed early leaves no analysis running behind it.
    await tracker.done().catch(() => undefined);
    await video?.close();
  }
}

/**
 * Frames of the searched window decoded ahead of their analysis: enough to keep two frame
 * workers busy. Unbounded, a still clip's searched frames were all held at once (peak RSS
 * +370 MiB at concurrency 1–2, docs/benchmarks.md).
 */
const SEARCH_FRAMES_IN_FLIGHT = 4;

/**
 * The searched window runs the detector on every 3rd frame (4 a second at 12 fps): a face
 * that held still through the first window moves little, and a blink needs the landmarks,
 * not a fresh box. With the detector on every frame at 15 fps, a 10-s still clip cost 2.6×
 * a live request; now 2.0× (docs/benchmarks.md).
 */
const SEARCH_DETECT_EVERY = 3;

/**
 * The face followed through the part of the clip after the first window, for a blink
 * only (decision 0028): no attack model, and no pixels kept once a frame is described.
 */
async function searchLaterWindow(
  deps: PipelineDeps,
  video: OpenVideo,
  first: readonly VideoFrame[],
  tracked: readonly FrameObservation[],
  timer: StageTimer,
  signal: AbortSignal,
): Promise<FrameObservation[]> {
  const { models, config } = deps;
  const window = laterWindow(video.info, first, config.sampling, config.blinkSearch);
  if (window === undefined) return [];
  const tracker = new FaceTracker(deps.frameObserver ?? localObserver(models), signal, {
    from: tracked.at(-1)?.face.box,
    presentationAttack: false,
    keepPixels: false,
    detectEvery: SEARCH_DETECT_EVERY,
  });
  try {
    await timer.time('decode', () =>
      video
        .decode(window.sampling, {
          fromSeconds: window.fromSeconds,
          onFrame: (frame) => tracker.push(frame),
          detectorSize: models.detector.inputSize,
          retainFrames: false,
          maxPendingFrames: SEARCH_FRAMES_IN_FLIGHT,
        })
        // A tail that does not decode (truncated, damaged) leaves the first window's
        // decision as it was, as a damaged tail does inside the window.
        .catch((err: unknown) => {
          if (!(err instanceof ApiError && err.code === ApiCode.invalidImageType)) throw err;
        }),
    );
    return await tracker.done();
  } finally {
    timer.add('liveness', tracker.busyMs);
    // A search that failed leaves no analysis running behind it.
    await tracker.done().catch(() => undefined);
  }
}

/**
 * The part of the clip after the first window to search for a blink (decision 0028):
 * from the first window's end to `blinkSearch.untilSeconds`, at `blinkSearch.fps`;
 * none when the clip ended inside the first window or the search is off.
 */
function laterWindow(
  info: VideoInfo,
  first: readonly VideoFrame[],
  sampling: VideoSampling,
  blinkSearch: BlinkSearch,
): { fromSeconds: number; sampling: VideoSampling } | undefined {
  if (first.length < sampling.maxFrames) return undefined;
  const fromSeconds = first.length / samplingRate(info, sampling.fps);
  const fps = samplingRate(info, blinkSearch.fps);
  const until = Math.min(blinkSearch.untilSeconds, info.durationSeconds);
  const maxFrames = Math.floor((until - fromSeconds) * fps);
  // Two frames at least: one alone cannot dip below the clip's usual openness and recover.
  if (maxFrames < 2) return undefined;
  return { fromSeconds, sampling: { ...sampling, fps, maxFrames } };
}
