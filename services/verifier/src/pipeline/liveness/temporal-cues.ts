import { fitHomography, project } from '../../vision/geometry/homography.js';
import { distance, type Point } from '../../vision/geometry/types.js';
import { LANDMARKS } from '../../vision/face.js';
import type { FrameObservation } from '../track-face.js';
import type { LivenessCalibration } from '../../models/bundle-manifest.js';

/**
 * Non-rigid facial motion: how far the inner landmarks move in ways no homography
 * explains, in inter-ocular distances. Every frame's 51 inner points are mapped by their
 * best homography onto the clip's mean shape (itself refined once); the leftover vectors
 * are averaged over `smoothingFrames` consecutive frames (the bundle's: 3 at 8 fps is
 * 375 ms); the cue is the 90th percentile of their RMS.
 *
 * A flat photo moved, zoomed, tilted or shaken in front of a camera leaves only landmark
 * jitter, which is independent from frame to frame and shrinks when averaged; a live
 * face speaks, blinks and turns in depth over several frames, which averaging keeps.
 * Measured on the corpus: without the averaging, shaken photo clips reached 0.026 and a
 * live clip sat at 0.028; with it, photo clips stay below 0.014 and selfie clips
 * start at 0.018 (docs/liveness.md).
 */
export function nonPlanarMotion(obs: readonly FrameObservation[], smoothingFrames: number): number {
  if (obs.length < smoothingFrames) return 0;
  const [from, to] = LANDMARKS.inner;
  const { aligned, reference } = alignToMeanShape(
    obs.map((o) => o.face.landmarks.slice(from, to + 1)),
  );
  const iod = obs.reduce((sum, o) => sum + o.iod, 0) / obs.length;
  const residuals = smoothedResiduals(aligned, reference, smoothingFrames).map(
    (window) => rmsLength(window) / iod,
  );
  return percentile(residuals, 0.9);
}

/**
 * Every shape mapped by its best homography onto the clip's mean shape: the reference
 * starts as the first shape and is refined once, as the mean of the aligned shapes.
 */
export function alignToMeanShape(shapes: readonly (readonly Point[])[]): {
  aligned: Point[][];
  reference: Point[];
} {
  let reference: readonly Point[] = shapes[0]!;
  let aligned: Point[][] = [];
  for (let pass = 0; pass < 2; pass++) {
    const ref = reference;
    aligned = shapes.map((shape) => {
      const h = fitHomography(shape, ref);
      return shape.map((p) => project(h, p));
    });
    reference = meanShape(aligned);
  }
  return { aligned, reference: [...reference] };
}

/**
 * The leftover vector of every point from the reference, averaged over each window of
 * k consecutive aligned frames: one array of vectors per window.
 */
export function smoothedResiduals(
  aligned: readonly (readonly Point[])[],
  reference: readonly Point[],
  k: number,
): Point[][] {
  const windows: Point[][] = [];
  for (let t = 0; t + k <= aligned.length; t++) {
    windows.push(
      reference.map((r, i) => {
        let dx = 0,
          dy = 0;
        for (let j = t; j < t + k; j++) {
          dx += aligned[j]![i]!.x - r.x;
          dy += aligned[j]![i]!.y - r.y;
        }
        return { x: dx / k, y: dy / k };
      }),
    );
  }
  return windows;
}

/** Root mean square length of a set of vectors. */
export function rmsLength(vectors: readonly Point[]): number {
  return Math.sqrt(vectors.reduce((s, r) => s + r.x ** 2 + r.y ** 2, 0) / vectors.length);
}

function meanShape(shapes: readonly Point[][]): Point[] {
  return shapes[0]!.map((_, i) => ({
    x: shapes.reduce((s, shape) => s + shape[i]!.x, 0) / shapes.length,
    y: shapes.reduce((s, shape) => s + shape[i]!.y, 0) / shapes.length,
  }));
}

/**
 * Frames on either side that a frame's face proportions are compared with (keepFaceShape).
 * Not fitted, so not calibration: a bad landmark fit lasts a frame, and two frames either
 * side span at most 250 ms at the sampling rates, less than a head takes to turn.
 */
const NEIGHBOURS = 2;

