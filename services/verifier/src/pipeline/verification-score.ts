/**
 * verification_score: the seed's table promises that a threshold s corresponds to a
 * false-match rate of 10^(3 − 10·s) for s in [0.4, 0.9] (0.7 ↔ 1 in 10,000). The bundle
 * carries the measured map from the raw similarity (cosine, or the fused score)
 * to that score as increasing knots
 * (docs/calibration.md explains how they were measured); between knots it is linear,
 * outside them it is clamped to [0, 1].
 */
export type CalibrationKnots = readonly (readonly [similarity: number, score: number])[];

export function verificationScore(similarity: number, knots: CalibrationKnots): number {
  if (knots.length === 0) throw new Error('the model bundle has no verification calibration');
  const first = knots[0]!;
  const last = knots[knots.length - 1]!;
  if (similarity <= first[0]) return clamp01(first[1]);
  if (similarity >= last[0]) return clamp01(last[1]);
  for (let i = 1; i < knots.length; i++) {
    const [c1, s1] = knots[i]!;
    const [c0, s0] = knots[i - 1]!;
    if (similarity <= c1) return clamp01(s0 + ((s1 - s0) * (similarity - c0)) / (c1 - c0));
  }
  return clamp01(last[1]);
}

/** The false-match rate the seed's table promises at a score. */
export const promisedFalseMatchRate = (score: number): number => 10 ** (3 - 10 * score);

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
