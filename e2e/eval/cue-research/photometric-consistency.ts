/**
 * Research: does the SHADING of a tracked skin point change as a live face moves? Under
 * fixed lighting a turning head changes each skin point's brightness (its normal turns
 * against the light; highlights slide over the skin). A 2-D warp of a photo (attack-clips.ts
 * WARPS) and the warping generators (LivePortrait, SadTalker's renderer) move texture with
 * its shading baked in, so a tracked point keeps its brightness up to compression noise and
 * global exposure drift.
 *
 * Per clip, decoded and tracked as the service does (loadVideo with loadConfig's sampling:
 * 8 fps, 32 frames, working side 640; FaceTracker with the service's detect and locate;
 * frames below the bundle's usable inter-ocular size left out), for each pair of
 * consecutive usable frames A → B:
 *  - a GRID×GRID grid over A's face box shrunk to 0.8, tracked by pyramidal Lucas–Kanade
 *    (lucas-kanade.ts; 3 levels, 15×15 window, from the face box's displacement), then
 *    back; kept when the forward–backward error ≤ FB_MAX px and the window's smallest
 *    structure-tensor eigenvalue ≥ 5% of the pair's 90th percentile (as
 *    flow-motion-experiment.ts); a pair needs ≥ MIN_POINTS kept points;
 *  - photometric `ph`: mean luma of a 5×5 patch (1-px step, bilinear) around p in A and
 *    around p' in B; B ≈ gain·A + offset fitted over the kept points (least squares:
 *    exposure and white-balance drift out); the RMS residual, luma levels;
 *  - geometric `geo`: RMS residual of the kept points after their best homography
 *    (fitHomography), in IODs (mean of the two frames'); `disp`: mean displacement, IODs.
 * Per clip: median and p90 over pairs of ph and of geo; `ratio` = median over the pairs with
 * geo > FLOOR of ph / geo (IOD⁻¹ luma levels), FLOOR = the median over the `static` clips of
 * their median geo (the compression-noise floor of the tracking), unmeasured with fewer
 * than MIN_PAIRS such pairs; `phTop` = median ph over the third of pairs with the largest geo.
 *
 * RULE, fixed before any class was looked at: a clip is flagged when its ratio is below
 * exp(mean − 3 SD) of the bona fide clips' log ratios (decision 0025's lower tail); a clip
 * with no ratio is not flagged. In-sample, and leave-one-source-out for bona fide (the
 * threshold refitted without the held-out clip's MANIFEST repository). The same rule is
 * reported, as secondary measures, on ph median and phTop.
 *
 * Clips: every bona fide, synthesized and replay video of the evaluation
 * (buildPresentations over MANIFEST + liveness-more/), and for the first PHOTOS real photos
 * (kind 'photo') one ripple, one bulge and one static clip (makeStillClip). Rows, with the
 * per-pair values, are cached in OUT_JSON (a clip already there is skipped).
 *
 *   SILENTID_DATA_DIR=/work/shared/data nice -n 15 node --import tsx \
 *     e2e/eval/cue-research/photometric-consistency.ts [OUT_JSON] [--photos 25] [--patch 2]
 *     [--only SUBSTRING]   (--patch 7: 15×15 patches, a check of the patch size; own OUT_JSON)
 */
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { percentile } from '../../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import {
  fitHomography,
  project,
} from '../../../services/verifier/src/vision/geometry/homography.js';
import type { Box, Point } from '../../../services/verifier/src/vision/geometry/types.js';
import { scratchDir } from '../../support/media-tools.js';
import type { Motion } from '../attack-clips.js';
import { rocAuc } from '../metrics.js';
import { faceGridTracks, lumaPyramid, sample, type Plane } from './lucas-kanade.js';
import {
  cachedRows,
  measureEach,
  loadServiceTracking,
  researchClips,
  type ResearchClip,
} from './service-tracking.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    photos: { type: 'string', default: '25' },
    patch: { type: 'string', default: '2' },
    only: { type: 'string' },
  },
});
const outJson = positionals[0] ?? '/tmp/photometric.json';
const PHOTOS = Number(values.photos);
const GRID = 10;
const FB_MAX = 0.5;
const LEVELS = 3;
const LK = { halfWindow: 7, maxIterations: 20 };
/** Half side of the photometric patch: 2 is 5×5 (the headline; other sizes: a check). */
const PATCH = Number(values.patch);
const MIN_POINTS = 12;
const MIN_PAIRS = 4;
const STILL_MOTIONS: readonly Motion[] = ['ripple', 'bulge', 'static'];
const ACCEPTED_FAKES = [
  'KwaiVGI__LivePortrait/driving_d11.mp4',
  'art_0_japanese.mp4',
  'art_2_RD_Radio31_000.mp4',
  'resize_good.mp4',
];

