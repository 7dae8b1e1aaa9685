/**
 * Research: does the static background of a clip carry temporal sensor noise? A camera's
 * video should (every pixel flickers a little from frame to frame); a talking head
 * synthesized from one still image may repeat or warp the same still pixels, so its
 * background difference would be near zero apart from compression, and the boundary
 * between animated face and still background (a blending seam) might show.
 *
 * Per clip, over consecutive decoded frames, with the largest face the service's detector
 * finds in each frame:
 *  - bgMed: median |Δluma| over background pixels (outside the face box enlarged 1.6×, in
 *    both frames of the pair), bgP20: its 20th percentile, bgZero: the fraction of them
 *    with Δluma exactly 0;
 *  - faceMed: the same inside the face box shrunk to 0.8×; faceBg: mean |Δ| face / mean |Δ|
 *    background (means, because the background median is often 0);
 *  - seam: mean |Δ| in the ring between 1.0× and 1.3× of the face box / background mean.
 * Each statistic is the median over the clip's frame pairs; pairs whose frames are
 * identical (duplicated frames) are left out and counted. Two decodes per clip: the
 * service's (loadVideo with loadConfig's sampling: 8 fps, 32 frames, working side 640)
 * and every source frame of the first 2 s (ffmpeg directly, -fps_mode passthrough, the
 * same working size), since 8 fps puts 125 ms between compared frames.
 *
 * Clips: every bona fide, replay and synthetic video of the corpus and of liveness-more/
 * (buildPresentations), and a few still photos turned into zoom/pan clips the way
 * stillPhotoVideo does. Prints one row per clip, then AUC bona fide vs deepfake per measure
 * and a leave-one-generator-out threshold check. Results are cached in OUT_JSON (a clip
 * already there is not decoded again).
 *
 *   nice -n 10 node --import tsx e2e/eval/cue-research/background-noise-experiment.ts \
 *     [OUT_JSON] [--photos 5] [--only SUBSTRING]
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../../services/verifier/src/models/bundle-manifest.js';
import { loadVideo } from '../../../services/verifier/src/media/video/load-video.js';
import { resolveBinary } from '../../../services/verifier/src/media/video/ffmpeg-binaries.js';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import type { Box } from '../../../services/verifier/src/vision/geometry/types.js';
import { loadFaceModels } from '../../../services/verifier/src/vision/face-models.js';
import { scratchDir, stillPhotoVideo } from '../../support/media-tools.js';
import { corpus } from '../corpus.js';
import { rocAuc } from '../metrics.js';
import { buildPresentations } from '../liveness.js';
import { decodeSourceFrames, lumaPlane } from './source-frames.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { photos: { type: 'string', default: '5' }, only: { type: 'string' } },
});
const outJson = positionals[0] ?? '/tmp/background-noise.json';

/** Per-clip statistics of one decode. */
interface Stats {
  readonly frames: number;
  readonly pairs: number;
  readonly duplicates: number;
  readonly bgMed: number;
  readonly bgP20: number;
  readonly bgZero: number;
  readonly bgMean: number;
  readonly faceMed: number;
  readonly faceBg: number;
  readonly seam: number;
}

interface Row {
  readonly id: string;
  /** bona-fide | deepfake | replay | still-photo */
  readonly cls: string;
  readonly repo: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly sampled?: Stats;
  readonly full?: Stats;
  readonly note?: string;
}

interface Clip {
  readonly id: string;
  readonly cls: string;
  readonly repo: string;
  /** A ready video, or a photo to turn into a zoom/pan clip. */
  readonly video?: string;
  readonly photo?: string;
}

// ---------------------------------------------------------------- pixel statistics

const scaleBox = (b: Box, k: number): Box => {
  const cx = (b.x1 + b.x2) / 2,
    cy = (b.y1 + b.y2) / 2;
  const hw = ((b.x2 - b.x1) * k) / 2,
    hh = ((b.y2 - b.y1) * k) / 2;
  return { x1: cx - hw, y1: cy - hh, x2: cx + hw, y2: cy + hh };
};
const inside = (b: Box, x: number, y: number): boolean =>
  x >= b.x1 && x < b.x2 && y >= b.y1 && y < b.y2;

function quantile(sorted: Float32Array | readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))));
  return sorted[i]!;
}
const median = (v: readonly number[]): number =>
  quantile(
    v.filter((x) => Number.isFinite(x)).sort((a, b) => a - b),
    0.5,
  );

