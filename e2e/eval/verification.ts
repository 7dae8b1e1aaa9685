/**
 * Verification accuracy on photo pairs, for any pipeline that turns a file into a
 * descriptor and compares two: our own (cosine of the bundle's embeddings) and the peers.
 * A detection failure is a score of -Infinity: rejected at every threshold.
 */
import { corpus, knownIdentity, type CorpusFile, type CorpusPair } from './corpus.js';
import {
  equalErrorRate,
  equalWidthEdges,
  histogram,
  rateAtOrAbove,
  rocAuc,
  summarise,
  tarAtFar,
  type EqualErrorRate,
  type Rate,
  type Summary,
  type TarAtFar,
} from './metrics.js';
import type { CalibrationKnots } from '../../services/verifier/src/pipeline/verification-score.js';
import {
  promisedFalseMatchRate,
  verificationScore,
} from '../../services/verifier/src/pipeline/verification-score.js';

export interface LabelledPair {
  readonly a: string;
  readonly b: string;
  readonly genuine: boolean;
  readonly trivial: boolean;
}

export interface PairSet {
  readonly name: string;
  readonly pairs: readonly LabelledPair[];
}

/**
 * The pair sets every pipeline is measured on: PAIRS.tsv's `same`/`different` photo
 * pairs (pairs with a video and uncertain labels left out), with and without trivial
 * genuine pairs; and the same genuine pairs against every cross-identity photo pair
 * within one source (the corpus asserts identity only within a source), which gives
 * the FAR tail more impostors.
 */
export function buildPairSets(
  manifest: readonly CorpusFile[],
  pairs: readonly CorpusPair[],
): { sets: PairSet[]; excluded: Record<string, number> } {
  const byFile = new Map(manifest.map((f) => [f.file, f]));
  const isVideo = (file: string) =>
    /video/.test(byFile.get(file)?.kind ?? '') || /\.(mp4|mov|webm|avi)$/i.test(file);
  const excluded: Record<string, number> = {};
  const labelled: LabelledPair[] = [];
  for (const p of pairs) {
    const reason =
      p.label !== 'same' && p.label !== 'different'
        ? `label "${p.label}"`
        : isVideo(p.a) || isVideo(p.b)
          ? 'photo–video pair'
          : undefined;
    if (reason !== undefined) {
      excluded[reason] = (excluded[reason] ?? 0) + 1;
      continue;
    }
    labelled.push({
      a: p.a,
      b: p.b,
      genuine: p.label === 'same',
      trivial: p.label === 'same' && corpus.isTrivialPair(p),
    });
  }
  const key = (a: string, b: string) => (a < b ? `${a}\t${b}` : `${b}\t${a}`);
  const seen = new Set(labelled.map((p) => key(p.a, p.b)));
  const extra: LabelledPair[] = [];
  const photos = manifest.filter((f) => f.kind === 'photo' && knownIdentity(f));
  for (let i = 0; i < photos.length; i++) {
    for (let j = i + 1; j < photos.length; j++) {
      const a = photos[i]!;
      const b = photos[j]!;
      if (a.source !== b.source || a.identity === b.identity || seen.has(key(a.file, b.file)))
        continue;
      extra.push({ a: a.file, b: b.file, genuine: false, trivial: false });
    }
  }
  const nonTrivial = labelled.filter((p) => !p.trivial);
  return {
    sets: [
      { name: 'PAIRS.tsv, all', pairs: labelled },
      { name: 'PAIRS.tsv, without trivial pairs', pairs: nonTrivial },
      { name: '+ all within-source cross-identity impostors, all', pairs: [...labelled, ...extra] },
      {
        name: '+ all within-source cross-identity impostors, without trivial pairs',
        pairs: [...nonTrivial, ...extra],
      },
    ],
    excluded,
  };
}

/** Every file a pair set refers to. */
export const filesOf = (sets: readonly PairSet[]): string[] =>
  [...new Set(sets.flatMap((s) => s.pairs.flatMap((p) => [p.a, p.b])))].sort();

export interface ScoredPair {
  readonly a: string;
  readonly b: string;
  readonly score: number;
}

export interface ThresholdRow {
  readonly score: number;
  readonly promisedFmr: number;
  readonly observedFmr: Rate;
  readonly tar: Rate;
}