/** One frame pair: photometric residual (luma), geometric residual and displacement (IOD). */
type Pair = readonly [ph: number, geo: number, disp: number];

interface Row {
  readonly id: string;
  readonly cls: string;
  readonly repo: string;
  readonly tracked: number;
  readonly refused?: string;
  readonly pairs?: readonly Pair[];
  /** Median over pairs of the kept points' patch-luma spread (SD / mean, frame A). */
  readonly contrast?: number;
  readonly luma?: number;
  readonly points?: number;
  /** Bits per pixel per frame of the source file (compression). */
  readonly bpp?: number;
  readonly iod?: number;
}

const mean = (v: readonly number[]) => v.reduce((x, y) => x + y, 0) / v.length;

function patchMean(p: Plane, q: Point): number {
  let s = 0;
  for (let j = -PATCH; j <= PATCH; j++)
    for (let i = -PATCH; i <= PATCH; i++) s += sample(p, q.x + i, q.y + j);
  return s / (2 * PATCH + 1) ** 2;
}

/** RMS residual of the least-squares fit b ≈ gain·a + offset. */
function gainOffsetResidual(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a),
    mb = mean(b);
  let saa = 0,
    sab = 0;
  a.forEach((x, k) => {
    saa += (x - ma) ** 2;
    sab += (x - ma) * (b[k]! - mb);
  });
  const gain = saa > 0 ? sab / saa : 0;
  return Math.sqrt(mean(a.map((x, k) => (b[k]! - mb - gain * (x - ma)) ** 2)));
}

function measurePair(
  a: readonly Plane[],
  b: readonly Plane[],
  boxA: Box,
  boxB: Box,
  iod: number,
): { pair: Pair; contrast: number; luma: number; points: number } | undefined {
  const kept = faceGridTracks(a, b, boxA, boxB, { ...LK, grid: GRID, fbMax: FB_MAX });
  if (kept.length < MIN_POINTS) return undefined;
  const from = kept.map((t) => t.from),
    to = kept.map((t) => t.to);
  const la = from.map((p) => patchMean(a[0]!, p)),
    lb = to.map((p) => patchMean(b[0]!, p));
  const h = fitHomography(from, to);
  let s = 0;
  from.forEach((f, k) => {
    const q = project(h, f);
    s += (q.x - to[k]!.x) ** 2 + (q.y - to[k]!.y) ** 2;
  });
  const geo = Math.sqrt(s / from.length) / iod;
  const disp = mean(from.map((f, k) => Math.hypot(to[k]!.x - f.x, to[k]!.y - f.y))) / iod;
  const luma = mean(la);
  const sd = Math.sqrt(mean(la.map((x) => (x - luma) ** 2)));
  return {
    pair: [gainOffsetResidual(la, lb), geo, disp],
    contrast: sd / luma,
    luma,
    points: kept.length,
  };
}

// ---------------------------------------------------------------- models and decoding

const service = await loadServiceTracking();

async function measure(clip: ResearchClip, file: string): Promise<Row> {
  const base = { id: clip.id, cls: clip.cls, repo: clip.repo };
  const { usable, info, refused } = await service.track(file);
  if (refused !== undefined) return { ...base, tracked: usable.length, refused };
  const pyrs = usable.map((o) => lumaPyramid(o.frame.image, LEVELS));
  const res = [];
  for (let t = 1; t < usable.length; t++) {
    const fa = usable[t - 1]!,
      fb = usable[t]!;
    const r = measurePair(pyrs[t - 1]!, pyrs[t]!, fa.face.box, fb.face.box, (fa.iod + fb.iod) / 2);
    if (r !== undefined) res.push(r);
  }
  return {
    ...base,
    tracked: usable.length,
    pairs: res.map((r) => r.pair),
    contrast: percentile(
      res.map((r) => r.contrast),
      0.5,
    ),
    luma: percentile(
      res.map((r) => r.luma),
      0.5,
    ),
    points: res.length > 0 ? mean(res.map((r) => r.points)) : 0,
    bpp: (8 * statSync(file).size) / (info.durationSeconds * info.fps * info.width * info.height),
    iod: percentile(
      usable.map((o) => o.iod),
      0.5,
    ),
  };
}

