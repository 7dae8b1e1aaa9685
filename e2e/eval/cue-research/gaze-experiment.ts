/**
 * Research aid (issue #13, deepfakes): gaze / iris motion as a liveness cue (Demir & Ciftci
 * 2021, "Where do deep fakes look?"). Talking heads animated from one photo (SadTalker in
 * particular) warp the source photo's eyes and mostly keep the iris fixed relative to the
 * eye corners; real people's eyes make gaze shifts. Does that hold on our clips?
 *
 *   nice -n 10 node --import tsx e2e/eval/cue-research/gaze-experiment.ts \
 *     [OUT_DIR] [--photos 10] [--fps 15] [--seconds 10] [--only SUBSTRING] [--analyse]
 *
 * Measures (about 10–20 min on 2 cores) and caches per-frame records in
 * OUT_DIR/frames.json (default /tmp/gaze; a clip already there is not decoded again), then
 * writes OUT_DIR/clips.json (per-clip measures) and prints the report. `--analyse` only
 * re-reads frames.json.
 *
 * Landmarks: @vladmandic/human 3.3.6 on TF.js wasm (peers/tfjs-wasm.ts): BlazeFace, the
 * 468-point FaceMesh and MediaPipe's iris model (the iris is located on the eye crop of the
 * 192-px face crop), everything else off. Per frame the largest face. Per eye: corners =
 * EyeLower0's ends (mesh 33/133, 263/362), iris centre = EyeIris[0] (468 / 473). The axis u
 * runs from the right eye's corner midpoint to the left eye's (image +x for an upright face),
 * n is u turned 90° (image down), so both eyes' offsets share a sign and roll cancels:
 *   h = (iris − corner midpoint)·u / eye width,  v = (iris − corner midpoint)·n / eye width;
 *   opening = |EyeUpper0[3] − EyeLower0[4]| / eye width.
 * An eye is left out of a frame when its opening is below 0.6 × its clip median (a blink or
 * a closing lid moves the iris estimate) or its width is under 6 px; the frame's gaze is the
 * mean of the eyes kept (one eye where only one is kept).
 *
 * Frames: the service's decoder (serviceFrames: loadVideo, working side 640) with the
 * sampling set to min(15 fps, native) over the first 10 s (150 frames at most). Clips:
 * every video of MANIFEST.tsv and liveness-more/ (buildPresentations: bona fide,
 * synthesized, replays) and, as the noise floor of a face whose eyes cannot move, moving
 * still-photo clips (makeStillClip, 3 s): N photos of MANIFEST.tsv taken round robin over
 * its sources (the first of each, then the second, ...), motions zoom/pan/rotate/
 * perspective/shake in turn.
 *
 * Per clip, on the gaze series g_t = (h, v) (and the same after the head's rotation is
 * regressed out, and human's own rotation.gaze), the measures (all "higher = more gaze
 * motion", the direction fixed before looking: synthesized heads are expected lower):
 *  - sd: √(var h + var v);
 *  - p90: 90th percentile of |g_t − median g| (the primary measure, stated in advance);
 *  - shifts: onsets of frame-to-frame steps of the 3-frame median-smoothed series above
 *    T = 3 × the still-photo noise (the RMS of those steps pooled over the still clips),
 *    per second of clip;
 *  - "rot" variants: h and v each minus their least-squares fit on (1, yaw, pitch) from
 *    human's rotation.angle, per clip;
 *  - human's gaze: its rotation.gaze (bearing, strength: one eye, not roll-corrected) as the
 *    vector strength·(cos, sin) of the bearing: p90 deviation, and the SD of strength.
 * Each also on the first 4 s only (the service's window), in clips.json.
 *
 * Decision rule, fixed before looking (decision 0025's bona fide tail): a clip is rejected
 * when its measure is below t = min(lowest training bona fide value,
 * exp(mean − 3 SD of the training bona fide values' log)); for the shift rate the log is of
 * rate + 0.1/s (zeros). Training bona fide: every group but the clip's own (sourceGroups of
 * liveness-loso.ts: repositories joined by identity or generator family), so a synthesized
 * clip is judged leave one generator family out and a bona fide clip leave one source out.
 * The rule uses no synthesized clip. A second rule, "still" (the motion cue's: reject below
 * 1.2 × the largest still-photo value of the other groups), was added after the first run
 * showed the tail rule's thresholds fall below the still photos. Combined with today's
 * decision (docs/eval/report.json, liveness.presentations[].passed by id): a clip passes
 * when it passed and is not rejected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import { scratchDir } from '../../support/media-tools.js';
import { makeStillClip, type Motion } from '../attack-clips.js';
import { corpus, repoRoot } from '../corpus.js';
import { buildPresentations, type Species } from '../liveness.js';
import { sourceGroups } from '../liveness-loso.js';
import { rocAuc } from '../metrics.js';
import { initTfjsWasm, require, rgbTensor, wasmDir, type Tensor } from '../peers/tfjs-wasm.js';
import { serviceFrames } from './source-frames.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    photos: { type: 'string', default: '10' },
    fps: { type: 'string', default: '15' },
    seconds: { type: 'string', default: '10' },
    only: { type: 'string' },
    analyse: { type: 'boolean', default: false },
  },
});
const outDir = positionals[0] ?? '/tmp/gaze';
await mkdir(outDir, { recursive: true });
const framesFile = path.join(outDir, 'frames.json');

// ---------------------------------------------------------------- types

type Pt = readonly [number, number];
interface EyeRecord {
  /** Iris offset from the corner midpoint along u and n, in eye widths. */
  readonly h: number;
  readonly v: number;
  readonly open: number;
  /** Eye width in pixels of the decoded frame. */
  readonly width: number;
}
interface FrameRecord {
  readonly t: number;
  /** Face box width in pixels (0: no face). */
  readonly face: number;
  readonly score?: number;
  readonly right?: EyeRecord;
  readonly left?: EyeRecord;
  /** human's rotation.angle (radians) and rotation.gaze. */
  readonly yaw?: number;
  readonly pitch?: number;
  readonly roll?: number;
  readonly bearing?: number;
  readonly strength?: number;
}
type Cls = 'bona-fide' | 'synthetic' | 'replay' | 'still-photo';
interface ClipFrames {
  readonly id: string;
  readonly cls: Cls;
  readonly species: Species;
  readonly repo: string;
  readonly identity: string;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly ms: number;
  readonly frames: FrameRecord[];
  readonly note?: string;
}

