import { livenessCheckFailed } from '../errors/api-error.js';
import {
  fuseLiveness,
  type LivenessCalibration,
  type LivenessCues,
  type LivenessEvidence,
} from './liveness/fuse-liveness.js';
import { blinkDepth, nonPlanarMotion, presentationAttackScore } from './liveness/temporal-cues.js';
import type { FrameObservation } from './track-face.js';

/** Fewer tracked frames than this cannot show motion or a blink: 4007. */
export const MIN_TRACKED_FRAMES = 4;
/** Faces smaller than this (inter-ocular pixels) carry too little detail to judge. */
export const MIN_IOD_PX = 16;

export interface VideoAnalysis {
  readonly cues: LivenessCues;
  readonly evidence: LivenessEvidence;
  /** The frame to embed and return: sharp, frontal, large, eyes open. */
  readonly best: FrameObservation;
}

/** Weighs the liveness evidence of a tracked clip; `sampled` is how many frames were decoded. */
export function analyseVideo(
  tracked: readonly FrameObservation[],
  sampled: number,
  calibration: LivenessCalibration,
): VideoAnalysis {
  const usable = tracked.filter((o) => o.iod >= MIN_IOD_PX);
  if (usable.length < MIN_TRACKED_FRAMES) {
    throw livenessCheckFailed(
      `no usable face in the video: a face was tracked in ${usable.length} of ${sampled} sampled frames`,
    );
  }
  const cues: LivenessCues = {
    nonPlanarMotion: nonPlanarMotion(usable),
    blinkDepth: blinkDepth(usable),
    presentationAttack: presentationAttackScore(usable),
    trackedFrames: usable.length,
  };
  return { cues, evidence: fuseLiveness(cues, calibration), best: bestFrame(usable) };
}

/** Ranks frames by a product of normalised qualities; the clip's own sharpest frame is the scale. */
export function bestFrame(obs: readonly FrameObservation[]): FrameObservation {
  const maxSharp = Math.max(...obs.map((o) => o.sharpness), 1e-9);
  const maxIod = Math.max(...obs.map((o) => o.iod));
  const quality = (o: FrameObservation) =>
    (o.sharpness / maxSharp) *
    (0.25 + 0.75 * o.frontalness) *
    (o.iod / maxIod) *
    (0.5 + 0.5 * Math.min(o.eyes.left, o.eyes.right));
  return obs.reduce((a, b) => (quality(b) > quality(a) ? b : a));
}
