import { homographyResidual } from '../../vision/geometry/homography.js';
import { LANDMARKS } from '../../vision/face.js';
import type { FrameObservation } from '../track-face.js';

/**
 * Non-rigid facial motion: for each frame, the RMS part of the inner landmarks' motion
 * (relative to the first tracked frame) that no homography explains, in inter-ocular
 * distances; the 90th percentile over frames. A flat photo moved, zoomed or tilted in
 * front of the camera stays at the landmark jitter floor; a live head, even one held
 * still, speaks, blinks and turns in depth (BASELINES.md, "homography residual").
 */
export function nonPlanarMotion(obs: readonly FrameObservation[]): number {
  if (obs.length < 2) return 0;
  const [from, to] = LANDMARKS.inner;
  const ref = obs[0]!.face.landmarks.slice(from, to + 1);
  const residuals = obs.slice(1).map((o) => homographyResidual(ref, o.face.landmarks.slice(from, to + 1)) / o.iod);
  return percentile(residuals, 0.9);
}

/** The eye model reads below this as closed; above it, a still photo's eyes jitter. */
export const EYES_CLOSED = 0.2;

/**
 * Blink depth: how far the eyes' openness falls from its usual level (75th percentile)
 * to its lowest frame — counted only when that frame reads as closed. A still photo's
 * eyes never close, but the eye model's output on them jitters by up to 0.4 around a
 * half-open reading (measured on photo clips), so a shallow dip is not a blink.
 */
export function blinkDepth(obs: readonly FrameObservation[]): number {
  if (obs.length < 2) return 0;
  const open = obs.map((o) => (o.eyes.left + o.eyes.right) / 2);
  const lowest = Math.min(...open);
  return lowest <= EYES_CLOSED ? Math.max(0, percentile(open, 0.75) - lowest) : 0;
}

/** Mean per-frame "real" score (of the frames that have one) with the extreme 10% on each side trimmed. */
export function presentationAttackScore(obs: readonly FrameObservation[]): number {
  const s = obs.flatMap((o) => (o.realScore === undefined ? [] : [o.realScore])).sort((a, b) => a - b);
  const k = Math.floor(s.length * 0.1);
  const kept = s.slice(k, s.length - k);
  return kept.length === 0 ? 0 : kept.reduce((a, b) => a + b, 0) / kept.length;
}

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