interface HumanFace {
  box: [number, number, number, number];
  score: number;
  mesh: number[][];
  annotations: Record<string, number[][]>;
  rotation?: {
    angle: { roll: number; yaw: number; pitch: number };
    gaze: { bearing: number; strength: number };
  };
}
interface HumanInstance {
  load(): Promise<void>;
  detect(input: Tensor, config?: unknown): Promise<{ face: HumanFace[] }>;
}

// ---------------------------------------------------------------- landmarks

async function loadGazeHuman(): Promise<HumanInstance> {
  await initTfjsWasm();
  const distDir = path.dirname(require.resolve('@vladmandic/human'));
  const { Human } = require(path.join(distDir, 'human.node-wasm.js')) as {
    Human: new (config: unknown) => HumanInstance;
  };
  const off = { enabled: false };
  const human = new Human({
    backend: 'wasm',
    wasmPath: wasmDir,
    modelBasePath: `file://${path.resolve(distDir, '../models')}/`,
    debug: false,
    cacheSensitivity: 0,
    face: {
      enabled: true,
      // Roll-corrected crops for the mesh: the iris crop comes from the mesh's face crop.
      detector: { rotation: true, maxDetected: 3, minConfidence: 0.2 },
      mesh: { enabled: true },
      iris: { enabled: true },
      attention: off,
      description: off,
      emotion: off,
      antispoof: off,
      liveness: off,
    },
    body: off,
    hand: off,
    object: off,
    gesture: off,
    segmentation: off,
    filter: off,
  });
  await human.load();
  return human;
}

const sub = (a: Pt, b: Pt): Pt => [a[0] - b[0], a[1] - b[1]];
const mid = (a: Pt, b: Pt): Pt => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
const dot = (a: Pt, b: Pt): number => a[0] * b[0] + a[1] * b[1];
const norm = (a: Pt): number => Math.hypot(a[0], a[1]);