/**
 * Blink depth: the fall of the eyes' openness from its usual level (75th percentile) to
 * its lowest frame, counted only for a real blink: eyes usually read open, the lowest
 * frame reads closed, and the landmarks agree — the eye aspect ratio drops too (each bar is
 * the bundle's `blink` calibration). The eye
 * model alone misreads squinting or blurred eyes of a still photo as a blink (measured:
 * a smiling, squinting portrait read 0.77 → 0.01 while its landmarks barely moved).
 *
 * Both eyes must read closed at once, unless the model reads one of them closed in most
 * frames while the other reads open: no one keeps one eye shut for seconds, so that eye is
 * one the model cannot read (a soft lens, glare on glasses, hair or shadow over it), and
 * the blink is read on the other eye alone. Measured on a blurred webcam clip: one eye
 * read 0.00–0.19 throughout while the other closed and opened with each of five blinks,
 * and the mean of the two never rose above 0.6. An eye that flickers between open and
 * closed (a noisy still photo) is not set aside: its misreadings are why both eyes must
 * agree. Frames whose face lost its proportions (keepFaceShape) are not read at all.
 */
export function blinkDepth(
  obs: readonly FrameObservation[],
  cal: LivenessCalibration['blink'],
): number {
  const faithful = keepFaceShape(obs, cal.maxProportionChange);
  if (faithful.length < 2) return 0;
  const open = readableOpenness(faithful, cal.eyesClosed);
  const usual = percentile(open, 0.75);
  const lowest = Math.min(...open);
  if (usual < cal.eyesUsuallyOpen || lowest > cal.eyesClosed) return 0;
  const ear = faithful.map((o) => eyeAspectRatio(o.face.landmarks));
  const median = percentile(ear, 0.5);
  if (median <= 0 || (median - Math.min(...ear)) / median < cal.earDrop) return 0;
  return usual - lowest;
}

/**
 * The frames whose face keeps the proportions it has just before and after: nose length
 * (LANDMARKS.noseLength) over the inter-ocular distance within `maxChange` of its median over
 * the NEIGHBOURS frames on either side. A blink closes the eyelids and moves nothing else;
 * a frame whose landmarks were fitted to a squashed or misplaced box puts the eye crops on
 * brows or lids and reads them shut, and squashes the eye aspect ratio with them
 * (measured: a small still photo under heavy sensor noise, two such frames at 0.65 and 0.75
 * of their neighbours, read as a blink of depth 0.9). Neighbours, not the whole window: a
 * head that turns changes the ratio by a third over a few seconds, a glitch in one frame.
 * Undefined: every frame.
 */
function keepFaceShape(
  obs: readonly FrameObservation[],
  maxChange: number | undefined,
): readonly FrameObservation[] {
  if (maxChange === undefined) return obs;
  const [top, base] = LANDMARKS.noseLength;
  const proportion = obs.map(
    (o) => distance(o.face.landmarks[top]!, o.face.landmarks[base]!) / o.iod,
  );
  return obs.filter((_, i) => {
    const around = [
      ...proportion.slice(Math.max(0, i - NEIGHBOURS), i),
      ...proportion.slice(i + 1, i + 1 + NEIGHBOURS),
    ];
    return (
      around.length === 0 || Math.abs(proportion[i]! / percentile(around, 0.5) - 1) <= maxChange
    );
  });
}

/** Each frame's openness of the eyes the model can read (see blinkDepth). */
function readableOpenness(obs: readonly FrameObservation[], closed: number): number[] {
  const readable = (eye: 'left' | 'right') =>
    percentile(
      obs.map((o) => o.eyes[eye]),
      0.75,
    ) > closed;
  const [left, right] = [readable('left'), readable('right')];
  if (left !== right) return obs.map((o) => o.eyes[left ? 'left' : 'right']);
  return obs.map((o) => (o.eyes.left + o.eyes.right) / 2);
}

/** Mean eye aspect ratio (lid opening over eye width) of both eyes, from 68 landmarks. */
export function eyeAspectRatio(l: readonly Point[]): number {
  const d = (a: number, b: number) => Math.hypot(l[a]!.x - l[b]!.x, l[a]!.y - l[b]!.y);
  const left = (d(37, 41) + d(38, 40)) / (2 * d(36, 39));
  const right = (d(43, 47) + d(44, 46)) / (2 * d(42, 45));
  return (left + right) / 2;
}

/** Mean per-frame "real" score (of the frames that have one), the extreme `trim` share on each side trimmed. */
export function presentationAttackScore(obs: readonly FrameObservation[], trim: number): number {
  const s = obs
    .flatMap((o) => (o.realScore === undefined ? [] : [o.realScore]))
    .sort((a, b) => a - b);
  const k = Math.floor(s.length * trim);
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
