/**
 * The liveness half of a request: is the video a live person? Used by the verification
 * endpoint and, alone, by /liveness/silent_detection/stateless.
 */
import { inField } from '../errors/api-error.js';
import { encodeJpeg } from '../media/image/encode-jpeg.js';
import { loadVideo } from '../media/video/load-video.js';
import {
  analyseVideo,
  captureHints,
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
  try {
    const video = await timer.time('decode', () =>
      loadVideo(req.video, config.video, config.sampling, {
        ffmpegPath: config.ffmpegPath,
        ffprobePath: config.ffprobePath,
        signal,
        onFrame: (frame) => tracker.push(frame),
        detectorSize: models.detector.inputSize,
      }),
    );
    if (video.tooShort) return { passed: false, livenessScore: 0, livenessStatus: 'short_time' };
    const tracked = await tracker.done();
    timer.add('liveness', tracker.busyMs);
    const calibration = models.bundle.manifest.calibration.liveness;
    const analysis = analyseVideo(tracked, video.frames.length, calibration);
    const threshold = config.livenessThreshold ?? calibration.threshold;
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
        sampledFrames: video.frames.length,
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
  }
}