function frameRecord(t: number, face: HumanFace | undefined): FrameRecord {
  if (face === undefined) return { t, face: 0 };
  const a = face.annotations;
  const p = (key: string, i: number): Pt | undefined => {
    const q = a[key]?.[i];
    return q === undefined ? undefined : [q[0]!, q[1]!];
  };
  const base = { t, face: face.box[2], score: face.score };
  const rot = face.rotation;
  const angles =
    rot === undefined
      ? {}
      : {
          yaw: rot.angle.yaw,
          pitch: rot.angle.pitch,
          roll: rot.angle.roll,
          bearing: rot.gaze.bearing,
          strength: rot.gaze.strength,
        };
  const corners = (side: 'right' | 'left') => {
    const lower = a[`${side}EyeLower0`];
    if (lower === undefined || lower.length < 9) return undefined;
    return [p(`${side}EyeLower0`, 0)!, p(`${side}EyeLower0`, 8)!] as const;
  };
  const rc = corners('right');
  const lc = corners('left');
  if (rc === undefined || lc === undefined) return { ...base, ...angles };
  const axis = sub(mid(...lc), mid(...rc));
  const len = norm(axis);
  if (!(len > 0)) return { ...base, ...angles };
  const u: Pt = [axis[0] / len, axis[1] / len];
  const n: Pt = [-u[1], u[0]];
  const eye = (side: 'right' | 'left', c: readonly [Pt, Pt]): EyeRecord | undefined => {
    const iris = p(`${side}EyeIris`, 0);
    const upper = p(`${side}EyeUpper0`, 3);
    const lower = p(`${side}EyeLower0`, 4);
    if (iris === undefined || upper === undefined || lower === undefined) return undefined;
    const m = mid(c[0], c[1]);
    const w = norm(sub(c[0], c[1]));
    if (!(w > 0)) return undefined;
    const d = sub(iris, m);
    // human 3.3.6's augmentIris flips both eye crops but un-flips only the left eye's
    // output, so the right eye's iris comes back mirrored about the crop's centre, which is
    // the corners' midpoint: its offset along u changes sign (the eyes' h anti-correlate
    // without this; the report prints their correlation after it).
    const h = (dot(d, u) / w) * (side === 'right' ? -1 : 1);
    return { h, v: dot(d, n) / w, open: norm(sub(upper, lower)) / w, width: w };
  };
  const right = eye('right', rc);
  const left = eye('left', lc);
  return {
    ...base,
    ...angles,
    ...(right === undefined ? {} : { right }),
    ...(left === undefined ? {} : { left }),
  };
}

// ---------------------------------------------------------------- clips and measuring

const dir = corpus.corpusDir();
const config = loadConfig({ ...process.env });
const FPS = Number(values.fps);
const SECONDS = Number(values.seconds);
const decodeConfig = {
  ...config,
  video: { ...config.video, maxSeconds: 600 },
  sampling: { ...config.sampling, fps: FPS, maxFrames: Math.round(FPS * SECONDS) },
};

interface Clip {
  readonly id: string;
  readonly cls: Cls;
  readonly species: Species;
  readonly repo: string;
  readonly identity: string;
  readonly video?: string;
  readonly picture?: string;
  readonly motion?: Motion;
}
const CLS: Partial<Record<Species, Cls>> = {
  'bona-fide': 'bona-fide',
  'synthetic-video': 'synthetic',
  'replay-video': 'replay',
};
const main = corpus.readManifest(dir);
const more = corpus.readSubManifest('liveness-more', dir);
const clips: Clip[] = [];
for (const p of buildPresentations([...main, ...more], dir, { movingPerPhoto: 0, photoLimit: 0 }))
  if (p.video !== undefined && CLS[p.species] !== undefined)
    clips.push({
      id: p.id,
      cls: CLS[p.species]!,
      species: p.species,
      repo: p.repo,
      identity: p.identity,
      video: p.video,
    });
const STILL_MOTIONS: Motion[] = ['zoom', 'pan', 'rotate', 'perspective', 'shake'];
// Round robin over the sources: the first photo of each, then the second of each, ...
const photosBySource = new Map<string, typeof main>();
for (const f of main.filter((m) => m.kind === 'photo'))
  photosBySource.set(f.source, [...(photosBySource.get(f.source) ?? []), f]);
