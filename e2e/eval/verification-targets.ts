/**
 * The verification targets of issue #3 §4, each with a verdict: met or missed, by how
 * much, on what support, and for a miss, which pairs are the reason.
 */
import { poissonTail } from './metrics.js';
import type {
  PairSetResult,
  PipelineVerification,
  ScoredPair,
  ThresholdRow,
} from './verification.js';

export interface VerificationTarget {
  readonly metric: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  /** By how much, on what support, and for a miss, why. */
  readonly note: string;
}

/** An observed false-match count this unlikely under the promise contradicts it. */
const FMR_CONTRADICTED_P = 0.05;

/** Expected impostors at or above a table threshold if the promise held. */
export const expectedFalseMatches = (row: ThresholdRow): number =>
  row.promisedFmr * row.observedFmr.n;

/** The chance of seeing at least the observed false matches if the promise held. */
export const falseMatchP = (row: ThresholdRow): number =>
  poissonTail(row.observedFmr.count, expectedFalseMatches(row));

export const fmrContradicted = (row: ThresholdRow): boolean =>
  row.observedFmr.count > 0 && falseMatchP(row) < FMR_CONTRADICTED_P;

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const pp = (v: number) => `${(v * 100).toFixed(2)} pp`;
const pairName = (p: ScoredPair) =>
  `${p.a.replace(/^.*\//, '')} ↔ ${p.b.replace(/^.*\//, '')} (${p.score.toFixed(3)})`;

/** The pair sets the targets are read on: PAIRS.tsv and the larger impostor set, trivial pairs out. */
const TARGET_SETS = [1, 3] as const;

/** Ours is the first pipeline; the peers are those not named after this project. */
export function verificationTargets(
  pipelines: readonly PipelineVerification[],
): VerificationTarget[] {
  const ours = pipelines[0]!;
  const peers = pipelines.filter((p) => !p.pipeline.startsWith('silentid'));
  return TARGET_SETS.flatMap((i) => {
    const s = ours.sets[i];
    if (s === undefined) return [];
    return [
      eerTarget(s),
      tarTarget(s),
      peerTarget(
        s,
        peers.flatMap((p) =>
          p.sets[i] === undefined ? [] : [{ name: p.pipeline, set: p.sets[i] }],
        ),
      ),
      fmrTarget(s),
    ];
  });
}

function eerTarget(s: PairSetResult): VerificationTarget {
  const margin = 0.01 - s.eer.eer;
  return {
    metric: `EER, ${s.set}`,
    target: '≤ 1.0%',
    measured: pct(s.eer.eer),
    met: margin >= 0,
    note: `${margin >= 0 ? 'margin' : 'missed by'} ${pp(Math.abs(margin))}; ${s.genuine} genuine / ${s.impostor} impostor pairs`,
  };
}

function tarTarget(s: PairSetResult): VerificationTarget {
  const t = s.tar.find((x) => x.targetFar === 0.001)!;
  const margin = t.tar - 0.98;
  const support = t.measured
    ? `${t.impostorsAccepted} of ${t.impostors} impostors accepted`
    : `a bound, not a measured rate: ${t.impostorsAccepted} of ${t.impostors} impostors above the threshold`;
  return {
    metric: `TAR at FAR 0.1%, ${s.set}`,
    target: '≥ 98%',
    measured: pct(t.tar),
    met: margin >= 0,
    note: `${margin >= 0 ? 'margin' : 'missed by'} ${pp(Math.abs(margin))}; ${support}`,
  };
}

/** At least as good as every peer on both EER and TAR at FAR 0.1%, on the same pairs. */
function peerTarget(
  s: PairSetResult,
  peers: readonly { name: string; set: PairSetResult }[],
): VerificationTarget {
  const tar = (x: PairSetResult) => x.tar.find((t) => t.targetFar === 0.001)!.tar;
  const behind = peers.filter((p) => p.set.eer.eer < s.eer.eer || tar(p.set) > tar(s));
  const compared = peers
    .map((p) => `${p.name}: EER ${pct(p.set.eer.eer)}, TAR ${pct(tar(p.set))}`)
    .join('; ');
  const top = s.worstImpostor[0];
  const below = top === undefined ? [] : s.worstGenuine.filter((g) => g.score <= top.score);
  const why =
    behind.length === 0 || top === undefined
      ? ''
      : `. Why: ${below.length} genuine pair(s) at or below the highest impostor ${pairName(top)}: ${below.map(pairName).join(', ')}`;
  return {
    metric: `better than every peer, ${s.set}`,
    target: 'EER and TAR at FAR 0.1% at least as good as each peer',
    measured: `ours: EER ${pct(s.eer.eer)}, TAR ${pct(tar(s))}`,
    met: behind.length === 0,
    note: `${compared}${why}`,
  };
}

function fmrTarget(s: PairSetResult): VerificationTarget {
  const rows = s.thresholds ?? [];
  const worse = rows.filter(fmrContradicted);
  const observed = rows.filter((r) => r.observedFmr.count > 0);
  // The threshold whose false matches come nearest to contradicting the promise.
  const weakest = [...observed].sort((a, b) => falseMatchP(a) - falseMatchP(b))[0];
  const describe = (r: ThresholdRow) =>
    `at ${r.score.toFixed(1)}: ${r.observedFmr.count} of ${r.observedFmr.n} where ${expectedFalseMatches(r).toFixed(2)} were promised, P = ${falseMatchP(r).toPrecision(2)}`;
  return {
    metric: `observed FMR at the table's thresholds, ${s.set}`,
    target: `no higher than promised (Poisson P ≥ ${FMR_CONTRADICTED_P})`,
    measured:
      worse.length === 0
        ? `consistent at ${observed.length} thresholds with false matches`
        : `worse at ${worse.map((r) => r.score.toFixed(1)).join(', ')}`,
    met: worse.length === 0,
    note:
      worse.length > 0
        ? worse.map(describe).join('; ')
        : weakest === undefined
          ? 'no false match at any threshold'
          : `closest ${describe(weakest)}; thresholds with no false match cannot be observed on ${s.impostor} impostors`,
  };
}
