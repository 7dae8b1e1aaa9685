/**
 * Cue "3-D parallax consistency" (issue #3 §2), in plane-plus-parallax form: map the
 * face's rigid points (nose and eye corners, which expressions barely move) by their best
 * homography onto the clip's mean shape; what is left is parallax — the nose tip standing
 * out of the plane of the eyes. A rigid 3-D head leaves, in every frame, the same
 * per-point depth times a per-frame translation: a residual matrix of rank one. A flat
 * picture leaves only landmark jitter, spread over every rank.
 *
 * Measured in the evaluation only: docs/liveness.md gives the figures and why the
 * service's motion cue (all 51 inner points, expressions included) does the job better.
 */
import { SingularValueDecomposition, Matrix } from 'ml-matrix';
import {
  alignToMeanShape,
  percentile,
  rmsLength,
  smoothedResiduals,
} from '../../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import type { Point } from '../../../services/verifier/src/vision/geometry/types.js';

/** Nose bridge and base (27–35) and the four eye corners of the 68-point scheme. */
export const RIGID_POINTS = [27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 39, 42, 45] as const;

export interface RigidParallax {
  /** 90th percentile over windows of the residual's RMS, in inter-ocular distances. */
  readonly magnitude: number;
  /** Share of the residual's energy in its first singular value: 1 = one rigid depth map. */
  readonly rankOneShare: number;
}

/**
 * Parallax of a clip's 68-point shapes (one per tracked frame) and their inter-ocular
 * distances, smoothed as the motion cue is (the bundle's smoothingFrames); undefined
 * with fewer frames than one smoothing window.
 */
export function rigidParallax(
  shapes: readonly (readonly Point[])[],
  iods: readonly number[],
  smoothingFrames: number,
): RigidParallax | undefined {
  if (shapes.length < smoothingFrames) return undefined;
  const { aligned, reference } = alignToMeanShape(
    shapes.map((s) => RIGID_POINTS.map((i) => s[i]!)),
  );
  const iod = iods.reduce((a, b) => a + b, 0) / iods.length;
  const windows = smoothedResiduals(aligned, reference, smoothingFrames);
  const rms = windows.map((w) => rmsLength(w) / iod);
  // Rows: the x and the y residuals of each window; columns: the points.
  const rows = windows.flatMap((w) => [w.map((r) => r.x / iod), w.map((r) => r.y / iod)]);
  const energy = new SingularValueDecomposition(new Matrix(rows), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
  }).diagonal.map((s) => s * s);
  const total = energy.reduce((a, b) => a + b, 0);
  return {
    magnitude: percentile(rms, 0.9),
    rankOneShare: total > 0 ? Math.max(...energy) / total : 0,
  };
}