const stillPhotos: typeof main = [];
for (let round = 0; stillPhotos.length < Number(values.photos); round++) {
  const next = [...photosBySource.values()].map((l) => l[round]).filter((f) => f !== undefined);
  if (next.length === 0) break;
  stillPhotos.push(...next.slice(0, Number(values.photos) - stillPhotos.length));
}
stillPhotos.forEach((f, i) => {
  const motion = STILL_MOTIONS[i % STILL_MOTIONS.length]!;
  clips.push({
    id: `${f.file}#${motion}`,
    cls: 'still-photo',
    species: 'still-photo',
    repo: f.source,
    identity: f.identity,
    picture: path.join(dir, f.file),
    motion,
  });
});

const cache = new Map<string, ClipFrames>();
if (existsSync(framesFile))
  for (const c of JSON.parse(readFileSync(framesFile, 'utf8')) as ClipFrames[]) cache.set(c.id, c);

if (!values.analyse) {
  const human = await loadGazeHuman();
  const area = (f: HumanFace) => f.box[2] * f.box[3];
  const scratch = await scratchDir();
  const t0all = performance.now();
  for (const [i, clip] of clips.entries()) {
    if (cache.has(clip.id)) continue;
    if (values.only !== undefined && !clip.id.includes(values.only)) continue;
    const t0 = performance.now();
    const file =
      clip.video ?? (await makeStillClip(clip.picture!, clip.motion!, scratch.dir, `gaze${i}`));
    const loaded = await serviceFrames(decodeConfig, file, clip.id);
    const meta = {
      id: clip.id,
      cls: clip.cls,
      species: clip.species,
      repo: clip.repo,
      identity: clip.identity,
    };
    if (loaded === undefined) {
      cache.set(clip.id, {
        ...meta,
        ...{ fps: 0, width: 0, height: 0, ms: 0, frames: [] },
        note: 'refused by the decoder',
      });
      continue;
    }
    const frames: FrameRecord[] = [];
    for (const f of loaded.frames) {
      const input = rgbTensor(f.image.data, f.image.width, f.image.height);
      try {
        const faces = (await human.detect(input)).face.filter((x) => (x.mesh?.length ?? 0) >= 478);
        const largest = [...faces].sort((x, y) => area(y) - area(x))[0];
        frames.push(frameRecord(f.timestamp, largest));
      } finally {
        input.dispose();
      }
    }
    const ms = performance.now() - t0;
    cache.set(clip.id, {
      ...meta,
      fps: Math.min(FPS, loaded.info.fps),
      width: loaded.frames[0]?.image.width ?? 0,
      height: loaded.frames[0]?.image.height ?? 0,
      ms: Math.round(ms),
      frames,
    });
    await writeFile(framesFile, JSON.stringify([...cache.values()]));
    console.error(
      `${clip.cls.padEnd(11)} ${clip.id.slice(-60).padEnd(60)} ${String(frames.length).padStart(3)} frames ` +
        `${frames.filter((x) => x.right !== undefined || x.left !== undefined).length} with eyes ` +
        `${(ms / 1000).toFixed(1)} s (total ${((performance.now() - t0all) / 60000).toFixed(1)} min)`,
    );
  }
  await scratch.remove();
}

// ---------------------------------------------------------------- per-clip measures

const median = (v: readonly number[]): number => quantile(v, 0.5);
function quantile(v: readonly number[], q: number): number {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const x = q * (s.length - 1);
  const lo = Math.floor(x);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (x - lo);
}
const meanOf = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const variance = (v: readonly number[]) => {
  const m = meanOf(v);
  return v.length < 2 ? 0 : v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
};

