/**
 * Two cues against synthesized talking heads that docs/liveness.md had not tried, measured
 * on the per-frame observations that dump-observations.ts writes (every frame at the
 * native rate, ≤ 10 s; frames whose inter-ocular distance is < 16 px are dropped, as in
 * lip-sync-rigidity.ts, and a gap of more than 1.5 frame intervals splits the clip into runs).
 *
 * 1. Blink kinematics. The eye aspect ratio (EAR, landmarks 36–41 and 42–47, as
 *    `eyeAspectRatio` in temporal-cues.ts) of both eyes averaged. Rule, fixed before the
 *    classes were looked at: a blink is a maximal run of frames whose EAR is < 0.7 × the
 *    clip's median EAR, preceded and followed by a frame of the same run at ≥ that level,
 *    and back at that level ≤ 0.6 s after its first frame below. Per blink, around its lowest
 *    frame: the local baseline is the median EAR of the frames within ±1 s that are not
 *    below 0.7 × the clip median; depth d = baseline − minimum; onset and offset are where
 *    the EAR crosses baseline − 0.2 d (linear interpolation between frames), searched ≤ 0.6 s
 *    either side (a blink whose EAR does not come back that far has no kinematics).
 *    closing = minimum − onset, reopening = offset − minimum (the minimum at its frame),
 *    asymmetry = reopening / closing, duration = offset − onset, relative depth = d /
 *    baseline, minimum eye-model openness (mean of both eyes) in [onset, offset], and per
 *    eye (its own EAR, baseline and minimum, refined by a parabola through three frames):
 *    the lag between the eyes' minima and the difference of their relative depths.
 *    Per clip, the median over its blinks. A clip under 20 fps (a frame > 50 ms) is not
 *    judged on blinks: it cannot resolve a 70–100 ms closing.
 * 2. Head-motion spectrum. Each frame's stable points (eye corners 36, 39, 42, 45; nose
 *    27–31, 33, 35) are mapped onto the run's mean shape by the best similarity; the head
 *    trajectory is the points' centroid (x, y) in mean inter-ocular distances, the rotation
 *    (radians) and the log scale, four components in about the same units (a point one IOD
 *    from the centre moves by that much). On the longest run (≥ 2 s and ≥ 16 frames), each
 *    component has its linear trend removed, a Hann window and a periodogram; summed over
 *    the components: LF = power in 0.2–3 Hz, HF = power in 3–6 Hz (to the Nyquist frequency
 *    where that is lower). Measures: HF share = HF / (LF + HF), HF rms = √HF (IOD),
 *    LF rms = √LF, and roughness = rms of the trajectory's second difference over that of
 *    its first (√3 for white noise, towards 0 for smooth motion; it depends on the frame
 *    rate). A clip under 11 fps (Nyquist < 5.5 Hz) is not judged on the spectrum. The
 *    still-photo clips' motions (ffmpeg, attack-clips.ts) are all below 3 Hz, so their HF
 *    is the landmarks' jitter: the noise floor.
 *
 * Decision rule, fixed before looking at the classes (as decision 0025): on the log of a
 * measure, a clip is rejected when it lies more than 3 SD from the bona fide mean.
 *  A. Two-sided, no fake used: every fake is out of sample; bona fide rejections are
 *     counted leaving each bona fide source (repository) out of the mean and SD.
 *  B. Leave one generator family out: the measure and its side are those with the AUC
 *     farthest from 0.5 between the bona fide clips and the other families' fakes
 *     (≥ 2 judged); the threshold is 3 SD on that side; the held-out family's fakes are
 *     judged with all bona fide clips, the bona fide clips leaving their source out.
 * Each is then combined with today's decision (docs/eval/report.json): a fake it accepted
 * is stopped, a bona fide clip it accepted is lost. AUC is bona fide above synthesized.
 *
 *   node --import tsx e2e/eval/cue-research/blink-kinematics.ts [OBS_DIR]
 */
import { readFile } from 'node:fs/promises';
import { rocAuc } from '../metrics.js';
import {
  centroid,
  fitSimilarity,
  readDumps,
  tracked,
  type TrackedFrame,
  type Xy,
} from './observation-dumps.js';

type Measures = Record<string, number | undefined>;

