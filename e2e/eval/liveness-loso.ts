/**
 * Leave-one-source-out for the liveness decision. Every number the decision fits (the
 * motion jitter floor and threshold, the blink depth, the presentation-attack centre) is
 * fitted by `fitLivenessCalibration` on some sources and judged on a source it never saw;
 * the pooled held-out decisions are the out-of-source figures, which a change is judged
 * on. The same fit on every presentation, judged on those same presentations, is the
 * in-source figure: how much the two differ is how much the fit learned the corpus.
 *
 * A source is a repository of the MANIFEST. Sources that share an identity (the same
 * person in two repositories) or a generator family are held out together, so no person
 * and no generator is ever on both sides.
 */
import {
  fuseLiveness,
  logistic,
  logit,
  type LivenessCalibration,
  type LivenessCues,
} from '../../services/verifier/src/pipeline/liveness/fuse-liveness.js';
import { percentile } from '../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import { knownIdentity } from './corpus.js';
import { wilson, type Interval } from './metrics.js';
import type { Species } from './liveness.js';

export interface LosoRow {
  readonly id: string;
  /** The MANIFEST's source repository. */
  readonly repo: string;
  /** The person (or animated portrait) shown; blank when unknown. */
  readonly identity: string;
  readonly species: Species;
  /** Absent when the service refused the clip (4007, too short): rejected in every fold. */
  readonly cues?: LivenessCues | undefined;
}

/**
 * Generator families whose outputs must be held out together (liveness-more/README.md:
 * Linly-Talker's clips are MuseV outputs, as is MuseTalk's).
 */
export const GENERATOR_FAMILIES: readonly (readonly string[])[] = [
  ['Kedreamix/Linly-Talker', 'TMElyralab/MuseTalk'],
];

/** Motion evidence is 0.5 this far above the largest still-attack motion of the training set. */
export const MOTION_MARGIN = 1.2;

const STILL_ATTACKS: readonly Species[] = ['still-photo', 'recapture-still'];

/**
 * The liveness calibration fitted on `train`, by the rules that set the shipped one:
 *  - jitter floor: the median motion of still-photo clips (moving flat pictures);
 *  - motion threshold: the largest motion of a still attack (photo or recapture clip)
 *    times MOTION_MARGIN, so none of the training still attacks gets motion evidence;
 *  - blink depth: `base`'s, raised above any still attack's (a still picture never blinks);
 *  - presentation-attack centre: one curve width below the bona fide videos' lower tail,
 *    on the scale the bundle draws that curve on (probability or log-odds), so that no
 *    bona fide video is rejected by this cue (its evidence ≥ 0.73). The tail is
 *    the lower of the lowest training score and PA_TAIL_SD standard deviations below the
 *    mean, in logit space: a sample's minimum is where the next source's people fall below
 *    (held out, LivePortrait moved it from 0.26 to 0.67 and two of its people were
 *    rejected), and a few dozen videos cannot tell where the real tail is. Rejecting real
 *    people is the costlier error, and the cue is too weak on recaptures (their scores
 *    overlap live ones: docs/liveness.md) to trade BPCER for them.
 * Curve widths and the structure of the fusion are not fitted: they come from `base`.
 */
export function fitLivenessCalibration(
  train: readonly LosoRow[],
  base: LivenessCalibration,
): LivenessCalibration {
  const cuesOf = (species: readonly Species[]) =>
    train.flatMap((r) => (species.includes(r.species) && r.cues !== undefined ? [r.cues] : []));
  const stills = cuesOf(STILL_ATTACKS);
  const bonaFide = cuesOf(['bona-fide']);
  const photos = cuesOf(['still-photo']);
  const base_ = base.motion;
  const jitterFloor = Math.max(
    photos.length > 0
      ? percentile(
          photos.map((c) => c.nonPlanarMotion),
          0.5,
        )
      : base_.jitterFloor,
    1e-4,
  );
  const motionCentre =
    stills.length > 0
      ? Math.max(...stills.map((c) => c.nonPlanarMotion)) * MOTION_MARGIN
      : base_.jitterFloor * base_.factor;
  return {
    ...base,
    motion: { ...base_, jitterFloor, factor: motionCentre / jitterFloor },
    blink: {
      ...base.blink,
      depth: Math.min(1, Math.max(base.blink.depth, ...stills.map((c) => c.blinkDepth + 0.05))),
    },
    presentationAttack: {
      ...base.presentationAttack,
      centre:
        bonaFide.length > 0
          ? oneWidthBelow(bonaFideTail(bonaFide.map((c) => c.presentationAttack)), base)
          : base.presentationAttack.centre,
    },
  };
}

