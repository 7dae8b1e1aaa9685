/**
 * Issue #13 §4, one more generator trace: the inside of a talking mouth. Talking-head
 * generators render teeth and tongue from a single picture and an audio track, and the
 * literature on lip-sync forgeries finds the mouth region their weakest (LipForensics,
 * Haliassos et al., CVPR 2021). Measured on the source frames of each video's first 4 s
 * (every source frame, the service's working size) where the mouth is open (inner lips
 * apart by ≥ 0.12 inter-ocular distances), with the landmarks the service tracked
 * (dump-observations.ts output):
 *  - mouth detail: mean absolute Laplacian of the luma inside the inner-lip box, over
 *    the same inside the eyes' box (the face's own sharpness, focus and compression
 *    cancel out);
 *  - mouth flicker: the mean absolute change of the inner-lip box's luma between
 *    consecutive open-mouth frames, over the same for the eyes' box.
 * AUC is bona fide above synthesized; clips with fewer than 5 open-mouth frames are left out.
 *
 *   node --import tsx e2e/eval/cue-research/mouth-detail.ts [OBS_DIR]
 */
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import { resolveBinary } from '../../../services/verifier/src/media/video/ffmpeg-binaries.js';
import { rocAuc } from '../metrics.js';
import { readDumps, tracked } from './observation-dumps.js';
import { decodeSourceFrames, lumaPlane } from './source-frames.js';

type Xy = readonly [number, number];
interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const dir = process.argv[2] ?? '/tmp/obs';
const config = loadConfig({ ...process.env });
const ffmpeg = resolveBinary('ffmpeg', config.ffmpegPath).path;
const OPEN = 0.12;

function rectOf(lm: readonly Xy[], from: number, to: number, w: number, h: number): Rect {
  const pts = lm.slice(from, to + 1);
  return {
    x0: Math.max(1, Math.floor(Math.min(...pts.map((p) => p[0])))),
    y0: Math.max(1, Math.floor(Math.min(...pts.map((p) => p[1])))),
    x1: Math.min(w - 2, Math.ceil(Math.max(...pts.map((p) => p[0])))),
    y1: Math.min(h - 2, Math.ceil(Math.max(...pts.map((p) => p[1])))),
  };
}

/** Mean absolute 4-neighbour Laplacian inside r. */
function detail(plane: Float32Array, w: number, r: Rect): number {
  let sum = 0;
  let n = 0;
  for (let y = r.y0; y <= r.y1; y++)
    for (let x = r.x0; x <= r.x1; x++) {
      const i = y * w + x;
      sum += Math.abs(
        4 * plane[i]! - plane[i - 1]! - plane[i + 1]! - plane[i - w]! - plane[i + w]!,
      );
      n++;
    }
  return n === 0 ? NaN : sum / n;
}

/** Mean absolute change of luma inside r between two planes. */
function change(a: Float32Array, b: Float32Array, w: number, r: Rect): number {
  let sum = 0;
  let n = 0;
  for (let y = r.y0; y <= r.y1; y++)
    for (let x = r.x0; x <= r.x1; x++) {
      sum += Math.abs(a[y * w + x]! - b[y * w + x]!);
      n++;
    }
  return n === 0 ? NaN : sum / n;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
const rows: { id: string; species: string; open: number; detail: number; flicker: number }[] = [];
for await (const dump of readDumps(dir)) {
  if (!['bona-fide', 'synthetic-video'].includes(dump.species)) continue;
  const open = dump.frames.filter(tracked).filter((f) => {
    if (f.t >= 4 || f.iod < 16) return false;
    const [a, b] = [f.lm[62]!, f.lm[66]!];
    return Math.hypot(a[0] - b[0], a[1] - b[1]) / f.iod >= OPEN;
  });
  if (open.length < 5) {
    rows.push({ id: dump.id, species: dump.species, open: open.length, detail: NaN, flicker: NaN });
    continue;
  }
  const images = await decodeSourceFrames(ffmpeg, dump.file, dump, config.sampling.workingSide, 4);
  const details: number[] = [];
  const flickers: number[] = [];
  let last: { t: number; plane: Float32Array } | undefined;
  for (const f of open) {
    const img = images[Math.min(images.length - 1, Math.round(f.t * dump.fps))]!;
    const plane = lumaPlane(img);
    const mouth = rectOf(f.lm, 60, 67, img.width, img.height);
    const eyes = rectOf(f.lm, 36, 47, img.width, img.height);
    details.push(detail(plane, img.width, mouth) / detail(plane, img.width, eyes));
    if (last !== undefined && f.t - last.t < 1.5 / dump.fps)
      flickers.push(
        change(plane, last.plane, img.width, mouth) / change(plane, last.plane, img.width, eyes),
      );
    last = { t: f.t, plane };
  }
  rows.push({
    id: dump.id,
    species: dump.species,
    open: open.length,
    detail: median(details),
    flicker: median(flickers.filter(Number.isFinite)),
  });
}

for (const k of ['detail', 'flicker'] as const) {
  const of = (s: string) =>
    rows.filter((r) => r.species === s && Number.isFinite(r[k])).map((r) => r[k]);
  const [a, b] = [of('bona-fide'), of('synthetic-video')];
  const fmt = (v: number[]) => {
    const s = [...v].sort((x, y) => x - y);
    return `${median(s).toFixed(3)} (${s[0]?.toFixed(3)}–${s.at(-1)?.toFixed(3)}), n=${s.length}`;
  };
  console.log(`| ${k} | ${fmt(a)} | ${fmt(b)} | ${rocAuc(a, b).toFixed(2)} |`);
}
console.log('\n| clip | class | open-mouth frames | mouth detail | mouth flicker |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.id} | ${r.species} | ${r.open} | ${r.detail.toFixed(3)} | ${r.flicker.toFixed(3)} |`,
  );
