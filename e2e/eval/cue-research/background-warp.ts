/**
 * Research: does the BACKGROUND of a clip move in a way no homography explains? A live
 * selfie's background is static (desk webcam) or moves rigidly with the camera (a
 * homography, plus a little parallax); an injected still photo bent over time by a warp
 * filter (attack-clips.ts WARPS: ripple, bulge) bends its background too.
 *
 * Per clip, decoded and tracked as the service does (loadVideo with loadConfig's sampling:
 * 8 fps, 32 frames, working side 640; FaceTracker with the service's detect and locate;
 * frames below the bundle's usable inter-ocular size left out, as analyseVideo does), for
 * each pair of consecutive usable frames:
 *  - region rule (fixed before any class was looked at): a GRID×GRID grid of points over
 *    the whole working frame (cell centres), with B = the union of the two frames' face
 *    boxes (centre cx, width w, height h); points within HALF_WINDOW + 2 px of the edge out.
 *      (a) |x − cx| ≤ w and y ≤ B.bottom + 1.5 h: head column 2× the box wide, from the top
 *          of the frame (hair, ears, neck): out of both regions;
 *      (b) |x − cx| ≤ 2.5 w and y ≥ B.bottom + 0.25 h: shoulders and torso.
 *    Region `head` drops (a) only (the brief's rule); region `strict` drops (a) and (b), so
 *    a live body moving against a still background cannot count (`head` is the headline,
 *    chosen before the run). Region `narrow` drops only a 1.5×-wide head column
 *    (|x − cx| ≤ 0.75 w, same height): added after one photo's clips (deepface img1, a
 *    tight portrait) showed that the 2× column leaves a single grid column or none, and
 *    before any bona fide vs attack comparison;
 *  - texture: smallest eigenvalue of the 15×15 structure tensor on luma (per pixel, central
 *    differences) ≥ max(EIG_ABS, EIG_REL × the 90th percentile over the pair's `narrow`
 *    candidates, the widest region);
 *  - pyramidal Lucas–Kanade (LEVELS levels, 15×15 window, ≤ 20 iterations per level) from
 *    zero displacement, retried from the face box's displacement when that fails, then
 *    tracked back; kept when the forward–backward error ≤ FB_MAX px;
 *  - with ≥ MIN_POINTS kept, not all on a line: the least-squares homography of the kept
 *    tracks (the service's fitHomography, normalised DLT) and the RMS of their residuals
 *    (or the least-squares affine map's, when lower: the DLT's algebraic fit can be worse
 *    on a thin strip of points) in working-frame pixels,
 *    divided by the frame's longer side (`rel`) and by the mean IOD of the two frames (`iod`).
 * Per clip: the 90th percentile over measured pairs (the headline measure, `rel p90`) and
 * the median; a clip with fewer than MIN_PAIRS measured pairs is "unmeasured" (no value,
 * and the rule below cannot reject it). `shift` is the median over pairs of the kept
 * points' median displacement / longer side: a moving (handheld) background shows there.
 *
 * Clips: every bona fide video, synthesized video (synthetic-video) and screen replay of
 * the evaluation (buildPresentations over MANIFEST + liveness-more/), and, from the first
 * PHOTOS real photos (kind 'photo'), one clip each of ripple, bulge (warps) and shake, pan
 * (rigid controls) made by makeStillClip. Rows are cached in OUT_JSON (a clip already there
 * is skipped). Report: per-class median [min–max], AUC bona fide vs each attack class
 * (rocAuc), the rule threshold = exp(mean + 3 SD) of the bona fide log values (upper tail,
 * as decision 0025 for a lower one), applied in-sample and leave-one-source-out.
 *
 * Points are tracked by lucas-kanade.ts, as in flow-motion-experiment.ts; the texture test
 * runs before the tracking here, so that flat points cost nothing.
 *
 *   SILENTID_DATA_DIR=/work/shared/data nice -n 15 node --import tsx \
 *     e2e/eval/cue-research/background-warp.ts [OUT_JSON] [--photos 30] [--only SUBSTRING] [--debug]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import { percentile } from '../../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import {
  fitHomography,
  project,
} from '../../../services/verifier/src/vision/geometry/homography.js';
import type { Box, Point } from '../../../services/verifier/src/vision/geometry/types.js';
import { scratchDir } from '../../support/media-tools.js';
import type { Motion } from '../attack-clips.js';
import { rocAuc } from '../metrics.js';
import { lumaPyramid, track, type Plane } from './lucas-kanade.js';
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
    photos: { type: 'string', default: '30' },
    only: { type: 'string' },
    debug: { type: 'boolean', default: false },
  },
});
const outJson = positionals[0] ?? '/tmp/bgwarp.json';
const PHOTOS = Number(values.photos);
const GRID = 32;
/** Forward–backward error (px, working frame) above which a track is dropped. */
const FB_MAX = 0.5;
const LEVELS = 4;
const HALF_WINDOW = 7;
const MAX_ITERATIONS = 20;
/** Texture floor: absolute (luma levels² per px²) and relative to the candidates' p90. */
const EIG_ABS = 2;
const EIG_REL = 0.05;
/** Fewer kept points than this: the pair is not measured. */
const MIN_POINTS = 8;
/** Fewer measured pairs than this: the clip is not measured. */
const MIN_PAIRS = 4;
const STILL_MOTIONS: readonly Motion[] = ['ripple', 'bulge', 'shake', 'pan'];