// ---------------------------------------------------------------- the clips

const clips = researchClips(PHOTOS, STILL_MOTIONS);
const rows = cachedRows<Row>(outJson);
const todo = clips.filter(
  (c) => !rows.has(c.id) && (values.only === undefined || c.id.includes(values.only)),
);
const started = performance.now();
const scratch = await scratchDir();
await measureEach(todo, scratch.dir, 'p', measure, async (clip, row: Row, i, seconds) => {
  rows.set(clip.id, row);
  await writeFile(outJson, JSON.stringify([...rows.values()]));
  const ps = row.pairs ?? [];
  console.error(
    `${i + 1}/${todo.length} ${clip.id}: ${ps.length} pairs, ph med ` +
      `${f3(
        percentile(
          ps.map((p) => p[0]),
          0.5,
        ),
      )}, geo med ${f3(
        percentile(
          ps.map((p) => p[1]),
          0.5,
        ),
      )}` +
      ` (${seconds.toFixed(1)} s)`,
  );
});
await scratch.remove();
await service.models.release();

// ---------------------------------------------------------------- report

function f3(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(3);
}
const all = [...rows.values()].filter((r) => clips.some((c) => c.id === r.id));
const med = (v: readonly number[]) => (v.length === 0 ? NaN : percentile(v, 0.5));
const statics = all.filter((r) => r.cls === 'static' && (r.pairs?.length ?? 0) > 0);
const FLOOR = med(statics.map((r) => med(r.pairs!.map((p) => p[1]))));

interface Measure {
  readonly name: string;
  readonly of: (ps: readonly Pair[]) => number;
}
const measures: Measure[] = [
  {
    name: 'ratio ph/geo',
    of: (ps) => {
      const above = ps.filter((p) => p[1] > FLOOR);
      return above.length < MIN_PAIRS ? NaN : med(above.map((p) => p[0] / p[1]));
    },
  },
  { name: 'ph median', of: (ps) => med(ps.map((p) => p[0])) },
  {
    name: 'ph p90',
    of: (ps) =>
      percentile(
        ps.map((p) => p[0]),
        0.9,
      ),
  },
  {
    name: 'ph top-third geo',
    of: (ps) => {
      const s = [...ps].sort((x, y) => y[1] - x[1]);
      return med(s.slice(0, Math.ceil(s.length / 3)).map((p) => p[0]));
    },
  },
  { name: 'geo median', of: (ps) => med(ps.map((p) => p[1])) },
  {
    name: 'geo p90',
    of: (ps) =>
      percentile(
        ps.map((p) => p[1]),
        0.9,
      ),
  },
  { name: 'disp median', of: (ps) => med(ps.map((p) => p[2])) },
];
const value = (m: Measure, r: Row): number =>
  (r.pairs?.length ?? 0) >= MIN_PAIRS ? m.of(r.pairs!) : NaN;
const CLASSES = ['bona-fide', 'synthetic', 'replay', 'ripple', 'bulge', 'static'];
const accepted = (r: Row) => ACCEPTED_FAKES.some((s) => r.id.endsWith(s));
const groups: Record<string, (r: Row) => boolean> = {
  ...Object.fromEntries(CLASSES.map((c) => [c, (r: Row) => r.cls === c])),
  'accepted-4': (r) => r.cls === 'synthetic' && accepted(r),
};
const ofGroup = (g: string, m: Measure) =>
  all.filter(groups[g]!).filter((r) => Number.isFinite(value(m, r)));

console.log(
  `clips ${all.length} (photos ${PHOTOS}); grid ${GRID}×${GRID}, patch ${2 * PATCH + 1}×${2 * PATCH + 1}; ` +
    `geo floor (static median) ${f3(FLOOR)} IOD`,
);
console.log('0. unmeasured (refused, or < MIN_PAIRS pairs):');
for (const r of all.filter((x) => (x.pairs?.length ?? 0) < MIN_PAIRS))
  console.log(`   ${r.cls} ${r.id}: ${r.refused ?? `${r.pairs?.length ?? 0} pairs`}`);