interface Sample {
  readonly t: number;
  readonly h: number;
  readonly v: number;
  readonly yaw?: number;
  readonly pitch?: number;
}
/** The frames' gaze, both eyes averaged, blinks and tiny eyes left out. */
function gazeSeries(c: ClipFrames, until = Infinity): Sample[] {
  const frames = c.frames.filter((f) => f.t - (c.frames[0]?.t ?? 0) < until);
  const medOpen = {
    right: median(frames.map((f) => f.right?.open ?? NaN)),
    left: median(frames.map((f) => f.left?.open ?? NaN)),
  };
  const out: Sample[] = [];
  for (const f of frames) {
    const kept = (['right', 'left'] as const)
      .map((s) => ({ s, e: f[s] }))
      .filter(
        (x): x is { s: 'right' | 'left'; e: EyeRecord } =>
          x.e !== undefined && x.e.width >= 6 && x.e.open >= 0.6 * medOpen[x.s],
      );
    if (kept.length === 0) continue;
    out.push({
      t: f.t,
      h: meanOf(kept.map((x) => x.e.h)),
      v: meanOf(kept.map((x) => x.e.v)),
      ...(f.yaw === undefined ? {} : { yaw: f.yaw, pitch: f.pitch! }),
    });
  }
  return out;
}