/** One curve width below `score`, on the scale the bundle draws the attack curve on. */
function oneWidthBelow(score: number, base: LivenessCalibration): number {
  const { width, scale } = base.presentationAttack;
  return scale === 'probability' ? Math.max(0, score - width) : logistic(logit(score) - width);
}

/** Standard deviations below the bona fide mean (logit space) where their tail is taken. */
export const PA_TAIL_SD = 3;

/**
 * The lower tail of bona fide attack-model scores: the lowest score, or PA_TAIL_SD standard
 * deviations below the mean of their logits, whichever is lower. Logits, because the
 * scores crowd against 1 and a few stray low ones carry the spread.
 */
export function bonaFideTail(scores: readonly number[]): number {
  const lowest = Math.min(...scores);
  if (scores.length < 2) return lowest;
  const clip = (p: number) => Math.min(1 - 1e-4, Math.max(1e-4, p));
  const logits = scores.map((p) => Math.log(clip(p) / (1 - clip(p))));
  const mean = logits.reduce((a, b) => a + b, 0) / logits.length;
  const sd = Math.sqrt(logits.reduce((a, z) => a + (z - mean) ** 2, 0) / (logits.length - 1));
  return Math.min(lowest, 1 / (1 + Math.exp(-(mean - PA_TAIL_SD * sd))));
}