const dir = process.argv[2] ?? '/tmp/obs';
const REPORT = new URL('../../../docs/eval/report.json', import.meta.url);
const MIN_IOD = 16;
const BLINK_LEVEL = 0.7;
const BLINK_MAX_S = 0.6;
const EDGE = 0.2;
const BLINK_MIN_FPS = 20;
const SPECTRUM_MIN_FPS = 11;
const LF: readonly [number, number] = [0.2, 3];
const HF: readonly [number, number] = [3, 6];
const K_SD = 3;
const STABLE = [36, 39, 42, 45, 27, 28, 29, 30, 31, 33, 35];
const BLINK_KEYS = [
  'closing ms',
  'reopening ms',
  'asymmetry',
  'duration ms',
  'depth',
  'min openness',
  'eye lag ms',
  'eye depth diff',
] as const;
const HEAD_KEYS = ['HF share', 'HF rms', 'LF rms', 'roughness'] as const;

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length / 2;
  return s.length % 2 ? s[Math.floor(m)]! : (s[m - 1]! + s[m]!) / 2;
};
const meanOf = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sdOf = (v: readonly number[]) => {
  const m = meanOf(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
};

function earOf(l: readonly Xy[], o: number): number {
  const d = (a: number, b: number) =>
    Math.hypot(l[o + a]![0] - l[o + b]![0], l[o + a]![1] - l[o + b]![1]);
  return (d(1, 5) + d(2, 4)) / (2 * d(0, 3));
}

/** Contiguous runs: a gap of more than 1.5 frame intervals splits. */
function runs(frames: readonly TrackedFrame[], fps: number): TrackedFrame[][] {
  const out: TrackedFrame[][] = [];
  for (const f of frames) {
    const cur = out.at(-1);
    if (cur && f.t - cur.at(-1)!.t <= 1.5 / fps) cur.push(f);
    else out.push([f]);
  }
  return out;
}

/** Time where `v` crosses `level` between frames i and j (v[i] on one side, v[j] on the other). */
const cross = (t: readonly number[], v: readonly number[], i: number, j: number, level: number) =>
  t[i]! + ((v[i]! - level) / (v[i]! - v[j]!)) * (t[j]! - t[i]!);

/** Parabolic refinement of a minimum at frame i. */
function refinedMin(t: readonly number[], v: readonly number[], i: number): number {
  if (i <= 0 || i >= v.length - 1) return t[i]!;
  const den = v[i - 1]! - 2 * v[i]! + v[i + 1]!;
  if (den <= 0) return t[i]!;
  const off = Math.max(-0.5, Math.min(0.5, (0.5 * (v[i - 1]! - v[i + 1]!)) / den));
  return t[i]! + off * (t[i + 1]! - t[i]!);
}

interface Blink {
  t: number;
  kin?: { closing: number; reopening: number; duration: number };
  depth: number;
  minOpen: number;
  lag: number;
  depthDiff: number;
}

function blinks(all: readonly TrackedFrame[], fps: number): Blink[] {
  const clipMedian = median(all.map((f) => (earOf(f.lm, 36) + earOf(f.lm, 42)) / 2));
  const below = BLINK_LEVEL * clipMedian;
  const found: Blink[] = [];
  for (const run of runs(all, fps)) {
    const t = run.map((f) => f.t);
    const L = run.map((f) => earOf(f.lm, 36));
    const R = run.map((f) => earOf(f.lm, 42));
    const E = L.map((l, i) => (l + R[i]!) / 2);
    const open = run.map((f) => (f.eyes.left + f.eyes.right) / 2);
    for (let i = 1; i < E.length; i++) {
      if (!(E[i]! < below && E[i - 1]! >= below)) continue;
      let j = i;
      while (j < E.length && E[j]! < below) j++;
      if (j >= E.length || t[j]! - t[i]! > BLINK_MAX_S) {
        i = j;
        continue;
      }
      let m = i;
      for (let k = i; k < j; k++) if (E[k]! < E[m]!) m = k;
      const near = (v: readonly number[]) =>
        median(v.filter((_, k) => Math.abs(t[k]! - t[m]!) <= 1 && E[k]! >= below));
      const base = near(E);
      const d = base - E[m]!;
      const level = base - EDGE * d;
      let a = m;
      while (a > 0 && E[a]! < level && t[m]! - t[a]! <= BLINK_MAX_S) a--;
      let b = m;
      while (b < E.length - 1 && E[b]! < level && t[b]! - t[m]! <= BLINK_MAX_S) b++;
      const okA = E[a]! >= level && a < m;
      const okB = E[b]! >= level && b > m;
      const on = okA ? cross(t, E, a, a + 1, level) : undefined;
      const off = okB ? cross(t, E, b - 1, b, level) : undefined;
      const lo = okA ? a : Math.max(0, i - 1);
      const hi = okB ? b : j;
      const eye = (v: readonly number[]) => {
        let k = lo;
        for (let q = lo; q <= hi; q++) if (v[q]! < v[k]!) k = q;
        return { t: refinedMin(t, v, k), depth: 1 - v[k]! / near(v) };
      };
      const [l, r] = [eye(L), eye(R)];
      found.push({
        t: t[m]!,
        kin:
          on !== undefined && off !== undefined
            ? { closing: t[m]! - on, reopening: off - t[m]!, duration: off - on }
            : undefined,
        depth: d / base,
        minOpen: Math.min(...open.slice(lo, hi + 1)),
        lag: Math.abs(l.t - r.t),
        depthDiff: Math.abs(l.depth - r.depth),
      });
      i = j;
    }
  }
  return found;
}

function blinkMeasures(bs: readonly Blink[]): Measures {
  const kin = bs.flatMap((b) => (b.kin ? [b.kin] : []));
  const med = (v: number[]) => (v.length ? median(v) : undefined);
  return {
    'closing ms': med(kin.map((k) => 1000 * k.closing)),
    'reopening ms': med(kin.map((k) => 1000 * k.reopening)),
    asymmetry: med(kin.map((k) => k.reopening / Math.max(k.closing, 1e-3))),
    'duration ms': med(kin.map((k) => 1000 * k.duration)),
    depth: med(bs.map((b) => b.depth)),
    'min openness': med(bs.map((b) => b.minOpen)),
    'eye lag ms': med(bs.map((b) => 1000 * b.lag)),
    'eye depth diff': med(bs.map((b) => b.depthDiff)),
  };
}

/** Frame → mean-shape similarity of the stable points: centroid, rotation, log scale. */
function pose(shape: readonly Xy[], ref: readonly Xy[]): [number, number, number, number] {
  const {
    a,
    b,
    p: [px, py],
  } = fitSimilarity(
    STABLE.map((i) => shape[i]!),
    STABLE.map((i) => ref[i]!),
  );
  // The frame's pose relative to the mean: the inverse of frame → mean.
  return [px, py, -Math.atan2(b, a), -Math.log(Math.hypot(a, b))];
}

function headMeasures(all: readonly TrackedFrame[], fps: number): Measures | undefined {
  const run = runs(all, fps).reduce((x, y) => (y.length > x.length ? y : x));
  const n = run.length;
  const span = run.at(-1)!.t - run[0]!.t;
  if (n < 16 || span < 2) return undefined;
  const rate = (n - 1) / span;
  if (rate < SPECTRUM_MIN_FPS) return undefined;
  const iod = meanOf(run.map((f) => f.iod));
  const ref = run[0]!.lm.map((_, i) => centroid(run.map((f) => f.lm[i]!)));
  const traj = run.map((f) => {
    const [x, y, rot, sc] = pose(f.lm, ref);
    return [x / iod, y / iod, rot, sc];
  });
  const w = Array.from({ length: n }, (_, k) => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (n - 1)));
  const w2 = w.reduce((s, x) => s + x * x, 0);
  const band = [0, 0];
  let d1 = 0,
    d2 = 0;
  for (let c = 0; c < 4; c++) {
    const x = traj.map((p) => p[c]!);
    // Linear trend removed.
    const km = (n - 1) / 2;
    const xm = meanOf(x);
    let sxy = 0,
      sxx = 0;
    x.forEach((v, k) => {
      sxy += (k - km) * (v - xm);
      sxx += (k - km) ** 2;
    });
    const slope = sxy / sxx;
    const y = x.map((v, k) => v - xm - slope * (k - km));
    for (let k = 1; k < n; k++) d1 += (y[k]! - y[k - 1]!) ** 2;
    for (let k = 2; k < n; k++) d2 += (y[k]! - 2 * y[k - 1]! + y[k - 2]!) ** 2;
    for (let f = 1; f <= Math.floor(n / 2); f++) {
      const hz = (f * rate) / n;
      const which = hz >= LF[0] && hz < LF[1] ? 0 : hz >= HF[0] && hz <= HF[1] ? 1 : -1;
      if (which < 0) continue;
      let re = 0,
        im = 0;
      for (let k = 0; k < n; k++) {
        const ph = (2 * Math.PI * f * k) / n;
        re += w[k]! * y[k]! * Math.cos(ph);
        im -= w[k]! * y[k]! * Math.sin(ph);
      }
      band[which]! += (2 * (re * re + im * im)) / (n * w2);
    }
  }
  const [lf, hf] = band as [number, number];
  return {
    'HF share': hf / (lf + hf),
    'HF rms': Math.sqrt(hf),
    'LF rms': Math.sqrt(lf),
    roughness: Math.sqrt(d2 / (n - 2) / (d1 / (n - 1))),
  };
}

