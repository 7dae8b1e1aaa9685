/**
 * Research: does optical flow inside the face separate a calm live person from a still
 * photo moved in front of the camera better than today's landmark cue (nonPlanarMotion)?
 * Landmark jitter (~0.005 IOD median on still-photo clips, up to 0.016) hides the small
 * non-planar motion of a calm live face; points tracked by pyramidal Lucas–Kanade on the
 * pixels may jitter far less.
 *
 * Per clip, decoded and tracked as the service does (loadVideo with loadConfig's sampling:
 * 8 fps, 32 frames, working side 640; FaceTracker with the service's detect and locate;
 * frames whose inter-ocular distance is below the bundle's usable size left out, as
 * analyseVideo does), for each pair of consecutive tracked frames:
 *  - a GRID×GRID grid of points over the face box (of the first frame) shrunk to 0.8, on
 *    luma, tracked to the second frame by pyramidal Lucas–Kanade (3 levels, 15×15 window,
 *    ≤ 20 iterations per level, started from the face box's displacement), then back; a
 *    point is kept when the forward–backward error is ≤ FB_MAX px and its window has
 *    texture (smallest eigenvalue of the structure tensor ≥ 5% of the grid's 90th pct);
 *  - the best homography of the kept pairs (service's fitHomography: normalised DLT, least
 *    squares), and the RMS of the points' residuals, in IODs (mean of the two frames').
 * Per clip: flowP90 (90th percentile over pairs), flowMed3 (90th percentile of the running
 * median of 3 consecutive pairs), flowMed (median), lag4 (the same flowP90 with frames 4
 * apart, 500 ms), and with --full, fullP90 / fullMed3 over every source frame of the
 * first 2 s (ffmpeg directly, the working size; each frame detected and landmarked).
 * Today's cue, nonPlanarMotion, comes from the same tracked frames.
 *
 * Clips: every bona fide and synthetic video of the corpus and liveness-more/
 * (buildPresentations), and still photos turned into clips by makeStillClip: round r
 * gives photo i the motion MOTIONS[(i + r) mod 6], so each round covers every photo once
 * and every motion about equally (--rounds 6: all 612); --recaptures adds the recaptured
 * pictures (every motion). Rows are cached in OUT_JSON (a clip already there is skipped).
 * Prints per-class distributions, AUC bona fide vs still photos, the bona fide above 1.2 ×
 * the still-photo maximum, a leave-one-source-out check of that rule, and the runtime.
 *
 *   nice -n 10 node --import tsx e2e/eval/cue-research/flow-motion-experiment.ts \
 *     [OUT_JSON] [--rounds 2] [--full] [--recaptures] [--grid 10] [--only SUBSTRING]
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveBinary } from '../../../services/verifier/src/media/video/ffmpeg-binaries.js';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import {
  nonPlanarMotion,
  percentile,
} from '../../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import { type FrameObservation } from '../../../services/verifier/src/pipeline/track-face.js';
import {
  fitHomography,
  project,
} from '../../../services/verifier/src/vision/geometry/homography.js';
import type { Box } from '../../../services/verifier/src/vision/geometry/types.js';
import { scratchDir } from '../../support/media-tools.js';
import { MOTIONS } from '../attack-clips.js';
import { corpus } from '../corpus.js';
import { rocAuc } from '../metrics.js';
import { buildPresentations } from '../liveness.js';
import { faceGridTracks, lumaPyramid, type Plane } from './lucas-kanade.js';
import {
  cachedRows,
  loadServiceTracking,
  measureEach,
  type ResearchClip,
} from './service-tracking.js';
import { decodeSourceFrames } from './source-frames.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '2' },
    full: { type: 'boolean', default: false },
    recaptures: { type: 'boolean', default: false },
    grid: { type: 'string', default: '10' },
    only: { type: 'string' },
  },
});
const outJson = positionals[0] ?? '/tmp/flow-motion.json';
const GRID = Number(values.grid);
/** Forward–backward error (px, working frame) above which a track is dropped. */
const FB_MAX = 0.5;
const LEVELS = 3;
const HALF_WINDOW = 7;
const MAX_ITERATIONS = 20;
/** Fewer kept points than this: the pair is not measured. */
const MIN_POINTS = 12;

