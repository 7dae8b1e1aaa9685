/**
 * The liveness decision, first version: two independent questions, both of which must
 * be answered "live".
 *  1. Is this a 3-D, moving face (not an injected still image)? Evidence: non-rigid
 *     landmark motion beyond the jitter floor, or a blink.
 *  2. Is it seen directly (not a print or a screen replay)? Evidence: the per-frame
 *     presentation-attack model, averaged over frames (per frame it is noisy).
 * Each answer becomes a probability-like evidence through a logistic curve centred on
 * a threshold measured on the corpus; the score is their minimum (a conjunction), so an
 * attacker has to beat both. Issue "Silent liveness" refines the cues and the fusion.
 */
export interface LivenessCues {
  /** 90th percentile of the smoothed homography residual, in inter-ocular distances. */
  readonly nonPlanarMotion: number;
  /** Drop of eye openness below its usual level (0 … 1). */
  readonly blinkDepth: number;
  /** Trimmed mean "real" probability of the per-frame model. */
  readonly presentationAttack: number;
  /** Frames in which the face was tracked. */
  readonly trackedFrames: number;
}

export interface LivenessCalibration {
  /** Landmark jitter of a moving flat photo, in IODs (measured on synthetic clips). */
  readonly jitterFloor: number;
  /** Residual, in multiples of the jitter floor, at which motion evidence is 0.5. */
  readonly motionFactor: number;
  readonly blinkDepth: number;
  /** Per-frame model mean at which recapture evidence is 0.5. */
  readonly presentationAttack: number;
}

export const DEFAULT_LIVENESS_CALIBRATION: LivenessCalibration = {
  // Median smoothed residual of moving still-photo clips (docs/liveness.md).
  jitterFloor: 0.005,
  motionFactor: 4,
  blinkDepth: 0.25,
  presentationAttack: 0.3,
};

export interface LivenessEvidence {
  readonly score: number;
  readonly motion: number;
  readonly blink: number;
  readonly direct: number;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

export function fuseLiveness(
  cues: LivenessCues,
  cal: LivenessCalibration = DEFAULT_LIVENESS_CALIBRATION,
): LivenessEvidence {
  const motionThreshold = cal.jitterFloor * cal.motionFactor;
  const motion = logistic((cues.nonPlanarMotion - motionThreshold) / (0.1 * motionThreshold));
  const blink = logistic((cues.blinkDepth - cal.blinkDepth) / 0.05);
  const direct = logistic((cues.presentationAttack - cal.presentationAttack) / 0.08);
  const score = Math.min(Math.max(motion, blink), direct);
  return { score, motion, blink, direct };
}