const generator = (id: string) =>
  /SadTalker/.test(id)
    ? 'SadTalker'
    : /LivePortrait/.test(id)
      ? 'LivePortrait'
      : /Linly-Talker|musev/i.test(id)
        ? 'MuseV/Linly-Talker'
        : /MuseTalk/.test(id)
          ? 'MuseTalk'
          : 'other';
/** The repository a bona fide clip comes from: the unit left out when its gate is fitted. */
const source = (id: string) => {
  const parts = id.split('/');
  return parts[0]!.startsWith('liveness-')
    ? parts.at(-1)!.split('__').slice(0, 2).join('__')
    : parts[0]!;
};

interface Clip {
  id: string;
  species: string;
  fps: number;
  gen: string;
  src: string;
  passed?: boolean;
  nBlinks: number;
  nKin: number;
  blink?: Measures;
  head?: Measures;
}

const report = JSON.parse(await readFile(REPORT, 'utf8')) as {
  liveness: { presentations: { id: string; passed: boolean }[] };
};
const passed = new Map(report.liveness.presentations.map((p) => [p.id, p.passed]));
const clips: Clip[] = [];
for await (const dump of readDumps(dir)) {
  const frames = dump.frames.filter(tracked).filter((f) => f.iod >= MIN_IOD && f.t <= 10);
  if (frames.length < 10) continue;
  const bs = blinks(frames, dump.fps);
  clips.push({
    id: dump.id,
    species: dump.species,
    fps: dump.fps,
    gen: generator(dump.id),
    src: source(dump.id),
    passed: passed.get(dump.id),
    nBlinks: bs.length,
    nKin: bs.filter((b) => b.kin).length,
    blink: bs.length && dump.fps >= BLINK_MIN_FPS ? blinkMeasures(bs) : undefined,
    head: headMeasures(frames, dump.fps),
  });
}