/** h and v minus their least-squares fit on (1, yaw, pitch). */
function rotationResidual(s: readonly Sample[]): Sample[] {
  const rows = s.filter((x) => x.yaw !== undefined);
  if (rows.length < 6) return [];
  const X = rows.map((x) => [1, x.yaw!, x.pitch!]);
  const fit = (y: readonly number[]) => {
    // Normal equations, 3×3, with a small ridge for clips whose head does not move.
    const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => X.reduce((a, r) => a + r[i]! * r[j]!, 0)));
    for (let i = 1; i < 3; i++) A[i]![i]! += 1e-6 * rows.length;
    const b = [0, 1, 2].map((i) => X.reduce((a, r, k) => a + r[i]! * y[k]!, 0));
    const beta = solve3(A, b);
    return y.map((yy, k) => yy - X[k]!.reduce((a, xv, i) => a + xv * beta[i]!, 0));
  };
  const rh = fit(rows.map((x) => x.h));
  const rv = fit(rows.map((x) => x.v));
  return rows.map((x, k) => ({ t: x.t, h: rh[k]!, v: rv[k]! }));
}
function solve3(A: number[][], b: number[]): number[] {
  const M = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    const d = M[c]![c]!;
    if (Math.abs(d) < 1e-12) return [meanOf(b) / Math.max(1, A[0]![0]!), 0, 0];
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / d;
      for (let k = c; k < 4; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return [0, 1, 2].map((i) => M[i]![3]! / M[i]![i]!);
}

/** Frame-to-frame steps of the 3-frame median-smoothed series. */
function steps(s: readonly Sample[]): number[] {
  const med3 = (k: number, key: 'h' | 'v') =>
    median([s[Math.max(0, k - 1)]![key], s[k]![key], s[Math.min(s.length - 1, k + 1)]![key]]);
  const sm = s.map((_, k) => [med3(k, 'h'), med3(k, 'v')] as const);
  const out: number[] = [];
  for (let k = 1; k < sm.length; k++)
    out.push(Math.hypot(sm[k]![0] - sm[k - 1]![0], sm[k]![1] - sm[k - 1]![1]));
  return out;
}

interface SeriesStats {
  readonly n: number;
  readonly sd: number;
  readonly sdH: number;
  readonly p90: number;
  readonly shifts: number;
  readonly shiftRate: number;
}
function stats(s: readonly Sample[], threshold: number): SeriesStats | undefined {
  if (s.length < 6) return undefined;
  const mh = median(s.map((x) => x.h));
  const mv = median(s.map((x) => x.v));
  const st = steps(s);
  let shifts = 0;
  let above = false;
  for (const d of st) {
    if (d > threshold && !above) shifts++;
    above = d > threshold;
  }
  const duration = Math.max(s[s.length - 1]!.t - s[0]!.t, 1 / FPS);
  return {
    n: s.length,
    sd: Math.sqrt(variance(s.map((x) => x.h)) + variance(s.map((x) => x.v))),
    sdH: Math.sqrt(variance(s.map((x) => x.h))),
    p90: quantile(
      s.map((x) => Math.hypot(x.h - mh, x.v - mv)),
      0.9,
    ),
    shifts,
    shiftRate: shifts / duration,
  };
}
function humanGaze(c: ClipFrames, until = Infinity) {
  const f = c.frames.filter(
    (x) => x.strength !== undefined && x.t - (c.frames[0]?.t ?? 0) < until && x.face > 0,
  );
  if (f.length < 6) return undefined;
  const vx = f.map((x) => x.strength! * Math.cos(x.bearing!));
  const vy = f.map((x) => x.strength! * Math.sin(x.bearing!));
  const mx = median(vx);
  const my = median(vy);
  return {
    p90: quantile(
      vx.map((x, k) => Math.hypot(x - mx, vy[k]! - my)),
      0.9,
    ),
    sdStrength: Math.sqrt(variance(f.map((x) => x.strength!))),
  };
}

const all = [...cache.values()].filter((c) => clips.some((k) => k.id === c.id));
// The noise floor: RMS of the smoothed steps pooled over the still-photo clips.
const stillSteps = (rot: boolean) =>
  all
    .filter((c) => c.cls === 'still-photo')
    .flatMap((c) => steps(rot ? rotationResidual(gazeSeries(c)) : gazeSeries(c)));
const rms = (v: readonly number[]) => Math.sqrt(meanOf(v.map((x) => x * x)));
const noise = { raw: rms(stillSteps(false)), rot: rms(stillSteps(true)) };
const T = { raw: 3 * noise.raw, rot: 3 * noise.rot };

interface ClipRow {
  readonly id: string;
  readonly cls: Cls;
  readonly repo: string;
  readonly identity: string;
  readonly species: Species;
  readonly frames: number;
  readonly faceFrames: number;
  readonly eyeFrames: number;
  readonly medianEyeWidth: number;
  readonly medianFace: number;
  readonly m: Record<string, number>;
}
const rows: ClipRow[] = all.map((c) => {
  const m: Record<string, number> = {};
  for (const [suffix, until] of [
    ['', Infinity],
    [' 4s', 4],
  ] as const) {
    const s = gazeSeries(c, until);
    const raw = stats(s, T.raw);
    const rot = stats(rotationResidual(s), T.rot);
    const hg = humanGaze(c, until);
    for (const [k, st] of [
      ['', raw],
      ['rot ', rot],
    ] as const) {
      m[`${k}sd${suffix}`] = st?.sd ?? NaN;
      m[`${k}sdH${suffix}`] = st?.sdH ?? NaN;
      m[`${k}p90${suffix}`] = st?.p90 ?? NaN;
      m[`${k}shift/s${suffix}`] = st?.shiftRate ?? NaN;
      m[`${k}shifts${suffix}`] = st?.shifts ?? NaN;
    }
    m[`human p90${suffix}`] = hg?.p90 ?? NaN;
    m[`human sdStrength${suffix}`] = hg?.sdStrength ?? NaN;
  }
  const widths = c.frames
    .flatMap((f) => [f.right?.width, f.left?.width])
    .filter((x) => x !== undefined);
  return {
    id: c.id,
    cls: c.cls,
    repo: c.repo,
    identity: c.identity,
    species: c.species,
    frames: c.frames.length,
    faceFrames: c.frames.filter((f) => f.face > 0).length,
    eyeFrames: gazeSeries(c).length,
    medianEyeWidth: median(widths),
    medianFace: median(c.frames.filter((f) => f.face > 0).map((f) => f.face)),
    m,
  };
});
await writeFile(
  path.join(outDir, 'clips.json'),
  JSON.stringify({ noise, thresholds: T, rows }, null, 1),
);

// ---------------------------------------------------------------- report

const fmt = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3);
const MEASURES = [
  'p90',
  'sd',
  'sdH',
  'shift/s',
  'rot p90',
  'rot sd',
  'rot shift/s',
  'human p90',
  'human sdStrength',
];
const valued = (cls: Cls, key: string) =>
  rows.filter((r) => r.cls === cls && Number.isFinite(r.m[key])).map((r) => r.m[key]!);
const summary = (v: readonly number[]) =>
  v.length === 0
    ? '–'
    : `${fmt(median(v))} [${fmt(Math.min(...v))}–${fmt(Math.max(...v))}] n=${v.length}`;

