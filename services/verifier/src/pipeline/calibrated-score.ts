import type { PipelineDeps } from './pipeline-deps.js';
import { verificationScore } from './verification-score.js';

/** verification_score of a similarity, with the config's calibration overriding the bundle's. */
export function calibratedScore(deps: PipelineDeps, similarity: number): number {
  const knots =
    deps.config.verificationCalibration ??
    deps.models.bundle.manifest.calibration.verification.points;
  return roundScore(verificationScore(similarity, knots));
}

/** Scores travel with four decimals: more would only expose model noise. */
export const roundScore = (v: number): number => Math.round(v * 10000) / 10000;