const SPECIES = ['bona-fide', 'synthetic-video', 'replay-video', 'still-photo'];
const live = clips.filter((c) => c.species === 'bona-fide');
const fakes = clips.filter((c) => c.species === 'synthetic-video');
const GENS = [...new Set(fakes.map((c) => c.gen))];
const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);
const summary = (v: number[]) =>
  v.length
    ? `${fmt(median(v))} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))}) n=${v.length}`
    : '—';
const val = (c: Clip, cue: 'blink' | 'head', k: string) => {
  const x = c[cue]?.[k];
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : undefined;
};
const vals = (cs: readonly Clip[], cue: 'blink' | 'head', k: string) =>
  cs.flatMap((c) => (val(c, cue, k) === undefined ? [] : [val(c, cue, k)!]));

/** Log-scale gate from bona fide clips: side −1 rejects below, +1 above, 0 either. */
function gate(bona: readonly Clip[], cue: 'blink' | 'head', k: string, side: number) {
  const lv = vals(bona, cue, k).map(Math.log);
  const m = meanOf(lv);
  const s = sdOf(lv);
  return (c: Clip) => {
    const x = val(c, cue, k);
    if (x === undefined) return false;
    const z = (Math.log(x) - m) / s;
    return side === 0 ? Math.abs(z) > K_SD : side * z > K_SD;
  };
}
/** Bona fide clips the gate rejects, each judged with its own source left out. */
const bonaRejected = (cue: 'blink' | 'head', k: string, side: number) =>
  live.filter((c) =>
    gate(
      live.filter((o) => o.src !== c.src),
      cue,
      k,
      side,
    )(c),
  );

