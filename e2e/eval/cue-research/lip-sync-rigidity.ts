/**
 * Issue #13 §4, "lip-sync motion that leaves the head rigid": an audio-driven generator
 * moves the mouth and little else, where a person who speaks also moves the head and the
 * brows. Measured on the per-frame landmarks that dump-observations.ts writes (every
 * frame, native rate, ≤ 10 s), each frame aligned by the similarity that best maps its
 * eyes and nose onto the clip's mean:
 *  - mouth: SD of the inner lips' opening (points 62–66);
 *  - brows: 90th percentile of the brows' distance from their mean place (points 17–26);
 *  - head: SD of the roll angle (degrees / 30) plus SD of a yaw proxy (the nose tip's
 *    offset from the eyes' midpoint);
 * all in inter-ocular distances, and the ratios that would show a rigid head or still
 * brows under a talking mouth. AUC is bona fide above synthesized.
 *
 *   node --import tsx e2e/eval/cue-research/lip-sync-rigidity.ts [OBS_DIR]
 */
import { rocAuc } from '../metrics.js';
import {
  centroid as mean,
  fitSimilarity,
  readDumps,
  tracked,
  type Xy,
} from './observation-dumps.js';

const STABLE = [...Array.from({ length: 12 }, (_, i) => 36 + i), 27, 28, 29, 30, 31, 33, 35];
const dir = process.argv[2] ?? '/tmp/obs';

const sd = (v: readonly number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};
const p90 = (v: readonly number[]) =>
  [...v].sort((a, b) => a - b)[Math.floor(0.9 * (v.length - 1))]!;

/** Every point of `shape` mapped by the similarity that best takes its STABLE points onto `ref`'s. */
function align(shape: readonly Xy[], ref: readonly Xy[]): Xy[] {
  const {
    a,
    b,
    p: [px, py],
    q: [qx, qy],
  } = fitSimilarity(
    STABLE.map((i) => shape[i]!),
    STABLE.map((i) => ref[i]!),
  );
  return shape.map(([x, y]) => [
    a * (x - px) - b * (y - py) + qx,
    b * (x - px) + a * (y - py) + qy,
  ]);
}

interface Row {
  id: string;
  species: string;
  measures: Record<string, number>;
}
const rows: Row[] = [];
for await (const dump of readDumps(dir)) {
  if (dump.species !== 'bona-fide' && dump.species !== 'synthetic-video') continue;
  const frames = dump.frames.filter(tracked).filter((f) => f.iod >= 16 && f.t <= 10);
  if (frames.length < 10) continue;
  const shapes = frames.map((f) => f.lm);
  const iod = frames.reduce((s, f) => s + f.iod, 0) / frames.length;
  const ref = shapes[0]!.map((_, i) => mean(shapes.map((s) => s[i]!)));
  const aligned = shapes.map((s) => align(s, ref));
  const mouth = aligned.map((s) => Math.hypot(s[66]![0] - s[62]![0], s[66]![1] - s[62]![1]) / iod);
  const browMean = ref.slice(17, 27).map((_, i) => mean(aligned.map((s) => s[17 + i]!)));
  const brows = aligned.map(
    (s) =>
      browMean.reduce(
        (sum, m, i) => sum + Math.hypot(s[17 + i]![0] - m[0], s[17 + i]![1] - m[1]),
        0,
      ) /
      browMean.length /
      iod,
  );
  const roll = shapes.map((s) => {
    const [l, r] = [mean(s.slice(36, 42)), mean(s.slice(42, 48))];
    return (Math.atan2(r[1] - l[1], r[0] - l[0]) * 180) / Math.PI;
  });
  const yaw = shapes.map((s) => {
    const [l, r] = [mean(s.slice(36, 42)), mean(s.slice(42, 48))];
    return (s[30]![0] - (l[0] + r[0]) / 2) / Math.hypot(r[0] - l[0], r[1] - l[1]);
  });
  const head = sd(roll) / 30 + sd(yaw);
  const m = { mouth: sd(mouth), brows: p90(brows), head };
  rows.push({
    id: dump.id,
    species: dump.species,
    measures: { ...m, 'mouth / head': m.mouth / head, 'brows / mouth': m.brows / m.mouth },
  });
}

const live = rows.filter((r) => r.species === 'bona-fide');
const fake = rows.filter((r) => r.species === 'synthetic-video');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(`${live.length} bona fide, ${fake.length} synthesized\n`);
console.log(
  '| measure | bona fide median (range) | synthesized median (range) | AUC live > fake |',
);
console.log('| --- | --- | --- | --- |');
for (const k of Object.keys(rows[0]!.measures)) {
  const a = live.map((r) => r.measures[k]!);
  const b = fake.map((r) => r.measures[k]!);
  const fmt = (v: number[]) =>
    `${median(v).toFixed(3)} (${Math.min(...v).toFixed(3)}–${Math.max(...v).toFixed(3)})`;
  console.log(`| ${k} | ${fmt(a)} | ${fmt(b)} | ${rocAuc(a, b).toFixed(2)} |`);
}