interface BgStats {
  readonly pairs: number;
  readonly measured: number;
  /** Mean kept points per measured pair. */
  readonly points: number;
  readonly relP90: number;
  readonly relMed: number;
  readonly iodP90: number;
  readonly iodMed: number;
  readonly shift: number;
}

interface Row {
  readonly id: string;
  /** bona-fide | synthetic | replay | ripple | bulge | shake | pan */
  readonly cls: string;
  readonly repo: string;
  readonly tracked: number;
  /** The service would refuse the clip (too few usable frames), or it failed. */
  readonly refused?: string;
  /** Per region; absent when the service refuses the clip. */
  readonly bg?: Record<Region, BgStats>;
  readonly ms?: number;
}

// ---------------------------------------------------------------- Lucas–Kanade

const WIN = 2 * HALF_WINDOW + 1;
const LK = { halfWindow: HALF_WINDOW, maxIterations: MAX_ITERATIONS };

/** Smallest eigenvalue (per pixel) of the structure tensor of the window at integer `pt`. */
function minEigen(p: Plane, pt: Point): number {
  let gxx = 0,
    gxy = 0,
    gyy = 0;
  const x0 = Math.round(pt.x),
    y0 = Math.round(pt.y);
  for (let j = -HALF_WINDOW; j <= HALF_WINDOW; j++)
    for (let i = -HALF_WINDOW; i <= HALF_WINDOW; i++) {
      const x = Math.min(p.w - 2, Math.max(1, x0 + i)),
        y = Math.min(p.h - 2, Math.max(1, y0 + j));
      const ix = (p.d[y * p.w + x + 1]! - p.d[y * p.w + x - 1]!) / 2;
      const iy = (p.d[(y + 1) * p.w + x]! - p.d[(y - 1) * p.w + x]!) / 2;
      gxx += ix * ix;
      gxy += ix * iy;
      gyy += iy * iy;
    }
  const tr = (gxx + gyy) / 2;
  const det = gxx * gyy - gxy * gxy;
  return (tr - Math.sqrt(Math.max(0, tr * tr - det))) / (WIN * WIN);
}

/** Forward then backward; the forward end when the round trip closes within FB_MAX. */
function trackChecked(
  a: readonly Plane[],
  b: readonly Plane[],
  from: Point,
  guess: Point,
): Point | undefined {
  const fwd = track(a, b, from, guess, LK)?.p;
  if (fwd === undefined) return undefined;
  const back = track(b, a, fwd, { x: from.x - fwd.x, y: from.y - fwd.y }, LK)?.p;
  if (back === undefined) return undefined;
  return Math.hypot(back.x - from.x, back.y - from.y) <= FB_MAX ? fwd : undefined;
}

// ---------------------------------------------------------------- background region

