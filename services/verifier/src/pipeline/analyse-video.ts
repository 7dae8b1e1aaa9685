import { livenessCheckFailed } from '../errors/api-error.js';
import {
  fuseLiveness,
  type LivenessCalibration,
  type LivenessCues,
  type LivenessEvidence,
} from './liveness/fuse-liveness.js';
import { blinkDepth, nonPlanarMotion, presentationAttackScore } from './liveness/temporal-cues.js';
import type { FrameObservation } from './track-face.js';

/** Why a failed clip may have failed, for the person recording it (never changes `passed`). */
export type CaptureHint = 'low_light' | 'too_still' | 'not_direct' | 'face_cut_off';

/** How the clip was filmed: medians over the usable frames. */
export interface CaptureConditions {
  /** Face skin luma, 0–255. */
  readonly faceBrightness: number;
  /** Inter-ocular distance in pixels of the working frame. */
  readonly faceSizePx: number;
  /** Share of the frames (0–1) whose face reached the frame's border. */
  readonly faceCutByFrame: number;
}

/**
 * A failed clip whose face reached the frame's border in at least half its frames gets
 * the hint `face_cut_off`: there the landmark cues read guesses at the missing part.
 */
const CUT_OFF_SHARE = 0.5;

export interface VideoAnalysis {
  readonly cues: LivenessCues;
  readonly evidence: LivenessEvidence;
  readonly conditions: CaptureConditions;
  /** The frame to embed and return: sharp, frontal, large, eyes open. */
  readonly best: FrameObservation;
}

/**
 * Weighs the liveness evidence of a tracked clip; `sampled` is how many frames were
 * decoded. Faces smaller than the calibration's usable size carry too little detail to
 * judge, and too few frames cannot show motion or a blink: both are refused (4007) with
 * the reason, never judged.
 */
export function analyseVideo(
  tracked: readonly FrameObservation[],
  sampled: number,
  calibration: LivenessCalibration,
): VideoAnalysis {
  const { minTrackedFrames, minFaceSaturation } = calibration.usableFace;
  const usable = usableFrames(tracked, calibration);
  if (usable.length < minTrackedFrames)
    throw unusable(tracked, usable.length, sampled, calibration);
  const saturation = median(usable.map((o) => o.saturation));
  if (saturation < minFaceSaturation)
    throw livenessCheckFailed(
      `the video has too little colour to judge (face saturation ${saturation.toFixed(2)}, ` +
        `at least ${minFaceSaturation} needed): use a colour camera, not a monochrome or ` +
        'infrared one',
    );
  const cues: LivenessCues = {
    nonPlanarMotion: nonPlanarMotion(usable, calibration.motion.smoothingFrames),
    blinkDepth: blinkDepth(usable, calibration.blink),
    presentationAttack: presentationAttackScore(usable, calibration.presentationAttack.trim),
    trackedFrames: usable.length,
  };
  const conditions: CaptureConditions = {
    faceBrightness: median(usable.map((o) => o.brightness)),
    faceSizePx: median(usable.map((o) => o.iod)),
    faceCutByFrame: usable.filter((o) => o.cutByFrame).length / usable.length,
  };
  return {
    cues,
    evidence: fuseLiveness(cues, calibration),
    conditions,
    best: bestFrame(usable),
  };
}

/** The frames whose face is large enough to judge. */
function usableFrames(
  tracked: readonly FrameObservation[],
  calibration: LivenessCalibration,
): FrameObservation[] {
  return tracked.filter((o) => o.iod >= calibration.usableFace.minInterOcularPx);
}

/**
 * Whether a blink later in the clip could change the decision: the face was seen
 * directly, and only the question "a moving face?" fell short of the threshold.
 */
export function onlyStillnessFails(evidence: LivenessEvidence, threshold: number): boolean {
  return Math.max(evidence.motion, evidence.blink) < threshold && evidence.direct >= threshold;
}

/**
 * The analysis with the blink looked for in a later window of the clip too (decision
 * 0028): the deeper of the first window's own blink and the blink over both windows (the
 * later frames move the clip's usual openness and eye aspect ratio, so a blink the first
 * window showed is kept as it was). Motion and the attack score stay the first window's:
 * their constants were fitted on it.
 */
export function withLaterBlink(
  analysis: VideoAnalysis,
  first: readonly FrameObservation[],
  later: readonly FrameObservation[],
  calibration: LivenessCalibration,
): VideoAnalysis {
  const both = usableFrames([...first, ...later], calibration);
  const depth = Math.max(analysis.cues.blinkDepth, blinkDepth(both, calibration.blink));
  const cues: LivenessCues = { ...analysis.cues, blinkDepth: depth };
  return { ...analysis, cues, evidence: fuseLiveness(cues, calibration) };
}

/**
 * What a person could change when a clip fails: more light (below the brightness at
 * which live clips were measured to start failing), natural movement or a blink (neither
 * question "a moving 3-D face?" cue answered), filming their face directly (the attack
 * model read a recapture), keeping the whole face in the picture (it reached the frame's
 * border in most frames). Coarse on purpose: the figures stay in the details.
 */
export function captureHints(
  analysis: Pick<VideoAnalysis, 'evidence' | 'conditions'>,
  calibration: LivenessCalibration,
  threshold: number,
): CaptureHint[] {
  const { evidence, conditions } = analysis;
  const hints: CaptureHint[] = [];
  if (conditions.faceBrightness < calibration.capture.minFaceBrightness) hints.push('low_light');
  // Each hint names a question of the fusion that fell short of the bar the score must pass.
  if (Math.max(evidence.motion, evidence.blink) < threshold) hints.push('too_still');
  if (evidence.direct < threshold) hints.push('not_direct');
  if (conditions.faceCutByFrame >= CUT_OFF_SHARE) hints.push('face_cut_off');
  return hints;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** 4007 with why the clip cannot be judged: no face, a face too small, or too briefly. */
function unusable(
  tracked: readonly FrameObservation[],
  usable: number,
  sampled: number,
  calibration: LivenessCalibration,
) {
  const { minInterOcularPx, minTrackedFrames } = calibration.usableFace;
  if (tracked.length >= minTrackedFrames) {
    return livenessCheckFailed(
      `the face is too small to judge: ${Math.round(median(tracked.map((o) => o.iod)))} px between the eyes (median of ` +
        `${tracked.length} frames), at least ${minInterOcularPx} px needed in ` +
        `${minTrackedFrames} frames; hold the camera closer`,
    );
  }
  return livenessCheckFailed(
    tracked.length === 0
      ? `no face in the video: none was found in ${sampled} sampled frames`
      : `no usable face in the video: a face was tracked in ${usable} of ${sampled} sampled ` +
          `frames, at least ${minTrackedFrames} needed`,
  );
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