/** Per-clip figures of the flow cue over one decode. */
interface FlowStats {
  readonly pairs: number;
  readonly p90: number;
  readonly med3: number;
  readonly median: number;
  /** Mean share of grid points kept (forward–backward check and texture). */
  readonly kept: number;
}

interface Row {
  readonly id: string;
  /** bona-fide | deepfake | still-photo | recapture */
  readonly cls: string;
  readonly repo: string;
  readonly motion?: string;
  readonly tracked: number;
  /** The service would refuse the clip (too few usable frames): no cue. */
  readonly refused?: string;
  readonly landmark?: number;
  readonly flow?: FlowStats;
  readonly lag4?: FlowStats;
  readonly full?: FlowStats;
  readonly iod?: number;
  /** Milliseconds of the flow step (luma, pyramids, tracking, fits) on the sampled frames. */
  readonly flowMs?: number;
  readonly fullMs?: number;
}

const LK = { halfWindow: HALF_WINDOW, maxIterations: MAX_ITERATIONS };

/** Residual RMS (px) of the grid's tracks between two frames after their best homography. */
function pairResidual(
  a: readonly Plane[],
  b: readonly Plane[],
  boxA: Box,
  boxB: Box,
): { rms: number; kept: number } | undefined {
  const kept = faceGridTracks(a, b, boxA, boxB, { ...LK, grid: GRID, fbMax: FB_MAX });
  if (kept.length < MIN_POINTS) return undefined;
  const h = fitHomography(
    kept.map((t) => t.from),
    kept.map((t) => t.to),
  );
  let s = 0;
  for (const t of kept) {
    const q = project(h, t.from);
    s += (q.x - t.to.x) ** 2 + (q.y - t.to.y) ** 2;
  }
  return { rms: Math.sqrt(s / kept.length), kept: kept.length / (GRID * GRID) };
}

/** A tracked frame: its face box, inter-ocular distance and picture. */
interface Tracked {
  readonly box: Box;
  readonly iod: number;
  readonly image: RgbImage;
}

/** Flow statistics over frame pairs `lag` tracked frames apart. */
function flowStats(frames: readonly Tracked[], lag: number, cache: Map<RgbImage, Plane[]>) {
  const pyr = (img: RgbImage): Plane[] => {
    let p = cache.get(img);
    if (p === undefined) {
      p = lumaPyramid(img, LEVELS);
      cache.set(img, p);
    }
    return p;
  };
  const per: number[] = [];
  const keptShare: number[] = [];
  for (let t = lag; t < frames.length; t++) {
    const fa = frames[t - lag]!,
      fb = frames[t]!;
    const r = pairResidual(pyr(fa.image), pyr(fb.image), fa.box, fb.box);
    if (r === undefined) continue;
    per.push(r.rms / ((fa.iod + fb.iod) / 2));
    keptShare.push(r.kept);
  }
  if (per.length === 0) return undefined;
  const med3: number[] = [];
  for (let t = 0; t + 3 <= per.length; t++) med3.push(percentile(per.slice(t, t + 3), 0.5));
  return {
    pairs: per.length,
    p90: percentile(per, 0.9),
    med3: med3.length > 0 ? percentile(med3, 0.9) : NaN,
    median: percentile(per, 0.5),
    kept: keptShare.reduce((x, y) => x + y, 0) / keptShare.length,
  };
}

// ---------------------------------------------------------------- models and decoding

const dir = corpus.corpusDir();
const service = await loadServiceTracking();
const { config, calibration: cal } = service;
const ffmpegPath = resolveBinary('ffmpeg', config.ffmpegPath).path;

const asTracked = (obs: readonly FrameObservation[]): Tracked[] =>
  obs.map((o) => ({ box: o.face.box, iod: o.iod, image: o.frame.image }));