/**
 * The region rule of the header for a point of a frameW×frameH frame: undefined when in no
 * region (edge, or the narrow head column), 'side' when in the head column (a) but not the
 * narrow one (only `narrow` keeps it), 'torso' when in the torso zone (b) (`strict` drops
 * it), else 'clear'.
 */
function zone(p: Point, box: Box, frameW: number, frameH: number): Zone | undefined {
  const margin = HALF_WINDOW + 2;
  if (p.x < margin || p.y < margin || p.x > frameW - 1 - margin || p.y > frameH - 1 - margin)
    return undefined;
  const cx = (box.x1 + box.x2) / 2;
  const w = box.x2 - box.x1,
    h = box.y2 - box.y1;
  const dx = Math.abs(p.x - cx);
  if (dx <= 0.75 * w && p.y <= box.y2 + 1.5 * h) return undefined;
  if (dx <= w && p.y <= box.y2 + 1.5 * h) return 'side';
  return dx <= 2.5 * w && p.y >= box.y2 + 0.25 * h ? 'torso' : 'clear';
}

const union = (a: Box, b: Box): Box => ({
  x1: Math.min(a.x1, b.x1),
  y1: Math.min(a.y1, b.y1),
  x2: Math.max(a.x2, b.x2),
  y2: Math.max(a.y2, b.y2),
});
const centre = (b: Box): Point => ({ x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });

interface PairResult {
  readonly rms: number;
  readonly points: number;
  readonly shift: number;
}
type Zone = 'clear' | 'torso' | 'side';
type Region = 'head' | 'strict' | 'narrow';
const REGIONS: readonly Region[] = ['head', 'strict', 'narrow'];
const IN_REGION: Record<Region, readonly Zone[]> = {
  head: ['clear', 'torso'],
  strict: ['clear'],
  narrow: ['clear', 'torso', 'side'],
};

/**
 * Residual RMS (px) of the background tracks between two frames after their best plane
 * map, for each region (undefined where the pair cannot be measured).
 */
function pairResidual(
  a: readonly Plane[],
  b: readonly Plane[],
  boxA: Box,
  boxB: Box,
): Record<Region, PairResult | undefined> {
  const P = a[0]!;
  const box = union(boxA, boxB);
  const candidates: { p: Point; eig: number; zone: Zone }[] = [];
  for (let j = 0; j < GRID; j++)
    for (let i = 0; i < GRID; i++) {
      const p = { x: (P.w * (i + 0.5)) / GRID, y: (P.h * (j + 0.5)) / GRID };
      const z = zone(p, box, P.w, P.h);
      if (z !== undefined) candidates.push({ p, eig: minEigen(P, p), zone: z });
    }
  if (candidates.length < MIN_POINTS)
    return { head: undefined, strict: undefined, narrow: undefined };
  const floor = Math.max(
    EIG_ABS,
    EIG_REL *
      percentile(
        candidates.map((c) => c.eig),
        0.9,
      ),
  );
  const ca = centre(boxA),
    cb = centre(boxB);
  const faceGuess = { x: cb.x - ca.x, y: cb.y - ca.y };
  const tracks: { from: Point; to: Point; zone: Zone }[] = [];
  for (const c of candidates) {
    if (c.eig < floor) continue;
    const q = trackChecked(a, b, c.p, { x: 0, y: 0 }) ?? trackChecked(a, b, c.p, faceGuess);
    if (q !== undefined) tracks.push({ from: c.p, to: q, zone: c.zone });
  }
  if (values.debug)
    console.error(
      `  pair: ${candidates.length} candidates, ${candidates.filter((c) => c.eig >= floor).length} ` +
        `textured (floor ${floor.toFixed(1)}), ${tracks.length} tracked, ` +
        `${tracks.filter((t) => t.zone === 'clear').length} clear`,
    );
  const of = (region: Region) =>
    planeResidual(tracks.filter((t) => IN_REGION[region].includes(t.zone)));
  return { head: of('head'), strict: of('strict'), narrow: of('narrow') };
}

