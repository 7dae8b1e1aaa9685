/**
 * Research: does the face's fine TEXTURE move with the face, or stay where it was on the
 * screen? A camera sees skin, pores and hair move with the head. Renderers that warp a
 * feature map and decode it (face-vid2vid, SadTalker's renderer, LivePortrait) are known to
 * leave "texture sticking": fine detail tied to pixel positions while the face moves under
 * it (Karras et al. 2021, StyleGAN3, on generators' aliasing). The synthesized heads that
 * pass today pass on motion, which is when sticking would show.
 *
 * Per clip, decoded and tracked as the service does (service-tracking.ts), for each pair of
 * usable frames A → B, GAP frames apart (1 and 2 at 8 fps):
 *  - hp = luma − its Gaussian blur (σ SIGMA px): the texture finer than the face's shading;
 *  - the face's motion: the homography H of its flow (faceGridTracks, as
 *    photometric-consistency.ts), `disp` its median displacement over the region, px;
 *  - region R: every pixel of A's face box shrunk to INNER of its size;
 *  - moved = NCC over R of hpA(p) and hpB(H p): the texture moved with the face;
 *    stuck = NCC of hpA(p) and hpB(p): the texture stayed on the screen;
 *    self = NCC of hpA(p) and hpA(H p): how alike the texture is to itself at that shift
 *    (what `stuck` reads on a face whose texture moved with it, with no sticking at all).
 * RULE, fixed before any class was looked at: per clip, over pairs with disp ≥ MIN_DISP px,
 * the median of `excess` = stuck − self (no sticking: ≈ 0) and of
 * `share` = excess / (excess + moved − self); bona fide should be ≈ 0, a sticking renderer
 * above. Reported: per class median [min–max], AUC bona fide vs each class, and the
 * decision-0025 tail rule (mean + 3 SD of the bona fide values) in-sample.
 *
 *   SILENTID_DATA_DIR=/work/shared/data nice -n 15 node --import tsx \
 *     e2e/eval/cue-research/texture-sticking.ts [OUT_JSON] [--photos 8] [--only SUBSTRING]
 *
 * Findings (2026-12-07, 64 clips, ~2 s each): no sticking. `excess` median −0.021 on the 9
 * measurable synthesized heads (the 4 accepted today: −0.021 to 0.004), 0.003 on 33 bona
 * fide clips (−0.10 to 0.17): AUC 0.33, the wrong way round; the tail rule flags no attack
 * and one live clip. Not adopted (docs/liveness.md).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { percentile } from '../../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import {
  fitHomography,
  project,
  type Homography,
} from '../../../services/verifier/src/vision/geometry/homography.js';
import type { Box } from '../../../services/verifier/src/vision/geometry/types.js';
import { scratchDir } from '../../support/media-tools.js';
import type { Motion } from '../attack-clips.js';
import { pearson, rocAuc } from '../metrics.js';
import { faceGridTracks, lumaPyramid, sample, type Plane } from './lucas-kanade.js';
import {
  cachedRows,
  loadServiceTracking,
  measureEach,
  researchClips,
  type ResearchClip,
} from './service-tracking.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    photos: { type: 'string', default: '8' },
    only: { type: 'string' },
  },
});
const outJson = positionals[0] ?? '/tmp/texture-sticking.json';
const PHOTOS = Number(values.photos);
const SIGMA = 1.2;
const INNER = 0.6;
const MIN_DISP = 1.5;
const GAPS = [1, 2] as const;
const GRID = 10;
const LEVELS = 3;
const LK = { halfWindow: 7, maxIterations: 20 };
const MIN_POINTS = 12;
const MIN_PAIRS = 3;
const STILL_MOTIONS: readonly Motion[] = ['shake', 'ripple'];
const ACCEPTED_FAKES = [
  'KwaiVGI__LivePortrait/driving_d11.mp4',
  'art_0_japanese.mp4',
  'art_2_RD_Radio31_000.mp4',
  'resize_good.mp4',
];

/** One frame pair: gap, disp (px), moved, stuck, self. */
type Pair = readonly [gap: number, disp: number, moved: number, stuck: number, self: number];

interface Row {
  readonly id: string;
  readonly cls: string;
  readonly repo: string;
  readonly tracked: number;
  readonly refused?: string;
  readonly pairs?: readonly Pair[];
  readonly iod?: number;
}

