/**
 * Research: can the landmarks tell a still photo bent by a filter (`warped-photo`, the
 * `ripple` and `bulge` of attack-clips.ts) from a live head? The motion cue measures what
 * no homography explains; a warp is not a homography, so it passes that cue. A live head's
 * non-planar motion has a structure a warp need not have: on the rigid points (nose, eye
 * corners), what the homography leaves is parallax, one depth profile times a per-frame
 * rotation (rank one), and that profile is a face's (the nose tip stands out most).
 *
 * Measured on the per-frame observations (dump-observations.ts; warped clips with
 * `--warped`), the service's sampling emulated (nearest frames at 8 fps, first 4 s), the
 * 51 inner points aligned as the motion cue aligns them:
 *  - motion: the service's cue;
 *  - rigid share: RMS residual of the 13 rigid points over that of all 51;
 *  - rank one: the first singular value's share of the rigid points' residual energy;
 *  - depth correlation: |correlation| of its first right singular vector with a generic
 *    face's depth profile (cm in front of the eye corners' plane).
 *
 *   node --import tsx e2e/eval/cue-research/warp-geometry.ts [OBS_DIR …]
 *
 * Findings (2026-12-07; 34 bona fide, 12 synthesized, 12 ripple and 12 bulge clips):
 *   class        motion           rigid share   rank one      depth correlation
 *   bona fide    0.012–0.067      0.67–1.32     0.63–0.98     0.37–0.99 (median 0.95)
 *   ripple       0.014–0.032      1.09–1.27     0.77–0.94     0.88–0.97
 *   bulge        0.003–0.013      0.74–1.31     0.69–0.92     0.44–0.96
 *   synthesized  0.004–0.022      0.63–1.23     0.58–0.95     0.06–0.99
 * The ripple mimics a turning head: its horizontal wave depends on height, and on a face
 * height and depth go together (the nose tip is both the lowest and the most prominent of
 * these points). None of the three measures separates it from live heads; nothing
 * landmark-based was adopted (docs/liveness.md).
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import {
  alignToMeanShape,
  nonPlanarMotion,
  smoothedResiduals,
} from '../../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import type { FrameObservation } from '../../../services/verifier/src/pipeline/track-face.js';
import { readDumps, tracked, type TrackedFrame } from './observation-dumps.js';
import { pearson } from '../metrics.js';
import { RIGID_POINTS } from './rigid-parallax.js';

/** A generic face's depth at RIGID_POINTS, cm in front of the eye corners' plane. */
const DEPTH = [1.2, 1.8, 2.6, 3.5, 1.6, 2.2, 2.6, 2.2, 1.6, -0.9, 0.2, 0.2, -0.9];
const INNER_FROM = 17;
const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['/tmp/obs', '/tmp/obs-warp'];

/** The frames nearest to the service's samples: 8 fps over the first 4 s. */
function sampled(frames: readonly TrackedFrame[]): TrackedFrame[] {
  const out: TrackedFrame[] = [];
  for (let k = 0; k < 32 && frames.length > 0; k++) {
    const t = k / 8;
    const nearest = frames.reduce((a, b) => (Math.abs(b.t - t) < Math.abs(a.t - t) ? b : a));
    if (Math.abs(nearest.t - t) <= 0.6 / 8) out.push(nearest);
  }
  return out;
}

function measure(frames: readonly TrackedFrame[]) {
  const shapes = frames.map((f) => f.lm.map(([x, y]) => ({ x, y })));
  const iod = frames.reduce((s, f) => s + f.iod, 0) / frames.length;
  const { aligned, reference } = alignToMeanShape(shapes.map((s) => s.slice(INNER_FROM, 68)));
  const windows = smoothedResiduals(aligned, reference, 3);
  const rigid = RIGID_POINTS.map((i) => i - INNER_FROM);
  const energy = (ids: readonly number[]) =>
    windows.reduce((s, w) => s + ids.reduce((t, i) => t + w[i]!.x ** 2 + w[i]!.y ** 2, 0), 0) /
    ids.length;
  const rows = windows.flatMap((w) => [
    rigid.map((i) => w[i]!.x / iod),
    rigid.map((i) => w[i]!.y / iod),
  ]);
  const svd = new SingularValueDecomposition(new Matrix(rows), {
    computeLeftSingularVectors: false,
  });
  const squares = svd.diagonal.map((s) => s * s);
  // nonPlanarMotion reads only each observation's landmarks and inter-ocular distance.
  const observations = frames.map((f, k) => ({ face: { landmarks: shapes[k]! }, iod: f.iod }));
  return {
    motion: nonPlanarMotion(observations as unknown as FrameObservation[], 3),
    rigidShare: Math.sqrt(energy(rigid) / energy(Array.from({ length: 51 }, (_, i) => i))),
    rankOne: squares[0]! / squares.reduce((a, b) => a + b, 0),
    depthCorrelation: Math.abs(pearson(svd.rightSingularVectors.getColumn(0), DEPTH)),
  };
}

const byClass = new Map<string, ReturnType<typeof measure>[]>();
for (const dir of dirs)
  for await (const clip of readDumps(dir)) {
    if (clip.species === 'still-photo' || clip.species === 'recapture-still') continue;
    const frames = sampled(clip.frames.filter(tracked));
    if (frames.length < 8) continue;
    const kind = clip.species === 'warped-photo' ? clip.id.split('#')[1]! : clip.species;
    const m = measure(frames);
    byClass.set(kind, [...(byClass.get(kind) ?? []), m]);
    console.log(
      `${kind} | ${clip.id} | ${m.motion.toFixed(4)} | ${m.rigidShare.toFixed(2)} | ` +
        `${m.rankOne.toFixed(2)} | ${m.depthCorrelation.toFixed(2)}`,
    );
  }
const range = (v: number[], digits: number) =>
  `${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}`;
console.log('\nclass | n | motion | rigid share | rank one | depth correlation');
for (const [kind, ms] of byClass)
  console.log(
    `${kind} | ${ms.length} | ${range(
      ms.map((m) => m.motion),
      3,
    )} | ${range(
      ms.map((m) => m.rigidShare),
      2,
    )} | ${range(
      ms.map((m) => m.rankOne),
      2,
    )} | ${range(
      ms.map((m) => m.depthCorrelation),
      2,
    )}`,
  );