function planeResidual(tracks: readonly { from: Point; to: Point }[]): PairResult | undefined {
  if (tracks.length < MIN_POINTS) return undefined;
  const from = tracks.map((t) => t.from),
    to = tracks.map((t) => t.to);
  const affine = affineResidual(from, to);
  if (affine === undefined) return undefined;
  const hom = fitHomography(from, to);
  let s = 0;
  const moves: number[] = [];
  from.forEach((f, k) => {
    const q = project(hom, f);
    s += (q.x - to[k]!.x) ** 2 + (q.y - to[k]!.y) ** 2;
    moves.push(Math.hypot(to[k]!.x - f.x, to[k]!.y - f.y));
  });
  // The DLT minimises an algebraic error: on a thin strip of points it can fit worse than an
  // affine map, which is a homography too, so the better of the two is the residual.
  const rms = Math.min(Math.sqrt(s / from.length), affine);
  return { rms, points: from.length, shift: percentile(moves, 0.5) };
}

/**
 * RMS residual (px) of the least-squares affine map from `from` to `to`; undefined when the
 * points are (nearly) collinear, so that no plane map is determined.
 */
function affineResidual(from: readonly Point[], to: readonly Point[]): number | undefined {
  const n = from.length;
  const mx = from.reduce((a, p) => a + p.x, 0) / n,
    my = from.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (const p of from) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  const det = sxx * syy - sxy * sxy;
  // Smallest spread of the points below 2 px (RMS): a line, not a patch of plane.
  const tr = (sxx + syy) / 2;
  if (tr - Math.sqrt(Math.max(0, tr * tr - det)) < 4 * n) return undefined;
  const solve = (v: (k: number) => number): readonly [number, number, number] => {
    const mv = from.reduce((a, _, k) => a + v(k), 0) / n;
    let bx = 0,
      by = 0;
    from.forEach((p, k) => {
      bx += (p.x - mx) * (v(k) - mv);
      by += (p.y - my) * (v(k) - mv);
    });
    const a = (syy * bx - sxy * by) / det,
      b = (sxx * by - sxy * bx) / det;
    return [a, b, mv - a * mx - b * my];
  };
  const [ax, bx, cx] = solve((k) => to[k]!.x);
  const [ay, by, cy] = solve((k) => to[k]!.y);
  let s = 0;
  from.forEach((p, k) => {
    s += (ax * p.x + bx * p.y + cx - to[k]!.x) ** 2 + (ay * p.x + by * p.y + cy - to[k]!.y) ** 2;
  });
  return Math.sqrt(s / n);
}

interface Tracked {
  readonly box: Box;
  readonly iod: number;
  readonly image: RgbImage;
}

function backgroundStats(frames: readonly Tracked[]): Record<Region, BgStats> {
  const pyrs = frames.map((f) => lumaPyramid(f.image, LEVELS));
  const per = REGIONS.map(() => ({
    rel: [] as number[],
    iod: [] as number[],
    pts: [] as number[],
    shift: [] as number[],
  }));
  for (let t = 1; t < frames.length; t++) {
    const fa = frames[t - 1]!,
      fb = frames[t]!;
    const r = pairResidual(pyrs[t - 1]!, pyrs[t]!, fa.box, fb.box);
    const side = Math.max(fa.image.width, fa.image.height);
    REGIONS.forEach((region, k) => {
      const x = r[region];
      if (x === undefined) return;
      per[k]!.rel.push(x.rms / side);
      per[k]!.iod.push(x.rms / ((fa.iod + fb.iod) / 2));
      per[k]!.pts.push(x.points);
      per[k]!.shift.push(x.shift / side);
    });
  }
  const stats = ({ rel, iod, pts, shift }: (typeof per)[number]): BgStats => {
    const base = {
      pairs: frames.length - 1,
      measured: rel.length,
      points: pts.length > 0 ? pts.reduce((x, y) => x + y, 0) / pts.length : 0,
    };
    if (rel.length < MIN_PAIRS)
      return { ...base, relP90: NaN, relMed: NaN, iodP90: NaN, iodMed: NaN, shift: NaN };
    return {
      ...base,
      relP90: percentile(rel, 0.9),
      relMed: percentile(rel, 0.5),
      iodP90: percentile(iod, 0.9),
      iodMed: percentile(iod, 0.5),
      shift: percentile(shift, 0.5),
    };
  };
  return { head: stats(per[0]!), strict: stats(per[1]!), narrow: stats(per[2]!) };
}