console.log(
  `\nframes: min(${FPS} fps, native), first ${SECONDS} s; still noise (RMS step) raw ${fmt(noise.raw)}, rot ${fmt(noise.rot)}; shift threshold 3× that`,
);
// Sanity check of the mirror correction: the two eyes' h should move together.
const pairs = all
  .filter((c) => c.cls === 'bona-fide')
  .flatMap((c) => {
    const f = c.frames.filter((x) => x.right !== undefined && x.left !== undefined);
    const mr = median(f.map((x) => x.right!.h));
    const ml = median(f.map((x) => x.left!.h));
    return f.map((x) => [x.right!.h - mr, x.left!.h - ml] as const);
  });
const corr = (a: readonly number[], b: readonly number[]) =>
  (meanOf(a.map((x, i) => x * b[i]!)) - meanOf(a) * meanOf(b)) /
  Math.sqrt(variance(a) * variance(b));
console.log(
  `bona fide frames: correlation of the eyes' h (each about its clip median) ${fmt(
    corr(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    ),
  )}, of v ${fmt(
    corr(
      all
        .filter((c) => c.cls === 'bona-fide')
        .flatMap((c) => c.frames.filter((x) => x.right && x.left).map((x) => x.right!.v)),
      all
        .filter((c) => c.cls === 'bona-fide')
        .flatMap((c) => c.frames.filter((x) => x.right && x.left).map((x) => x.left!.v)),
    ),
  )} (n=${pairs.length})`,
);
console.log('\nper clip (whole window):');
const order: Cls[] = ['bona-fide', 'synthetic', 'replay', 'still-photo'];
for (const r of [...rows].sort(
  (a, b) => order.indexOf(a.cls) - order.indexOf(b.cls) || a.id.localeCompare(b.id),
))
  console.log(
    `${r.cls.padEnd(11)} ${path.basename(r.id).slice(0, 48).padEnd(48)} eyes ${String(r.eyeFrames).padStart(3)}/${String(r.frames).padStart(3)} w ${fmt(r.medianEyeWidth).padStart(5)} | ` +
      ['p90', 'sd', 'shifts', 'rot p90', 'rot shifts', 'human p90']
        .map((k) => `${k} ${fmt(r.m[k])}`)
        .join(' '),
  );

console.log(
  '\nmeasure | bona fide | synthetic | replay | still photo | AUC bf>synth | AUC bf>synth 4s',
);
for (const k of MEASURES)
  console.log(
    `${k} | ${order.map((c) => summary(valued(c, k))).join(' | ')} | ${fmt(
      rocAuc(valued('bona-fide', k), valued('synthetic', k)),
    )} | ${fmt(rocAuc(valued('bona-fide', `${k} 4s`), valued('synthetic', `${k} 4s`)))}`,
  );

/** Display family of a synthesized clip. */
const family = (r: ClipRow): string =>
  /LivePortrait/.test(r.repo)
    ? 'LivePortrait'
    : /SadTalker/.test(r.repo)
      ? 'SadTalker'
      : /Linly-Talker/.test(r.repo)
        ? 'MuseV/Linly-Talker'
        : /MuseTalk/.test(r.repo)
          ? 'MuseTalk'
          : r.repo;
console.log('\nsynthesized clips by family (p90 | sd | shift/s | rot p90 | human p90):');
for (const r of rows
  .filter((x) => x.cls === 'synthetic')
  .sort((a, b) => family(a).localeCompare(family(b))))
  console.log(
    `  ${family(r).padEnd(18)} ${path.basename(r.id).padEnd(46)} ${['p90', 'sd', 'shift/s', 'rot p90', 'human p90'].map((k) => fmt(r.m[k])).join(' | ')}`,
  );
const bfP90 = valued('bona-fide', 'p90');
console.log(
  `  (bona fide p90: p10 ${fmt(quantile(bfP90, 0.1))}, median ${fmt(median(bfP90))}, p90 ${fmt(quantile(bfP90, 0.9))})`,
);

