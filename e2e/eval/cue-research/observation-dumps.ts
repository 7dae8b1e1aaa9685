/**
 * Reading what dump-observations.ts writes: one JSON file per clip, every frame (native
 * rate, ≤ 10 s) with the service's observations of the tracked face. The cue experiments
 * that work from these dumps read them here.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One frame: lost (no face followed), or what the observer measured (working-size pixels). */
export interface DumpedFrame {
  readonly t: number;
  readonly lost?: true;
  readonly box?: {
    readonly x1: number;
    readonly y1: number;
    readonly x2: number;
    readonly y2: number;
  };
  /** The 68 landmarks, [x, y]. */
  readonly lm?: readonly (readonly [number, number])[];
  readonly eyes?: { readonly left: number; readonly right: number };
  readonly iod?: number;
}

/** One clip: where it came from, its class and size, and its frames. */
export interface ClipDump {
  readonly id: string;
  readonly file: string;
  readonly species: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frames: readonly DumpedFrame[];
}

/** A frame in which the face was followed, with everything the observer measured. */
export type TrackedFrame = Required<Omit<DumpedFrame, 'lost'>>;

/** Whether the face was followed in the frame (its landmarks, eyes and size are there). */
export const tracked = (f: DumpedFrame): f is TrackedFrame =>
  f.lm !== undefined && f.box !== undefined && f.eyes !== undefined && f.iod !== undefined;

/** Every clip dump in `dir`, in file-name order. */
export async function* readDumps(dir: string): AsyncGenerator<ClipDump> {
  for (const name of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort())
    yield JSON.parse(await readFile(path.join(dir, name), 'utf8')) as ClipDump;
}

/** A landmark, [x, y]. */
export type Xy = readonly [number, number];

/** The mean of some points. */
export const centroid = (pts: readonly Xy[]): Xy => [
  pts.reduce((s, p) => s + p[0], 0) / pts.length,
  pts.reduce((s, p) => s + p[1], 0) / pts.length,
];

/**
 * The similarity that best takes the points `from` onto `to` (least squares): x ↦ M(x − p) + q
 * with M = [[a, −b], [b, a]], so a = s·cos θ and b = s·sin θ.
 */
export function fitSimilarity(
  from: readonly Xy[],
  to: readonly Xy[],
): { a: number; b: number; p: Xy; q: Xy } {
  const p = centroid(from);
  const q = centroid(to);
  let pp = 0,
    a = 0,
    b = 0;
  from.forEach(([x, y], k) => {
    const [u, v] = [x - p[0], y - p[1]];
    const [s, t] = [to[k]![0] - q[0], to[k]![1] - q[1]];
    pp += u * u + v * v;
    a += u * s + v * t;
    b += u * t - v * s;
  });
  return { a: a / pp, b: b / pp, p, q };
}
