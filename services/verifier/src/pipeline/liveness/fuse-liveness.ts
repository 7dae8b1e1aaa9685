/**
 * The liveness decision, first version: two independent questions, both of which must
 * be answered "live".
 *  1. Is this a 3-D, moving face (not an injected still image)? Evidence: non-rigid
 *     landmark motion beyond the jitter floor, or a blink.
 *  2. Is it seen directly (not a print or a screen replay)? Evidence: the per-frame
 *     presentation-attack model, averaged over frames (per frame it is noisy).
 * Each answer becomes a probability-like evidence through a logistic curve centred on
 * a threshold measured on the corpus; the score is their minimum (a conjunction), so an
 * attacker has to beat both. The centres and widths are the model bundle's calibration
 * (bundle.yaml `calibration.liveness`): they are measured on what its models see.
 */
import type { LivenessCalibration } from '../../models/bundle-manifest.js';

export type { LivenessCalibration };

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

export interface LivenessEvidence {
  readonly score: number;
  readonly motion: number;
  readonly blink: number;
  readonly direct: number;
  /** The evidence the score is: the weaker question's stronger answer. */
  readonly decidedBy: 'motion' | 'blink' | 'direct';
}

export const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
/** Log-odds, kept finite: a model's 0 or 1 is a very low or very high score, not infinity. */
export const logit = (p: number): number => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

export function fuseLiveness(cues: LivenessCues, cal: LivenessCalibration): LivenessEvidence {
  const curve = (value: number, centre: number, width: number) =>
    logistic((value - centre) / width);
  const motionCentre = cal.motion.jitterFloor * cal.motion.factor;
  const motion = curve(cues.nonPlanarMotion, motionCentre, cal.motion.width * motionCentre);
  const blink = curve(cues.blinkDepth, cal.blink.depth, cal.blink.width);
  const pa = cal.presentationAttack;
  const direct =
    pa.scale === 'logit'
      ? curve(logit(cues.presentationAttack), logit(pa.centre), pa.width)
      : curve(cues.presentationAttack, pa.centre, pa.width);
  const moving = Math.max(motion, blink);
  const score = Math.min(moving, direct);
  const decidedBy = direct < moving ? 'direct' : motion >= blink ? 'motion' : 'blink';
  return { score, motion, blink, direct, decidedBy };
}