interface PairStats {
  bgMed: number;
  bgP20: number;
  bgZero: number;
  bgMean: number;
  faceMed: number;
  faceBg: number;
  seam: number;
}

/** One frame pair; boxes are each frame's face (undefined: no face, the pair is skipped). */
function pairStats(
  a: Float32Array,
  b: Float32Array,
  w: number,
  h: number,
  boxA: Box,
  boxB: Box,
): PairStats | 'duplicate' | undefined {
  const outerA = scaleBox(boxA, 1.6),
    outerB = scaleBox(boxB, 1.6);
  const innerA = scaleBox(boxA, 0.8),
    innerB = scaleBox(boxB, 0.8);
  const ringOut = scaleBox(boxA, 1.3);
  const bgAll = new Float32Array(w * h);
  const faceAll = new Float32Array(w * h);
  let nBg = 0,
    nFace = 0,
    sumBg = 0,
    sumFace = 0;
  let ringSum = 0,
    ringN = 0,
    any = false;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const d = Math.abs(a[i]! - b[i]!);
      if (d !== 0) any = true;
      const px = x + 0.5,
        py = y + 0.5;
      if (!inside(outerA, px, py) && !inside(outerB, px, py)) {
        bgAll[nBg++] = d;
        sumBg += d;
      } else if (inside(innerA, px, py) && inside(innerB, px, py)) {
        faceAll[nFace++] = d;
        sumFace += d;
      }
      if (inside(ringOut, px, py) && !inside(boxA, px, py) && !inside(boxB, px, py)) {
        ringSum += d;
        ringN++;
      }
    }
  if (!any) return 'duplicate';
  // A face filling the frame leaves too little background to measure.
  if (nBg < 0.05 * w * h || nFace === 0) return undefined;
  const bgS = bgAll.subarray(0, nBg).sort();
  const faceS = faceAll.subarray(0, nFace).sort();
  const bgMean = sumBg / nBg;
  const faceMean = sumFace / nFace;
  let zero = 0;
  for (const v of bgS) if (v === 0) zero++;
  return {
    bgMed: quantile(bgS, 0.5),
    bgP20: quantile(bgS, 0.2),
    bgZero: zero / nBg,
    bgMean,
    faceMed: quantile(faceS, 0.5),
    faceBg: bgMean > 0 ? faceMean / bgMean : Infinity,
    seam: ringN > 0 && bgMean > 0 ? ringSum / ringN / bgMean : NaN,
  };
}

// ---------------------------------------------------------------- models and decoding

const dir = corpus.corpusDir();
const config = loadConfig({ ...process.env });
const models = await loadFaceModels(
  await loadBundleManifest(config.modelBundleDir),
  config.runtime,
);
const ffmpegPath = resolveBinary('ffmpeg', config.ffmpegPath).path;
const videoLimits = { ...config.video, maxSeconds: 600 };

/** The largest face, or the previous frame's when none is found. */
async function faceBox(img: RgbImage, previous: Box | undefined): Promise<Box | undefined> {
  const dets = await models.detector.detect(img);
  let best: Box | undefined;
  let area = 0;
  for (const d of dets) {
    const a = (d.box.x2 - d.box.x1) * (d.box.y2 - d.box.y1);
    if (a > area) {
      area = a;
      best = d.box;
    }
  }
  return best ?? previous;
}

async function measure(images: readonly RgbImage[]): Promise<Stats | undefined> {
  const lum: Float32Array[] = [];
  const boxes: (Box | undefined)[] = [];
  let previous: Box | undefined;
  for (const img of images) {
    previous = await faceBox(img, previous);
    boxes.push(previous);
    lum.push(lumaPlane(img));
  }
  const per: PairStats[] = [];
  let duplicates = 0;
  for (let k = 1; k < images.length; k++) {
    const bA = boxes[k - 1],
      bB = boxes[k];
    if (bA === undefined || bB === undefined) continue;
    const { width, height } = images[k]!;
    const s = pairStats(lum[k - 1]!, lum[k]!, width, height, bA, bB);
    if (s === 'duplicate') duplicates++;
    else if (s !== undefined) per.push(s);
  }
  if (per.length === 0) return undefined;
  const m = (key: keyof PairStats) => median(per.map((p) => p[key]));
  return {
    frames: images.length,
    pairs: per.length,
    duplicates,
    bgMed: m('bgMed'),
    bgP20: m('bgP20'),
    bgZero: m('bgZero'),
    bgMean: m('bgMean'),
    faceMed: m('faceMed'),
    faceBg: m('faceBg'),
    seam: m('seam'),
  };
}