/** Luma minus its separable Gaussian blur: the fine texture. */
function highPass(p: Plane): Plane {
  const r = Math.ceil(3 * SIGMA);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) =>
    Math.exp(-((i - r) ** 2) / (2 * SIGMA ** 2)),
  );
  const ks = k.reduce((a, b) => a + b, 0);
  const { w, h, d } = p;
  const tmp = new Float32Array(w * h),
    out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = -r; j <= r; j++)
        s += k[j + r]! * d[y * w + Math.min(w - 1, Math.max(0, x + j))]!;
      tmp[y * w + x] = s / ks;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = -r; j <= r; j++)
        s += k[j + r]! * tmp[Math.min(h - 1, Math.max(0, y + j)) * w + x]!;
      out[y * w + x] = d[y * w + x]! - s / ks;
    }
  return { w, h, d: out };
}

function measurePair(
  pa: readonly Plane[],
  pb: readonly Plane[],
  hpA: Plane,
  hpB: Plane,
  boxA: Box,
  boxB: Box,
  gap: number,
): Pair | undefined {
  const kept = faceGridTracks(pa, pb, boxA, boxB, { ...LK, grid: GRID, fbMax: 0.5 });
  if (kept.length < MIN_POINTS) return undefined;
  const H: Homography = fitHomography(
    kept.map((t) => t.from),
    kept.map((t) => t.to),
  );
  const cx = (boxA.x1 + boxA.x2) / 2,
    cy = (boxA.y1 + boxA.y2) / 2;
  const hw = ((boxA.x2 - boxA.x1) * INNER) / 2,
    hh = ((boxA.y2 - boxA.y1) * INNER) / 2;
  const a: number[] = [],
    moved: number[] = [],
    stuck: number[] = [],
    self: number[] = [],
    disp: number[] = [];
  for (let y = Math.max(0, Math.round(cy - hh)); y <= Math.min(hpA.h - 1, cy + hh); y++)
    for (let x = Math.max(0, Math.round(cx - hw)); x <= Math.min(hpA.w - 1, cx + hw); x++) {
      const q = project(H, { x, y });
      if (q.x < 0 || q.y < 0 || q.x > hpA.w - 1 || q.y > hpA.h - 1) continue;
      a.push(hpA.d[y * hpA.w + x]!);
      stuck.push(hpB.d[y * hpB.w + x]!);
      moved.push(sample(hpB, q.x, q.y));
      self.push(sample(hpA, q.x, q.y));
      if ((x + y) % 7 === 0) disp.push(Math.hypot(q.x - x, q.y - y));
    }
  if (a.length < 100) return undefined;
  return [gap, percentile(disp, 0.5), pearson(a, moved), pearson(a, stuck), pearson(a, self)];
}

const service = await loadServiceTracking();

async function measure(clip: ResearchClip, file: string): Promise<Row> {
  const base = { id: clip.id, cls: clip.cls, repo: clip.repo };
  const { usable, refused } = await service.track(file);
  if (refused !== undefined) return { ...base, tracked: usable.length, refused };
  const pyrs = usable.map((o) => lumaPyramid(o.frame.image, LEVELS));
  const hps = pyrs.map((p) => highPass(p[0]!));
  const pairs: Pair[] = [];
  for (const gap of GAPS)
    for (let t = gap; t < usable.length; t++) {
      const r = measurePair(
        pyrs[t - gap]!,
        pyrs[t]!,
        hps[t - gap]!,
        hps[t]!,
        usable[t - gap]!.face.box,
        usable[t]!.face.box,
        gap,
      );
      if (r !== undefined) pairs.push(r);
    }
  return {
    ...base,
    tracked: usable.length,
    pairs,
    iod: percentile(
      usable.map((o) => o.iod),
      0.5,
    ),
  };
}