function section(cue: 'blink' | 'head', keys: readonly string[], title: string) {
  console.log(`\n## ${title}\n`);
  console.log(
    `| measure | ${SPECIES.join(' | ')} | AUC live>fake | AUC, 24–25 fps only | ${GENS.map((g) => `AUC vs ${g}`).join(' | ')} |`,
  );
  console.log(
    `| --- | ${SPECIES.map(() => '---').join(' | ')} | --- | --- | ${GENS.map(() => '---').join(' | ')} |`,
  );
  for (const k of keys) {
    const a = vals(live, cue, k);
    const cells = SPECIES.map((s) =>
      summary(
        vals(
          clips.filter((c) => c.species === s),
          cue,
          k,
        ),
      ),
    );
    const aucs = GENS.map((g) =>
      rocAuc(
        a,
        vals(
          fakes.filter((c) => c.gen === g),
          cue,
          k,
        ),
      ),
    );
    // The fakes are at 24–25 fps (or 7): the bona fide clips at the same rates, so that a rate does not separate.
    const r25 = (cs: readonly Clip[]) =>
      vals(
        cs.filter((c) => c.fps >= 23.5 && c.fps <= 25.5),
        cue,
        k,
      );
    console.log(
      `| ${k} | ${cells.join(' | ')} | ${rocAuc(a, vals(fakes, cue, k)).toFixed(2)} | ${rocAuc(r25(live), r25(fakes)).toFixed(2)} | ${aucs.map((x) => (Number.isNaN(x) ? '—' : x.toFixed(2))).join(' | ')} |`,
    );
  }
  console.log(`\nSynthesized clips (today: passed = accepted by the shipped decision):\n`);
  console.log(`| clip | gen | fps | passed | ${keys.join(' | ')} |`);
  console.log(`| --- | --- | --- | --- | ${keys.map(() => '---').join(' | ')} |`);
  for (const c of fakes)
    console.log(
      `| ${c.id.split('/').at(-1)} | ${c.gen} | ${c.fps.toFixed(0)} | ${c.passed} | ${keys.map((k) => (c[cue]?.[k] === undefined ? '—' : fmt(c[cue][k]))).join(' | ')} |`,
    );

  console.log(`\nBona fide clips:\n`);
  console.log(`| clip | fps | passed | ${keys.join(' | ')} |`);
  console.log(`| --- | --- | --- | ${keys.map(() => '---').join(' | ')} |`);
  for (const c of live.filter((c) => c[cue]))
    console.log(
      `| ${c.id.split('/').at(-1)} | ${c.fps.toFixed(0)} | ${c.passed} | ${keys.map((k) => (c[cue]?.[k] === undefined ? '—' : fmt(c[cue][k]))).join(' | ')} |`,
    );

  console.log(`\nA. two-sided ${K_SD} SD on log, bona fide only (fakes all out of sample):\n`);
  console.log(
    `| measure | bona fide judged | bona fide rejected (LOSO) | ${GENS.join(' | ')} | accepted fakes stopped | passing bona fide lost |`,
  );
  console.log(`| --- | --- | --- | ${GENS.map(() => '---').join(' | ')} | --- | --- |`);
  for (const k of keys) {
    const g = gate(live, cue, k, 0);
    const lost = bonaRejected(cue, k, 0);
    const per = GENS.map((gn) => {
      const f = fakes.filter((c) => c.gen === gn);
      return `${f.filter(g).length}/${f.filter((c) => val(c, cue, k) !== undefined).length}/${f.length}`;
    });
    const stopped = fakes.filter((c) => c.passed && g(c)).map((c) => c.id.split('/').at(-1));
    console.log(
      `| ${k} | ${vals(live, cue, k).length} | ${lost.length} ${lost.map((c) => c.id.split('/').at(-1)).join(', ')} | ${per.join(' | ')} | ${stopped.join(', ') || 'none'} | ${lost.filter((c) => c.passed).length} |`,
    );
  }
  console.log('(per generator: rejected / judged / clips)');

  console.log(
    `\nB. leave one generator family out, measure and side chosen on the other families:\n`,
  );
  console.log(
    '| held out | chosen (train AUC) | held-out fakes rejected / judged / clips | which | bona fide rejected (LOSO) | accepted fakes stopped | passing bona fide lost |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const gn of GENS) {
    const train = fakes.filter((c) => c.gen !== gn);
    let best: { k: string; auc: number } | undefined;
    for (const k of keys) {
      if (vals(train, cue, k).length < 2) continue;
      const auc = rocAuc(vals(live, cue, k), vals(train, cue, k));
      if (!best || Math.abs(auc - 0.5) > Math.abs(best.auc - 0.5)) best = { k, auc };
    }
    const held = fakes.filter((c) => c.gen === gn);
    if (!best) {
      console.log(`| ${gn} | none | — | — | — | — | — |`);
      continue;
    }
    const side = best.auc > 0.5 ? -1 : 1;
    const g = gate(live, cue, best.k, side);
    const lost = bonaRejected(cue, best.k, side);
    const rej = held.filter(g);
    console.log(
      `| ${gn} | ${best.k} ${side < 0 ? 'low' : 'high'} (${best.auc.toFixed(2)}) | ${rej.length}/${held.filter((c) => val(c, cue, best.k) !== undefined).length}/${held.length} | ${rej.map((c) => c.id.split('/').at(-1)).join(', ')} | ${lost.length} ${lost.map((c) => c.id.split('/').at(-1)).join(', ')} | ${
        rej
          .filter((c) => c.passed)
          .map((c) => c.id.split('/').at(-1))
          .join(', ') || 'none'
      } | ${lost.filter((c) => c.passed).length} |`,
    );
  }
}