console.log('1. per class: median [min–max] (n)');
for (const m of measures)
  console.log(
    `${m.name} | ` +
      Object.keys(groups)
        .map((g) => {
          const v = ofGroup(g, m).map((r) => value(m, r));
          return v.length === 0
            ? `${g} –`
            : `${g} ${f3(med(v))} [${f3(Math.min(...v))}–${f3(Math.max(...v))}] (${v.length})`;
        })
        .join(' | '),
  );

const ATTACKS = ['ripple', 'bulge', 'synthetic', 'accepted-4', 'replay', 'static'];
console.log(`2. AUC (bona fide higher), bona fide vs: ${ATTACKS.join(' | ')}`);
for (const m of measures) {
  const bf = ofGroup('bona-fide', m).map((r) => value(m, r));
  console.log(
    `${m.name} | ` +
      ATTACKS.map(
        (g) =>
          `${g} ${rocAuc(
            bf,
            ofGroup(g, m).map((r) => value(m, r)),
          ).toFixed(3)}`,
      ).join(' | '),
  );
}

/** exp(mean − 3 SD) of the logs: the bona fide lower tail (decision 0025). */
function tail(v: readonly number[]): number {
  const l = v.map(Math.log);
  const mu = mean(l);
  const sd = Math.sqrt(l.reduce((s, x) => s + (x - mu) ** 2, 0) / (l.length - 1));
  return Math.exp(mu - 3 * sd);
}
console.log(
  '3. rule: flagged when value < exp(mean − 3 SD) of bona fide logs (unmeasured: not flagged)',
);
for (const m of measures.slice(0, 4)) {
  const bf = ofGroup('bona-fide', m);
  const thr = tail(bf.map((r) => value(m, r)));
  const flagged = Object.keys(groups).map((g) => {
    const n = all.filter(groups[g]!).length;
    const hit = ofGroup(g, m).filter((r) => value(m, r) < thr);
    return `${g} ${hit.length}/${n}`;
  });
  console.log(`${m.name} | in-sample threshold ${f3(thr)} | ${flagged.join(' | ')}`);
  const hits: string[] = [];
  const thresholds: number[] = [];
  for (const repo of [...new Set(bf.map((r) => r.repo))].sort()) {
    const t = tail(bf.filter((r) => r.repo !== repo).map((r) => value(m, r)));
    thresholds.push(t);
    for (const r of bf.filter((x) => x.repo === repo && value(m, x) < t))
      hits.push(`${path.basename(r.id)} ${f3(value(m, r))} < ${f3(t)}`);
  }
  const lo = Math.min(...thresholds),
    hi = Math.max(...thresholds);
  const atk = (g: string) =>
    `${g} ${ofGroup(g, m).filter((r) => value(m, r) < lo).length}–` +
    `${ofGroup(g, m).filter((r) => value(m, r) < hi).length}`;
  console.log(
    `  LOSO: bona fide flagged ${hits.length}/${bf.length} (${hits.join('; ') || 'none'}); ` +
      `thresholds ${f3(lo)}–${f3(hi)}; attacks under them: ` +
      ATTACKS.map(atk).join(', '),
  );
}

const ratio = measures[0]!;
console.log(
  '4. bona fide, lowest ratio first: id | repo | ratio | ph med | geo med | disp med | ' +
    'pairs>floor | contrast | luma | bpp | IOD px | pts',
);
const line = (r: Row) =>
  `${path.basename(r.id)} | ${r.repo} | ${f3(value(ratio, r))} | ${f3(value(measures[1]!, r))} | ` +
  `${f3(value(measures[4]!, r))} | ${f3(value(measures[6]!, r))} | ` +
  `${r.pairs?.filter((p) => p[1] > FLOOR).length ?? 0}/${r.pairs?.length ?? 0} | ` +
  `${f3(r.contrast)} | ${f3(r.luma)} | ${f3(r.bpp)} | ${f3(r.iod)} | ${Math.round(r.points ?? 0)}`;
for (const r of all
  .filter((x) => x.cls === 'bona-fide')
  .sort((a, b) => (value(ratio, a) || Infinity) - (value(ratio, b) || Infinity)))
  console.log(line(r));
console.log('5. synthesized and replay (same columns):');
for (const r of all.filter((x) => x.cls === 'synthetic' || x.cls === 'replay'))
  console.log(`${accepted(r) ? '*' : ' '} ${line(r)}`);
console.log(
  `this run ${((performance.now() - started) / 1000).toFixed(0)} s for ${todo.length} clips`,
);