// ---------------------------------------------------------------- models and decoding

const service = await loadServiceTracking();

async function measure(clip: ResearchClip, file: string): Promise<Row> {
  const base = { id: clip.id, cls: clip.cls, repo: clip.repo };
  const { usable, refused } = await service.track(file);
  if (refused !== undefined) return { ...base, tracked: usable.length, refused };
  const t0 = performance.now();
  const bg = backgroundStats(
    usable.map((o) => ({ box: o.face.box, iod: o.iod, image: o.frame.image })),
  );
  return {
    ...base,
    tracked: usable.length,
    bg,
    ms: performance.now() - t0,
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
await measureEach(todo, scratch.dir, 'b', measure, async (clip, row: Row, i, seconds) => {
  rows.set(clip.id, row);
  await writeFile(outJson, JSON.stringify([...rows.values()], null, 1));
  const h = row.bg?.head,
    st = row.bg?.strict;
  console.error(
    `${i + 1}/${todo.length} ${clip.id}: rel p90 head ${f5(h?.relP90)} ` +
      `(${h?.measured ?? 0}/${h?.pairs ?? 0} pairs, ${Math.round(h?.points ?? 0)} pts), ` +
      `strict ${f5(st?.relP90)} (${st?.measured ?? 0} pairs, ${Math.round(st?.points ?? 0)} pts), ` +
      `narrow ${f5(row.bg?.narrow.relP90)} (${row.bg?.narrow.measured ?? 0} pairs); ` +
      `${seconds.toFixed(1)} s`,
  );
});
await scratch.remove();
await service.models.release();

// ---------------------------------------------------------------- report

function f5(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(3);
}
const all = [...rows.values()].filter((r) => clips.some((c) => c.id === r.id));
const CLASSES = ['bona-fide', 'synthetic', 'replay', 'ripple', 'bulge', 'shake', 'pan'];
const ATTACKS = ['ripple', 'bulge', 'synthetic', 'replay', 'shake', 'pan'];
console.log(
  `clips ${all.length} (photos ${PHOTOS}); grid ${GRID}×${GRID}, ≥ ${MIN_POINTS} points a pair, ` +
    `≥ ${MIN_PAIRS} pairs a clip`,
);

/** exp(mean + 3 SD) of the logs: the bona fide upper tail. */
function tail(v: readonly number[]): number {
  const l = v.map(Math.log);
  const mean = l.reduce((x, y) => x + y, 0) / l.length;
  const sd = Math.sqrt(l.reduce((s, x) => s + (x - mean) ** 2, 0) / (l.length - 1));
  return Math.exp(mean + 3 * sd);
}

function report(region: Region): void {
  const bgOf = (r: Row): BgStats | undefined => r.bg?.[region];
  const measured = (r: Row): boolean => Number.isFinite(bgOf(r)?.relP90);
  const ofClass = (cls: string) => all.filter((r) => r.cls === cls && measured(r));
  const measures: { name: string; of: (r: Row) => number }[] = [
    { name: 'rel p90', of: (r) => bgOf(r)!.relP90 },
    { name: 'rel median', of: (r) => bgOf(r)!.relMed },
    { name: 'IOD p90', of: (r) => bgOf(r)!.iodP90 },
    { name: 'IOD median', of: (r) => bgOf(r)!.iodMed },
  ];
  console.log(`\n======== region ${region}`);
  console.log(
    '1. coverage: class | clips | refused by service | unmeasured | pairs measured / pairs',
  );
  for (const cls of CLASSES) {
    const rs = all.filter((r) => r.cls === cls);
    const ref = rs.filter((r) => bgOf(r) === undefined);
    const un = rs.filter((r) => bgOf(r) !== undefined && !measured(r));
    const pm = rs.reduce((s, r) => s + (bgOf(r)?.measured ?? 0), 0);
    const pa = rs.reduce((s, r) => s + (bgOf(r)?.pairs ?? 0), 0);
    console.log(`${cls} | ${rs.length} | ${ref.length} | ${un.length} | ${pm}/${pa}`);
    if (cls === 'bona-fide' || cls === 'synthetic' || cls === 'replay')
      for (const r of [...ref, ...un])
        console.log(
          `    ${r.id}: ${r.refused ?? `${bgOf(r)!.measured}/${bgOf(r)!.pairs} pairs, ${bgOf(r)!.points.toFixed(0)} pts`}`,
        );
  }

  console.log('2. per class: median [min–max] (n)');
  for (const m of measures)
    console.log(
      `${m.name} | ` +
        CLASSES.map((cls) => {
          const v = ofClass(cls).map(m.of);
          return v.length === 0
            ? `${cls} –`
            : `${cls} ${f5(percentile(v, 0.5))} [${f5(Math.min(...v))}–${f5(Math.max(...v))}] (${v.length})`;
        }).join(' | '),
    );

  console.log(`3. AUC (attack scores higher), bona fide vs: ${ATTACKS.join(' | ')}`);
  for (const m of measures) {
    const bf = ofClass('bona-fide').map(m.of);
    console.log(
      `${m.name} | ` +
        ATTACKS.map((cls) => `${cls} ${rocAuc(ofClass(cls).map(m.of), bf).toFixed(3)}`).join(' | '),
    );
  }

  console.log(
    '4. rule: reject when value > exp(mean + 3 SD) of the bona fide logs (unmeasured: kept); ' +
      'rejected / all clips of the class',
  );
  for (const m of measures) {
    const bf = ofClass('bona-fide');
    const thr = tail(bf.map(m.of));
    const rejects = CLASSES.map((cls) => {
      const rs = all.filter((r) => r.cls === cls);
      return `${cls} ${ofClass(cls).filter((r) => m.of(r) > thr).length}/${rs.length}`;
    });
    console.log(`${m.name} | in-sample threshold ${f5(thr)} | ${rejects.join(' | ')}`);
    let out = 0;
    const folds: string[] = [];
    const thresholds: number[] = [];
    for (const repo of [...new Set(bf.map((r) => r.repo))].sort()) {
      const t = tail(bf.filter((r) => r.repo !== repo).map(m.of));
      thresholds.push(t);
      const held = bf.filter((r) => r.repo === repo);
      const rej = held.filter((r) => m.of(r) > t);
      out += rej.length;
      folds.push(
        `${repo} ${f5(t)} ${rej.length}/${held.length}` +
          (rej.length > 0 ? ` (${rej.map((r) => `${r.id} ${f5(m.of(r))}`).join(', ')})` : ''),
      );
    }
    console.log(
      `  LOSO: bona fide rejected ${out}/${bf.length}; thresholds ` +
        `${f5(Math.min(...thresholds))}–${f5(Math.max(...thresholds))}; ${folds.join('; ')}`,
    );
  }

  console.log(
    '5. bona fide, highest rel p90 first: id | repo | rel p90 | rel med | IOD p90 | shift | pts',
  );
  for (const r of ofClass('bona-fide').sort((a, b) => bgOf(b)!.relP90 - bgOf(a)!.relP90))
    console.log(
      `${r.id} | ${r.repo} | ${f5(bgOf(r)!.relP90)} | ${f5(bgOf(r)!.relMed)} | ` +
        `${f5(bgOf(r)!.iodP90)} | ${f5(bgOf(r)!.shift)} | ${bgOf(r)!.points.toFixed(0)}`,
    );
  console.log('6. attacks measured but under the in-sample rel p90 threshold: id | rel p90 | pts');
  const thr = tail(ofClass('bona-fide').map((r) => bgOf(r)!.relP90));
  for (const cls of ['ripple', 'bulge', 'synthetic', 'replay'])
    for (const r of ofClass(cls).filter((x) => bgOf(x)!.relP90 <= thr))
      console.log(`${cls} ${r.id} | ${f5(bgOf(r)!.relP90)} | ${bgOf(r)!.points.toFixed(0)}`);
}
for (const region of REGIONS) report(region);
const ms = all.flatMap((r) => (r.ms === undefined ? [] : [r.ms]));
console.log(
  `\n7. background step per clip: median ${Math.round(percentile(ms, 0.5))} ms; ` +
    `this run ${((performance.now() - started) / 1000).toFixed(0)} s for ${todo.length} clips`,
);