/** Held-out groups: repositories joined by a shared identity or generator family. */
export function sourceGroups(rows: readonly LosoRow[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => {
    for (const x of [a, b]) if (!parent.has(x)) parent.set(x, x);
    const [ra, rb] = [find(a), find(b)].sort();
    if (ra !== rb) parent.set(rb!, ra!);
  };
  for (const r of rows) {
    union(r.repo, r.repo);
    if (knownIdentity(r)) union(r.repo, `identity:${r.identity}`);
  }
  for (const family of GENERATOR_FAMILIES)
    for (const repo of family.slice(1)) if (parent.has(repo)) union(family[0]!, repo);
  // A group is named by its repositories, which is what a reader of the report knows.
  const members = new Map<string, Set<string>>();
  for (const r of rows) {
    const root = find(r.repo);
    if (!members.has(root)) members.set(root, new Set());
    members.get(root)!.add(r.repo);
  }
  const name = (root: string) => [...members.get(root)!].sort().join(' + ');
  return new Map(rows.map((r) => [r.repo, name(find(r.repo))]));
}

export interface LosoDecision {
  readonly id: string;
  readonly species: Species;
  /** The held-out group the row was judged in. */
  readonly group: string;
  readonly inSource: boolean;
  readonly outOfSource: boolean;
}

/**
 * Each row decided twice: with the calibration fitted on every row (in-source), and with
 * the one fitted on every group but its own (out-of-source).
 */
export function leaveOneSourceOut(
  rows: readonly LosoRow[],
  base: LivenessCalibration,
  threshold: number,
): { decisions: LosoDecision[]; folds: Map<string, LivenessCalibration> } {
  const groups = sourceGroups(rows);
  const groupOf = (r: LosoRow) => groups.get(r.repo)!;
  const all = fitLivenessCalibration(rows, base);
  const folds = new Map<string, LivenessCalibration>();
  for (const g of new Set(groups.values()))
    folds.set(
      g,
      fitLivenessCalibration(
        rows.filter((r) => groupOf(r) !== g),
        base,
      ),
    );
  const passes = (r: LosoRow, cal: LivenessCalibration) =>
    r.cues !== undefined && fuseLiveness(r.cues, cal).score >= threshold;
  const decisions = rows.map((r) => ({
    id: r.id,
    species: r.species,
    group: groupOf(r),
    inSource: passes(r, all),
    outOfSource: passes(r, folds.get(groupOf(r))!),
  }));
  return { decisions, folds };
}

export interface LosoRate {
  readonly label: string;
  readonly n: number;
  readonly inSource: { readonly errors: number; readonly rate: number; readonly ci95: Interval };
  readonly outOfSource: {
    readonly errors: number;
    readonly rate: number;
    readonly ci95: Interval;
    readonly errorIds: readonly string[];
  };
}

/** BPCER of bona fide, APCER of each attack species: in-source and out-of-source. */
export function losoRates(
  decisions: readonly LosoDecision[],
  classes: readonly { label: string; species: readonly Species[] }[],
): LosoRate[] {
  return classes.map(({ label, species }) => {
    const rs = decisions.filter((d) => species.includes(d.species));
    const bona = species.includes('bona-fide');
    const isError = (passed: boolean) => (bona ? !passed : passed);
    const count = (f: (d: LosoDecision) => boolean) => rs.filter((d) => isError(f(d)));
    const inErr = count((d) => d.inSource).length;
    const out = count((d) => d.outOfSource);
    return {
      label,
      n: rs.length,
      inSource: { errors: inErr, rate: inErr / rs.length, ci95: wilson(inErr, rs.length) },
      outOfSource: {
        errors: out.length,
        rate: out.length / rs.length,
        ci95: wilson(out.length, rs.length),
        errorIds: out.map((d) => d.id),
      },
    };
  });
}

/** Classes reported, in the terms: bona fide, then each attack species. */
export const LOSO_CLASSES: readonly { label: string; species: readonly Species[] }[] = [
  { label: 'BPCER: bona fide videos', species: ['bona-fide'] },
  { label: 'APCER: still-photo videos (image injection)', species: ['still-photo'] },
  { label: 'APCER: recaptured pictures as clips', species: ['recapture-still'] },
  { label: 'APCER: screen-replay videos', species: ['replay-video'] },
  { label: 'APCER: synthesized talking heads (deepfakes)', species: ['synthetic-video'] },
  { label: 'APCER: warped photos', species: ['warped-photo'] },
];

export interface LosoFold {
  /** The held-out group: its repositories. */
  readonly heldOut: string;
  readonly presentations: number;
  readonly calibration: LivenessCalibration;
  /** Held-out presentations decided wrongly with this fold's calibration. */
  readonly errors: number;
}

export interface LosoReport {
  readonly threshold: number;
  readonly rates: readonly LosoRate[];
  readonly folds: readonly LosoFold[];
  /** The calibration fitted on every presentation (the in-source one). */
  readonly fittedOnAll: LivenessCalibration;
}

/** The whole leave-one-source-out analysis of the presentations that carry a species. */
export function losoReport(
  rows: readonly LosoRow[],
  base: LivenessCalibration,
  threshold: number,
): LosoReport {
  const { decisions, folds } = leaveOneSourceOut(rows, base, threshold);
  const wrong = (d: LosoDecision) => (d.species === 'bona-fide' ? !d.outOfSource : d.outOfSource);
  return {
    threshold,
    rates: losoRates(decisions, LOSO_CLASSES),
    folds: [...folds].map(([heldOut, calibration]) => {
      const held = decisions.filter((d) => d.group === heldOut);
      return {
        heldOut,
        presentations: held.length,
        calibration,
        errors: held.filter(wrong).length,
      };
    }),
    fittedOnAll: fitLivenessCalibration(rows, base),
  };
}
