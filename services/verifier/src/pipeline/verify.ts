/**
 * The use case of POST /identity/silent_image_verification/stateless, without HTTP:
 * photo and video bytes (already decrypted) in, the seed's answer out. A CLI, the
 * benchmark and the evaluation call this directly.
 */
import type { Config } from '../config/config.js';
import { decodePhoto } from '../media/image/decode-photo.js';
import { loadVideo } from '../media/video/load-video.js';
import { cosine } from '../vision/embedder.js';
import { fivePoints } from '../vision/face.js';
import type { FaceModels } from '../vision/face-models.js';
import { analysePhoto, type PhotoOptions } from './analyse-photo.js';
import { analyseVideo } from './analyse-video.js';
import { FaceTracker } from './track-face.js';
import {
  DEFAULT_LIVENESS_CALIBRATION,
  type LivenessCues,
  type LivenessEvidence,
} from './liveness/fuse-liveness.js';
import { encodeJpeg } from '../media/image/encode-jpeg.js';
import { faceClip } from './render-images.js';
import type { StageTimer } from './stage-timer.js';
import { verificationScore } from './verification-score.js';

export interface VerifyRequest extends PhotoOptions {
  readonly photo: Uint8Array;
  readonly video: Uint8Array;
  readonly returnImage: boolean;
  readonly returnFaceImage: boolean;
}

export type LivenessStatus = 'ok' | 'hack' | 'short_time';

export interface VerifyOutcome {
  readonly passed: boolean;
  readonly livenessScore: number;
  readonly livenessStatus: LivenessStatus;
  /** Present only when passed. */
  readonly verificationScore?: number;
  /** Present only when passed and asked for. */
  readonly selectedFrame?: { readonly timestamp: number; readonly jpeg: Buffer };
  readonly faceImage?: Buffer;
  /** Per-cue figures (operators and the evaluation read them; never biometric data). */
  readonly liveness?: { readonly cues: LivenessCues; readonly evidence: LivenessEvidence };
  readonly cosine?: number;
}

export interface VerifyDeps {
  readonly models: FaceModels;
  readonly config: Pick<
    Config,
    | 'image'
    | 'video'
    | 'sampling'
    | 'ffmpegPath'
    | 'ffprobePath'
    | 'livenessThreshold'
    | 'verificationCalibration'
  >;
}

export async function verify(
  deps: VerifyDeps,
  req: VerifyRequest,
  timer: StageTimer,
  signal?: AbortSignal,
): Promise<VerifyOutcome> {
  const { models, config } = deps;
  // One failing half stops the other: no decode keeps running for a request that failed.
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const photoWork = (async () => {
      const decoded = await timer.time('decode', () => decodePhoto(req.photo, config.image));
      return analysePhoto(models, decoded.image, req, timer);
    })();
    // Frames are analysed as ffmpeg delivers them, so decoding and inference overlap.
    const tracker = new FaceTracker(models, abort.signal);
    const videoWork = timer.time('decode', () =>
      loadVideo(req.video, config.video, config.sampling, {
        ffmpegPath: config.ffmpegPath,
        ffprobePath: config.ffprobePath,
        signal: abort.signal,
        onFrame: (frame) => tracker.push(frame),
      }),
    );
    const [photo, video] = await Promise.all([photoWork, videoWork]).catch((err: unknown) => {
      abort.abort();
      // Settle both so no rejection goes unobserved.
      return Promise.allSettled([photoWork, videoWork]).then(() => Promise.reject(err));
    });

    if (video.tooShort) return { passed: false, livenessScore: 0, livenessStatus: 'short_time' };

    const tracked = await tracker.done();
    timer.add('liveness', tracker.busyMs);
    const analysis = analyseVideo(tracked, video.frames.length, DEFAULT_LIVENESS_CALIBRATION);
    const livenessScore = round(analysis.evidence.score);
    const threshold =
      config.livenessThreshold ?? models.bundle.manifest.calibration.liveness.threshold;
    const passed = analysis.evidence.score >= threshold;
    const liveness = { cues: analysis.cues, evidence: analysis.evidence };
    if (!passed) return { passed, livenessScore, livenessStatus: 'hack', liveness };

    const { best } = analysis;
    const frameEmbedding = await timer.time('embed', () =>
      models.embedder.embed(
        models.embedder.align(best.frame.image, fivePoints(best.face.landmarks)),
      ),
    );
    const cos = cosine(photo.embedding, frameEmbedding);
    const knots =
      config.verificationCalibration ?? models.bundle.manifest.calibration.verification.points;
    return {
      passed,
      livenessScore,
      livenessStatus: 'ok',
      verificationScore: round(verificationScore(cos, knots)),
      liveness,
      cosine: cos,
      ...(req.returnImage
        ? {
            selectedFrame: {
              timestamp: round(best.frame.timestamp),
              jpeg: await encodeJpeg(best.frame.image),
            },
          }
        : {}),
      ...(req.returnFaceImage
        ? { faceImage: await encodeJpeg(faceClip(best.frame.image, best.face.box)) }
        : {}),
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

const round = (v: number): number => Math.round(v * 10000) / 10000;