const clips = researchClips(PHOTOS, STILL_MOTIONS);
const rows = cachedRows<Row>(outJson);
const todo = clips.filter(
  (c) => !rows.has(c.id) && (values.only === undefined || c.id.includes(values.only)),
);
const scratch = await scratchDir();
await measureEach(todo, scratch.dir, 't', measure, async (clip, row: Row, i, seconds) => {
  rows.set(clip.id, row);
  await writeFile(outJson, JSON.stringify([...rows.values()]));
  const v = row.pairs === undefined ? undefined : excessOf(row.pairs);
  console.error(
    `${i + 1}/${todo.length} ${clip.cls} ${clip.id}: ${row.pairs?.length ?? 0} pairs, ` +
      `excess ${f3(v)} (${seconds.toFixed(1)} s)`,
  );
});
await scratch.remove();
await service.models.release();

// ---------------------------------------------------------------- report

function f3(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(3);
}
function med(v: readonly number[]): number {
  return v.length === 0 ? NaN : percentile(v, 0.5);
}
function moving(ps: readonly Pair[]): Pair[] {
  return ps.filter((p) => p[1] >= MIN_DISP);
}
function excessOf(ps: readonly Pair[]): number {
  const m = moving(ps);
  return m.length < MIN_PAIRS ? NaN : med(m.map((p) => p[3] - p[4]));
}
function shareOf(ps: readonly Pair[]): number {
  const m = moving(ps);
  if (m.length < MIN_PAIRS) return NaN;
  return med(
    m.map((p) => {
      const ex = p[3] - p[4],
        mv = p[2] - p[4];
      return ex / Math.max(1e-3, ex + mv);
    }),
  );
}
const measures: { name: string; of: (ps: readonly Pair[]) => number }[] = [
  { name: 'excess stuck − self', of: excessOf },
  { name: 'share stuck', of: shareOf },
  { name: 'moved − self', of: (ps) => med(moving(ps).map((p) => p[2] - p[4])) },
  { name: 'moving pairs', of: (ps) => moving(ps).length },
  { name: 'disp median', of: (ps) => med(ps.map((p) => p[1])) },
];
const all = [...rows.values()].filter((r) => clips.some((c) => c.id === r.id));
const CLASSES = ['bona-fide', 'synthetic', 'replay', ...STILL_MOTIONS];
const accepted = (r: Row) => ACCEPTED_FAKES.some((s) => r.id.endsWith(s));
const groups: Record<string, (r: Row) => boolean> = {
  ...Object.fromEntries(CLASSES.map((c) => [c, (r: Row) => r.cls === c])),
  'accepted-4': (r) => r.cls === 'synthetic' && accepted(r),
};
const val = (m: (typeof measures)[number], r: Row) => (r.pairs === undefined ? NaN : m.of(r.pairs));
console.log(`clips ${all.length}; σ ${SIGMA}, inner ${INNER}, min disp ${MIN_DISP} px`);
console.log('per clip: cls id | excess | share | moved − self | moving pairs');
for (const r of all)
  console.log(`${r.cls} ${r.id} | ${measures.map((m) => f3(val(m, r))).join(' | ')}`);
console.log('per class: median [min–max] (n)');
for (const m of measures)
  console.log(
    `${m.name} | ` +
      Object.keys(groups)
        .map((g) => {
          const v = all
            .filter(groups[g]!)
            .map((r) => val(m, r))
            .filter(Number.isFinite);
          return v.length === 0
            ? `${g} –`
            : `${g} ${f3(med(v))} [${f3(Math.min(...v))}–${f3(Math.max(...v))}] (${v.length})`;
        })
        .join(' | '),
  );
for (const m of measures.slice(0, 2)) {
  const bf = all
    .filter(groups['bona-fide']!)
    .map((r) => val(m, r))
    .filter(Number.isFinite);
  const mu = bf.reduce((a, b) => a + b, 0) / bf.length;
  const sd = Math.sqrt(bf.reduce((a, b) => a + (b - mu) ** 2, 0) / Math.max(1, bf.length - 1));
  const cut = mu + 3 * sd;
  console.log(
    `${m.name}: AUC (attack higher) ` +
      ['synthetic', 'accepted-4', 'replay', ...STILL_MOTIONS]
        .map((g) => {
          const v = all
            .filter(groups[g]!)
            .map((r) => val(m, r))
            .filter(Number.isFinite);
          return `${g} ${rocAuc(v, bf).toFixed(3)} (above ${f3(cut)}: ${v.filter((x) => x > cut).length}/${v.length})`;
        })
        .join(' | ') +
      `; bona fide above: ${bf.filter((x) => x > cut).length}/${bf.length}`,
  );
}