// Leave one group out with decision 0025's tail rule (fixed above).
const groups = sourceGroups(rows);
const groupOf = (r: ClipRow) => groups.get(r.repo)!;
const LOG_OFFSET: Record<string, number> = { 'shift/s': 0.1, 'rot shift/s': 0.1 };
function tail(train: readonly number[], key: string): number {
  const eps = LOG_OFFSET[key] ?? 0;
  const logs = train.map((x) => Math.log(Math.max(x + eps, 1e-9)));
  const mu = meanOf(logs);
  const sd = Math.sqrt(variance(logs));
  return Math.min(Math.min(...train), Math.exp(mu - 3 * sd) - eps);
}
/**
 * The two fitting rules, each on the groups other than the clip's own: "tail" (decision
 * 0025, on bona fide) and "still" (the motion cue's: 1.2 × the largest still-photo value,
 * MOTION_MARGIN; a clip must move its eyes more than any moving photo of the training set).
 */
type Rule = 'tail' | 'still';
const otherGroups = (r: ClipRow, cls: Cls, key: string) =>
  rows
    .filter((x) => x.cls === cls && groupOf(x) !== groupOf(r) && Number.isFinite(x.m[key]))
    .map((x) => x.m[key]!);
const thresholdFor = (rule: Rule, r: ClipRow, key: string) =>
  rule === 'tail'
    ? tail(otherGroups(r, 'bona-fide', key), key)
    : 1.2 * Math.max(...otherGroups(r, 'still-photo', key));
const rejected = (rule: Rule, r: ClipRow, key: string) =>
  !Number.isFinite(r.m[key]) ? false : r.m[key]! < thresholdFor(rule, r, key);

const report = JSON.parse(readFileSync(path.join(repoRoot, 'docs/eval/report.json'), 'utf8')) as {
  liveness: { presentations: { id: string; passed: boolean }[] };
};
const passed = new Map(report.liveness.presentations.map((p) => [p.id, p.passed]));

const RULES: Record<Rule, string> = {
  tail: "min(lowest, exp(mean − 3 SD of log)) of the other groups' bona fide",
  still: "1.2 × the largest value of the other groups' still-photo clips",
};
const synthGroups = [...new Set(rows.filter((r) => r.cls === 'synthetic').map(groupOf))];
for (const rule of ['tail', 'still'] as const) {
  console.log(`\nleave one group out, rule "${rule}": reject a value < ${RULES[rule]}`);
  for (const k of MEASURES) {
    const parts = synthGroups.map((g) => {
      const held = rows.filter((r) => groupOf(r) === g);
      const df = held.filter((r) => r.cls === 'synthetic');
      const bf = held.filter((r) => r.cls === 'bona-fide');
      const t = thresholdFor(rule, held[0]!, k);
      return `${g.replace(/[^ +]*\//g, '')}: t ${fmt(t)} df ${df.filter((r) => rejected(rule, r, k)).length}/${df.length} bf ${bf.filter((r) => rejected(rule, r, k)).length}/${bf.length}`;
    });
    const bfAll = rows.filter((r) => r.cls === 'bona-fide');
    const dfAll = rows.filter((r) => r.cls === 'synthetic');
    const rp = rows.filter((r) => r.cls === 'replay');
    const st = rows.filter((r) => r.cls === 'still-photo');
    const names = (v: ClipRow[]) => v.map((r) => path.basename(r.id)).join(', ') || 'none';
    const rej = (v: ClipRow[]) => v.filter((r) => rejected(rule, r, k));
    // Combined with today's decision.
    const through = (v: ClipRow[]) =>
      v.filter((r) => passed.get(r.id) === true && !rejected(rule, r, k));
    const stopped = dfAll.filter((r) => passed.get(r.id) === true && rejected(rule, r, k));
    const lost = bfAll.filter((r) => passed.get(r.id) === true && rejected(rule, r, k));
    console.log(
      `${k}\n  ${parts.join('; ')}\n  all out-of-group: synthetic rejected ${rej(dfAll).length}/${dfAll.length}, ` +
        `bona fide rejected ${rej(bfAll).length}/${bfAll.length} (${names(rej(bfAll))}), ` +
        `replays ${rej(rp).length}/${rp.length}, stills ${rej(st).length}/${st.length}\n` +
        `  with today's decision: fakes passing ${through(dfAll).length}/${dfAll.length} (stopped: ${names(stopped)}); ` +
        `bona fide passing ${through(bfAll).length}/${bfAll.length} (lost: ${names(lost)})`,
    );
  }
}