async function measure(clip: ResearchClip, file: string): Promise<Row> {
  const base = { id: clip.id, cls: clip.cls, repo: clip.repo, ...pick(clip) };
  const { usable, info, refused } = await service.track(file);
  if (refused !== undefined) return { ...base, tracked: usable.length, refused };
  const landmark = nonPlanarMotion(usable, cal.motion.smoothingFrames);
  const t0 = performance.now();
  const cache = new Map<RgbImage, Plane[]>();
  const frames = asTracked(usable);
  const flow = flowStats(frames, 1, cache);
  const flowMs = performance.now() - t0;
  const lag4 = flowStats(frames, 4, cache);
  cache.clear();
  let full: FlowStats | undefined;
  let fullMs: number | undefined;
  if (values.full) {
    const all = await decodeSourceFrames(ffmpegPath, file, info, config.sampling.workingSide, 2);
    const fobs = await service.follow(all.map((image, k) => ({ image, timestamp: k })));
    const t1 = performance.now();
    full = flowStats(asTracked(fobs), 1, new Map());
    fullMs = performance.now() - t1;
  }
  return {
    ...base,
    tracked: usable.length,
    landmark,
    iod: percentile(
      usable.map((o) => o.iod),
      0.5,
    ),
    flowMs,
    ...(flow === undefined ? {} : { flow }),
    ...(lag4 === undefined ? {} : { lag4 }),
    ...(full === undefined ? {} : { full, fullMs }),
  };
}
const pick = (c: ResearchClip) => (c.motion === undefined ? {} : { motion: c.motion });

// ---------------------------------------------------------------- the clips

const manifest = [...corpus.readManifest(dir), ...corpus.readSubManifest('liveness-more', dir)];
const presentations = buildPresentations(manifest, dir, { movingPerPhoto: 5 });
const clips: ResearchClip[] = [];
for (const p of presentations)
  if (p.video !== undefined && (p.species === 'bona-fide' || p.species === 'synthetic-video'))
    clips.push({
      id: p.id,
      cls: p.species === 'bona-fide' ? 'bona-fide' : 'deepfake',
      repo: p.repo,
      video: p.video,
    });
const photos = [...new Set(presentations.filter((p) => p.species === 'still-photo'))];
const pictures = [...new Map(photos.map((p) => [p.source, p])).values()];
for (let r = 0; r < Number(values.rounds); r++)
  pictures.forEach((p, i) => {
    const motion = MOTIONS[(i + r) % MOTIONS.length]!;
    clips.push({
      id: `${p.source}#${motion}`,
      cls: 'still-photo',
      repo: p.repo,
      picture: p.picture!,
      motion,
    });
  });
if (values.recaptures)
  for (const p of presentations)
    if (p.species === 'recapture-still')
      clips.push({
        id: p.id,
        cls: 'recapture',
        repo: p.repo,
        picture: p.picture!,
        motion: p.motion!,
      });

const rows = cachedRows<Row>(outJson);
const todo = clips.filter(
  (c) => !rows.has(c.id) && (values.only === undefined || c.id.includes(values.only)),
);
const scratch = await scratchDir();
await measureEach(todo, scratch.dir, 'f', measure, async (clip, row: Row, i, seconds) => {
  rows.set(clip.id, row);
  await writeFile(outJson, JSON.stringify([...rows.values()], null, 1));
  console.error(
    `${i + 1}/${todo.length} ${clip.id}: landmark ${f4(row.landmark)} flow ${f4(row.flow?.p90)} ` +
      `(${seconds.toFixed(1)} s, flow ${Math.round(row.flowMs ?? 0)} ms)`,
  );
});
await scratch.remove();
await service.models.release();

// ---------------------------------------------------------------- report

function f4(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(4);
}
const all = [...rows.values()].filter((r) => clips.some((c) => c.id === r.id));
interface Measure {
  readonly name: string;
  readonly of: (r: Row) => number | undefined;
}
const measures: Measure[] = [
  { name: 'landmark (today)', of: (r) => r.landmark },
  { name: 'flow p90', of: (r) => r.flow?.p90 },
  { name: 'flow med3 p90', of: (r) => r.flow?.med3 },
  { name: 'flow median', of: (r) => r.flow?.median },
  { name: 'flow lag4 p90', of: (r) => r.lag4?.p90 },
  ...(values.full
    ? [
        { name: 'full-rate p90', of: (r: Row) => r.full?.p90 },
        { name: 'full-rate med3', of: (r: Row) => r.full?.med3 },
      ]
    : []),
];
const valued = (m: Measure, cls: string) =>
  all
    .filter((r) => r.cls === cls)
    .map((r) => ({ r, v: m.of(r) }))
    .filter((x): x is { r: Row; v: number } => x.v !== undefined && Number.isFinite(x.v));
const name = (r: Row) => `${path.basename(r.id)}`;
const classes = ['bona-fide', 'still-photo', 'recapture', 'deepfake'];

console.log('refused or unmeasured (no usable frames):');
for (const r of all.filter((r) => r.refused !== undefined || r.flow === undefined))
  console.log(`  ${r.cls} ${r.id}: ${r.refused ?? 'no flow pair'}`);

