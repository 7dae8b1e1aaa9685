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