console.log(`${clips.length} clips with ≥ 10 tracked frames (IOD ≥ ${MIN_IOD} px, ≤ 10 s)\n`);
console.log(
  '| class | clips | fps (clips) | with a blink | blinks (with kinematics) | judged on blinks (≥ 20 fps) |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const s of SPECIES) {
  const cs = clips.filter((c) => c.species === s);
  const rates = new Map<number, number>();
  for (const c of cs) rates.set(Math.round(c.fps), (rates.get(Math.round(c.fps)) ?? 0) + 1);
  console.log(
    `| ${s} | ${cs.length} | ${[...rates]
      .sort((a, b) => a[0] - b[0])
      .map(([r, n]) => `${r}:${n}`)
      .join(
        ' ',
      )} | ${cs.filter((c) => c.nBlinks > 0).length} | ${cs.reduce((a, c) => a + c.nBlinks, 0)} (${cs.reduce((a, c) => a + c.nKin, 0)}) | ${cs.filter((c) => c.blink).length} |`,
  );
}
console.log('\nClips with a blink, not bona fide:');
for (const c of clips.filter((c) => c.nBlinks > 0 && c.species !== 'bona-fide'))
  console.log(
    `  ${c.species} ${c.id} (${c.fps.toFixed(0)} fps): ${c.nBlinks} blink(s), ${c.nKin} with kinematics`,
  );
console.log('Bona fide clips without a blink:');
for (const c of live.filter((c) => c.nBlinks === 0))
  console.log(`  ${c.id} (${c.fps.toFixed(0)} fps)`);

section('blink', BLINK_KEYS, 'Blink kinematics (per-clip medians over its blinks)');
section('head', HEAD_KEYS, 'Head-motion spectrum (longest tracked run)');

const still = clips.filter((c) => c.species === 'still-photo');
const floorMax = Math.max(...vals(still, 'head', 'HF rms'));
console.log(`\nHF rms above the still-photo maximum (${fmt(floorMax)} IOD, the jitter floor):`);
for (const s of SPECIES) {
  const cs = clips.filter((c) => c.species === s && val(c, 'head', 'HF rms') !== undefined);
  console.log(
    `  ${s}: ${cs.filter((c) => val(c, 'head', 'HF rms')! > floorMax).length} of ${cs.length}`,
  );
}