console.log('\n1. distributions (IOD): n | min | median | p90 | max (clip)');
for (const m of measures)
  for (const cls of classes) {
    const v = valued(m, cls).sort((a, b) => a.v - b.v);
    if (v.length === 0) continue;
    const max = v[v.length - 1]!;
    console.log(
      `${m.name} | ${cls} | ${v.length} | ${f4(v[0]!.v)} | ${f4(
        percentile(
          v.map((x) => x.v),
          0.5,
        ),
      )} | ${f4(
        percentile(
          v.map((x) => x.v),
          0.9,
        ),
      )} | ${f4(max.v)} (${name(max.r)}${max.r.motion === undefined ? '' : ''})`,
    );
  }

console.log('\n2. separation: AUC bf vs still | still max ×1.2 | bf above | bf below (names)');
for (const m of measures) {
  const bf = valued(m, 'bona-fide');
  const st = valued(m, 'still-photo');
  if (bf.length === 0 || st.length === 0) continue;
  const c = 1.2 * Math.max(...st.map((x) => x.v));
  const below = bf.filter((x) => x.v <= c);
  console.log(
    `${m.name} | ${rocAuc(
      bf.map((x) => x.v),
      st.map((x) => x.v),
    ).toFixed(3)} | ${f4(c)} | ${bf.length - below.length}/${bf.length} | ${below
      .map((x) => `${name(x.r)} ${f4(x.v)}`)
      .join(', ')}`,
  );
}

console.log(
  "\n3. leave one source out: centre = 1.2 × max of the other sources' stills\n" +
    'measure | held-out source | centre | bf below / n | stills above / n',
);
for (const m of measures) {
  const bf = valued(m, 'bona-fide');
  const st = valued(m, 'still-photo');
  let bfBelow = 0,
    bfN = 0,
    stAbove = 0,
    stN = 0;
  for (const repo of [...new Set(bf.map((x) => x.r.repo))].sort()) {
    const c = 1.2 * Math.max(...st.filter((x) => x.r.repo !== repo).map((x) => x.v));
    const hb = bf.filter((x) => x.r.repo === repo);
    const hs = st.filter((x) => x.r.repo === repo);
    const b = hb.filter((x) => x.v <= c).length;
    const s = hs.filter((x) => x.v > c).length;
    bfBelow += b;
    bfN += hb.length;
    stAbove += s;
    stN += hs.length;
    console.log(`${m.name} | ${repo} | ${f4(c)} | ${b}/${hb.length} | ${s}/${hs.length}`);
  }
  console.log(`${m.name} | TOTAL | | ${bfBelow}/${bfN} | ${stAbove}/${stN}`);
}

console.log('\n4. deepfakes: value (landmark | flow p90 | flow med3 | lag4)');
for (const r of all.filter((x) => x.cls === 'deepfake'))
  console.log(
    `${name(r)} | ${f4(r.landmark)} | ${f4(r.flow?.p90)} | ${f4(r.flow?.med3)} | ${f4(r.lag4?.p90)}`,
  );

console.log('\n5. per motion (still photos): n | flow p90 median | max | landmark median | max');
for (const motion of MOTIONS) {
  const rs = all.filter((r) => r.cls === 'still-photo' && r.motion === motion);
  const fl = rs.flatMap((r) => (r.flow === undefined ? [] : [r.flow.p90]));
  const lm = rs.flatMap((r) => (r.landmark === undefined ? [] : [r.landmark]));
  console.log(
    `${motion} | ${rs.length} | ${f4(percentile(fl, 0.5))} | ${f4(Math.max(...fl))} | ` +
      `${f4(percentile(lm, 0.5))} | ${f4(Math.max(...lm))}`,
  );
}
const ms = all.flatMap((r) => (r.flowMs === undefined ? [] : [r.flowMs]));
const fms = all.flatMap((r) => (r.fullMs === undefined ? [] : [r.fullMs]));
console.log(
  `\n6. flow step (lag 1, sampled frames): median ${Math.round(percentile(ms, 0.5))} ms, ` +
    `p90 ${Math.round(percentile(ms, 0.9))} ms per clip; full-rate 2 s: median ${
      fms.length > 0 ? Math.round(percentile(fms, 0.5)) : '–'
    } ms; grid ${GRID}×${GRID}`,
);