// ---------------------------------------------------------------- the clips

const main = corpus.readManifest(dir);
const more = corpus.readSubManifest('liveness-more', dir);
const species = {
  'bona-fide': 'bona-fide',
  'replay-video': 'replay',
  'synthetic-video': 'deepfake',
};
const clips: Clip[] = [];
for (const p of buildPresentations([...main, ...more], dir, { movingPerPhoto: 0, photoLimit: 0 }))
  if (p.video !== undefined && p.species in species)
    clips.push({
      id: p.id,
      cls: species[p.species as keyof typeof species],
      repo: p.repo.replace(/@.*$/, ''),
      video: p.video,
    });
// One photo from each of the first sources: still pictures animated by zoom/pan.
const seen = new Set<string>();
for (const f of main.filter((m) => m.kind === 'photo')) {
  if (seen.size >= Number(values.photos)) break;
  if (seen.has(f.source)) continue;
  seen.add(f.source);
  clips.push({ id: f.file, cls: 'still-photo', repo: f.source, photo: path.join(dir, f.file) });
}

const rows = new Map<string, Row>();
if (existsSync(outJson))
  for (const r of JSON.parse(readFileSync(outJson, 'utf8')) as Row[]) rows.set(r.id, r);
const scratch = await scratchDir();
for (const [i, clip] of clips.entries()) {
  if (rows.has(clip.id)) continue;
  if (values.only !== undefined && !clip.id.includes(values.only)) continue;
  const t0 = performance.now();
  const file =
    clip.video ??
    (await stillPhotoVideo(clip.photo!, path.join(scratch.dir, `still${i}.mp4`), 3, true));
  try {
    const loaded = await loadVideo(await readFile(file), videoLimits, config.sampling, {
      ffmpegPath: config.ffmpegPath,
      ffprobePath: config.ffprobePath,
    });
    const { info } = loaded;
    const sampled = await measure(loaded.frames.map((f) => f.image));
    const full = await measure(
      await decodeSourceFrames(ffmpegPath, file, info, config.sampling.workingSide, 2),
    );
    rows.set(clip.id, {
      id: clip.id,
      cls: clip.cls,
      repo: clip.repo,
      width: info.width,
      height: info.height,
      fps: Math.round(info.fps * 10) / 10,
      ...(sampled === undefined ? {} : { sampled }),
      ...(full === undefined ? {} : { full }),
    });
  } catch (err) {
    rows.set(clip.id, {
      ...{ id: clip.id, cls: clip.cls, repo: clip.repo, width: 0, height: 0, fps: 0 },
      note: (err as Error).message.slice(0, 120),
    });
  }
  await writeFile(outJson, JSON.stringify([...rows.values()], null, 1));
  console.error(`${clip.id}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
await scratch.remove();
await models.release();

// ---------------------------------------------------------------- report

const all = [...rows.values()];
const f2 = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(2);
console.log(
  'clip | class | repo | WxH@fps | bgMed 8fps | bgMed full | bgP20 full | zero 8fps | zero full | face/bg full | seam full | dup full',
);
const order = ['bona-fide', 'deepfake', 'replay', 'still-photo'];
for (const r of [...all].sort(
  (a, b) => order.indexOf(a.cls) - order.indexOf(b.cls) || a.repo.localeCompare(b.repo),
))
  console.log(
    [
      path.basename(r.id),
      r.cls,
      r.repo,
      `${r.width}x${r.height}@${r.fps}`,
      f2(r.sampled?.bgMed),
      f2(r.full?.bgMed),
      f2(r.full?.bgP20),
      f2(r.sampled?.bgZero),
      f2(r.full?.bgZero),
      f2(r.full?.faceBg),
      f2(r.full?.seam),
      r.full === undefined ? (r.note ?? '–') : `${r.full.duplicates}/${r.full.frames - 1}`,
    ].join(' | '),
  );

/** A measure, oriented so that a higher value means "looks synthesized" (fixed a priori). */
interface Measure {
  readonly name: string;
  readonly of: (r: Row) => number | undefined;
}
const measures: Measure[] = [
  { name: '-bgMed 8fps', of: (r) => neg(r.sampled?.bgMed) },
  { name: '-bgMed full', of: (r) => neg(r.full?.bgMed) },
  { name: '-bgMean full', of: (r) => neg(r.full?.bgMean) },
  { name: '-bgP20 full', of: (r) => neg(r.full?.bgP20) },
  { name: 'bgZero 8fps', of: (r) => r.sampled?.bgZero },
  { name: 'bgZero full', of: (r) => r.full?.bgZero },
  { name: 'face/bg 8fps', of: (r) => r.sampled?.faceBg },
  { name: 'face/bg full', of: (r) => r.full?.faceBg },
  { name: 'seam full', of: (r) => r.full?.seam },
];
function neg(v: number | undefined): number | undefined {
  return v === undefined ? undefined : -v;
}

/** The generator family a deepfake's repo belongs to (MuseV: Linly-Talker and MuseTalk). */
const family = (repo: string): string =>
  /Linly-Talker|MuseTalk/.test(repo) ? 'MuseV' : (repo.split('/')[1] ?? repo);
/** Bona fide repos held out with a family: the same repo, and video-retalking with SadTalker (aoc). */
const heldWith = (fam: string, repo: string): boolean =>
  family(repo) === fam || (fam === 'SadTalker' && /video-retalking/.test(repo));

console.log('\nmeasure | AUC bf vs df | bf "most fake" (max) | df "least fake" (min) | replay AUC');
const valued = (m: Measure, cls: string) =>
  all
    .filter((r) => r.cls === cls)
    .map((r) => ({ r, v: m.of(r) }))
    .filter((x): x is { r: Row; v: number } => x.v !== undefined && Number.isFinite(x.v));
for (const m of measures) {
  const bf = valued(m, 'bona-fide');
  const df = valued(m, 'deepfake');
  const rp = valued(m, 'replay');
  if (bf.length === 0 || df.length === 0) continue;
  const bfMax = bf.reduce((a, b) => (b.v > a.v ? b : a));
  const dfMin = df.reduce((a, b) => (b.v < a.v ? b : a));
  console.log(
    `${m.name} | ${rocAuc(
      df.map((x) => x.v),
      bf.map((x) => x.v),
    ).toFixed(
      3,
    )} | ${f2(bfMax.v)} (${path.basename(bfMax.r.id)}) | ${f2(dfMin.v)} (${path.basename(dfMin.r.id)}) | ${
      rp.length > 0
        ? rocAuc(
            rp.map((x) => x.v),
            bf.map((x) => x.v),
          ).toFixed(2)
        : '–'
    }`,
  );
}

console.log(
  '\nleave-one-generator-out: threshold t = highest bona fide value of the remaining data ' +
    '(reject v > t: keeps every remaining bona fide)\n' +
    'measure | held out | t | held-out df rejected | held-out bf rejected (names) | midpoint rule: df / all bf rejected',
);
for (const m of measures) {
  const bf = valued(m, 'bona-fide');
  const df = valued(m, 'deepfake');
  for (const fam of [...new Set(df.map((x) => family(x.r.repo)))]) {
    const trainBf = bf.filter((x) => !heldWith(fam, x.r.repo));
    const testBf = bf.filter((x) => heldWith(fam, x.r.repo));
    const trainDf = df.filter((x) => family(x.r.repo) !== fam);
    const testDf = df.filter((x) => family(x.r.repo) === fam);
    const t = Math.max(...trainBf.map((x) => x.v));
    // Midpoint between the most fake-looking remaining bona fide and the least fake-looking
    // remaining deepfake above it (or t itself where they overlap).
    const above = trainDf.filter((x) => x.v > t).map((x) => x.v);
    const mid = above.length > 0 ? (t + Math.min(...above)) / 2 : t;
    const rejBf = testBf.filter((x) => x.v > t);
    console.log(
      `${m.name} | ${fam} (${testDf.length} df, ${testBf.length} bf) | ${f2(t)} | ` +
        `${testDf.filter((x) => x.v > t).length}/${testDf.length} | ${rejBf.length}/${testBf.length}` +
        `${rejBf.length > 0 ? ` (${rejBf.map((x) => path.basename(x.r.id)).join(', ')})` : ''} | ` +
        `${testDf.filter((x) => x.v > mid).length}/${testDf.length} / ${bf.filter((x) => x.v > mid).length}/${bf.length}`,
    );
  }
}