export interface PairSetResult {
  readonly set: string;
  readonly genuine: number;
  readonly impostor: number;
  readonly genuineFailures: number;
  readonly impostorFailures: number;
  readonly auc: number;
  readonly eer: EqualErrorRate;
  readonly tar: readonly TarAtFar[];
  readonly genuineScores: Summary;
  readonly impostorScores: Summary;
  readonly histogram: {
    readonly edges: readonly number[];
    readonly genuine: readonly number[];
    readonly impostor: readonly number[];
  };
  readonly worstGenuine: readonly ScoredPair[];
  readonly worstImpostor: readonly ScoredPair[];
  /** Ours only: observed FMR at each verification_score threshold of the seed's table. */
  readonly thresholds?: readonly ThresholdRow[];
}

export interface PipelineVerification {
  readonly pipeline: string;
  readonly description: string;
  /** What the scores are (cosine, −euclidean distance, …). */
  readonly score: string;
  /** Files with no face found, of those encoded. */
  readonly noFace: readonly string[];
  readonly encoded: number;
  readonly msPerPhoto: number;
  readonly sets: readonly PairSetResult[];
}

const FARS = [0.01, 0.001];
const SCORE_THRESHOLDS = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Measures one pipeline's descriptors on every pair set. */
export function measure<E>(
  pipeline: {
    name: string;
    description: string;
    score: string;
    compare(a: E, b: E): number;
    msPerPhoto: number;
  },
  encodings: ReadonlyMap<string, E | undefined>,
  sets: readonly PairSet[],
  knots?: CalibrationKnots,
): PipelineVerification {
  const score = (p: LabelledPair): number => {
    const a = encodings.get(p.a);
    const b = encodings.get(p.b);
    return a === undefined || b === undefined ? -Infinity : pipeline.compare(a, b);
  };
  const results = sets.map((set): PairSetResult => {
    const scored = set.pairs.map((p) => ({ a: p.a, b: p.b, genuine: p.genuine, score: score(p) }));
    const gen = scored.filter((p) => p.genuine);
    const imp = scored.filter((p) => !p.genuine);
    const g = gen.map((p) => p.score);
    const i = imp.map((p) => p.score);
    const edges =
      pipeline.score === 'cosine'
        ? [-1, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
        : equalWidthEdges([...g, ...i], 12);
    const strip = ({ a, b, score: s }: ScoredPair) => ({ a, b, score: s });
    return {
      set: set.name,
      genuine: g.length,
      impostor: i.length,
      genuineFailures: g.filter((s) => !Number.isFinite(s)).length,
      impostorFailures: i.filter((s) => !Number.isFinite(s)).length,
      auc: rocAuc(g, i),
      eer: equalErrorRate(g, i),
      tar: FARS.map((far) => tarAtFar(g, i, far)),
      genuineScores: summarise(g),
      impostorScores: summarise(i),
      histogram: { edges, genuine: histogram(g, edges), impostor: histogram(i, edges) },
      worstGenuine: [...gen]
        .sort((x, y) => x.score - y.score)
        .slice(0, 5)
        .map(strip),
      worstImpostor: [...imp]
        .sort((x, y) => y.score - x.score)
        .slice(0, 5)
        .map(strip),
      ...(knots === undefined
        ? {}
        : {
            thresholds: SCORE_THRESHOLDS.map((s) => {
              const vs = (v: number) =>
                Number.isFinite(v) ? verificationScore(v, knots) : -Infinity;
              return {
                score: s,
                promisedFmr: promisedFalseMatchRate(s),
                observedFmr: rateAtOrAbove(i.map(vs), s),
                tar: rateAtOrAbove(g.map(vs), s),
              };
            }),
          }),
    };
  });
  const noFace = [...encodings].filter(([, e]) => e === undefined).map(([f]) => f);
  return {
    pipeline: pipeline.name,
    description: pipeline.description,
    score: pipeline.score,
    noFace,
    encoded: encodings.size,
    msPerPhoto: pipeline.msPerPhoto,
    sets: results,
  };
}

/** The pairs where every pipeline found both faces: the descriptors compared on equal terms. */
export function commonPairs(
  set: PairSet,
  encodings: readonly ReadonlyMap<string, unknown>[],
): PairSet {
  const found = (f: string) => encodings.every((m) => m.get(f) !== undefined);
  return {
    name: `${set.name}, both faces found by every pipeline`,
    pairs: set.pairs.filter((p) => found(p.a) && found(p.b)),
  };
}
