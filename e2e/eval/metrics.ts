/**
 * Pure error-rate arithmetic of the evaluation: ROC AUC, EER, TAR at a FAR, rates at a
 * threshold, score summaries. Scores are "higher = more alike / more live"; a failure
 * to produce a score (no face found) is -Infinity, so it is rejected at every threshold.
 */

export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly sd: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** Mean, sample SD and range of the finite values (failures are counted elsewhere). */
export function summarise(values: readonly number[]): Summary {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return { n: 0, mean: NaN, sd: NaN, min: NaN, median: NaN, max: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const median = n % 2 === 1 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
  return { n, mean, sd, min: v[0]!, median, max: v[n - 1]! };
}

/**
 * Area under the ROC curve: the probability that a random genuine score beats a random
 * impostor score, ties counting one half (Mann–Whitney). -Infinity ties with -Infinity.
 */
export function rocAuc(genuine: readonly number[], impostor: readonly number[]): number {
  if (genuine.length === 0 || impostor.length === 0) return NaN;
  const imp = [...impostor].sort((a, b) => a - b);
  let wins = 0;
  for (const g of genuine) {
    const below = lowerBound(imp, g);
    const notAbove = upperBound(imp, g);
    wins += below + 0.5 * (notAbove - below);
  }
  return wins / (genuine.length * impostor.length);
}

/** Pearson correlation of two equally long series; 0 when either is constant. */
export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma,
      y = b[i]! - mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

export interface EqualErrorRate {
  /** (FAR + FRR) / 2 where the two are closest. */
  readonly eer: number;
  /** Accept when score ≥ threshold. */
  readonly threshold: number;
  readonly far: number;
  readonly frr: number;
}

/** Sweeps every observed score as an "accept if ≥" threshold; the point where FAR and FRR meet. */
export function equalErrorRate(
  genuine: readonly number[],
  impostor: readonly number[],
): EqualErrorRate {
  const candidates = [...new Set([...genuine, ...impostor].filter(Number.isFinite))].sort(
    (a, b) => a - b,
  );
  candidates.push(Infinity);
  let best: EqualErrorRate = { eer: NaN, threshold: NaN, far: NaN, frr: NaN };
  let gap = Infinity;
  for (const t of candidates) {
    const far = rateAtOrAbove(impostor, t).rate;
    const frr = 1 - rateAtOrAbove(genuine, t).rate;
    if (Math.abs(far - frr) < gap) {
      gap = Math.abs(far - frr);
      best = { eer: (far + frr) / 2, threshold: t, far, frr };
    }
  }
  return best;
}

export interface TarAtFar {
  readonly targetFar: number;
  readonly tar: number;
  /** Accept when score > threshold (strictly above this impostor score). */
  readonly threshold: number;
  /** Impostor pairs accepted at that threshold: how many errors the FAR estimate rests on. */
  readonly impostorsAccepted: number;
  readonly impostors: number;
  readonly observedFar: number;
  /**
   * Fewer than 10 accepted impostors: the threshold sits in the impostors' extreme tail
   * and the "FAR" is not really measured — report it as such, never as a rate.
   */
  readonly measured: boolean;
}

/**
 * The best TAR whose observed FAR does not exceed `far`: at most ⌊far·n⌋ impostors may be
 * accepted, so the threshold is the next impostor score down. With n impostors, FARs
 * below 1/n can only be bounded by "no impostor accepted".
 */
export function tarAtFar(
  genuine: readonly number[],
  impostor: readonly number[],
  far: number,
): TarAtFar {
  const imp = [...impostor].sort((a, b) => b - a);
  const n = imp.length;
  const k = Math.floor(far * n + 1e-9);
  const threshold = k < n ? imp[k]! : -Infinity;
  // Strictly above: impostors tied with the cut are rejected, so ties never push FAR over the target.
  const accepted = imp.filter((v) => v > threshold).length;
  const tar =
    genuine.length === 0 ? NaN : genuine.filter((g) => g > threshold).length / genuine.length;
  return {
    targetFar: far,
    tar,
    threshold,
    impostorsAccepted: accepted,
    impostors: n,
    observedFar: n === 0 ? NaN : accepted / n,
    measured: accepted >= 10,
  };
}

export interface Rate {
  readonly count: number;
  readonly n: number;
  readonly rate: number;
}

/** How many values are ≥ threshold. */
export function rateAtOrAbove(values: readonly number[], threshold: number): Rate {
  const count = values.filter((v) => v >= threshold).length;
  return { count, n: values.length, rate: values.length === 0 ? NaN : count / values.length };
}

/** Counts per bin; edges ascending, bins [e_i, e_{i+1}), the last one closed. Non-finite values are left out. */
export function histogram(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    for (let i = 0; i < counts.length; i++) {
      const last = i === counts.length - 1;
      if (v >= edges[i]! && (v < edges[i + 1]! || (last && v <= edges[i + 1]!))) {
        counts[i]!++;
        break;
      }
    }
  }
  return counts;
}

/** `bins` equal-width edges over the finite range of the values (a degenerate range widens to ±0.5). */
export function equalWidthEdges(values: readonly number[], bins: number): number[] {
  const finite = values.filter(Number.isFinite);
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (finite.length === 0) [lo, hi] = [0, 1];
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  return Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
}

export interface PrecisionRecall {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
}

export function precisionRecall(
  positives: readonly boolean[],
  negatives: readonly boolean[],
): PrecisionRecall {
  const tp = positives.filter(Boolean).length;
  const fn = positives.length - tp;
  const fp = negatives.filter(Boolean).length;
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? NaN : tp / (tp + fp),
    recall: tp + fn === 0 ? NaN : tp / (tp + fn),
  };
}

/** First index whose value is ≥ x in an ascending array. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x in an ascending array. */
function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * P(X ≥ k) for X ~ Poisson(expected): how surprising `k` observed false matches are if
 * the promised rate were true. A small value says the promise is broken, not merely unlucky.
 */
export function poissonTail(k: number, expected: number): number {
  if (k <= 0) return 1;
  let term = Math.exp(-expected);
  let below = term;
  for (let i = 1; i < k; i++) {
    term *= expected / i;
    below += term;
  }
  return Math.max(0, 1 - below);
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * The exact (Clopper–Pearson) confidence interval of a binomial rate: k errors in n
 * presentations. With few presentations it is wide, and with none observed it is still
 * not zero: 0 of 612 only bounds a rate below 0.6% (95%), 0 of 15 below 21.8%.
 */
export function clopperPearson(k: number, n: number, confidence = 0.95): Interval {
  if (n === 0) return { low: NaN, high: NaN };
  const alpha = (1 - confidence) / 2;
  // P(X ≤ k) for X ~ Binomial(n, p), from log-factorials (exact enough for n in the thousands).
  const logFact = [0];
  for (let i = 1; i <= n; i++) logFact.push(logFact[i - 1]! + Math.log(i));
  const cdf = (x: number, p: number): number => {
    if (x < 0) return 0;
    if (x >= n) return 1;
    let s = 0;
    for (let i = 0; i <= x; i++)
      s += Math.exp(
        logFact[n]! - logFact[i]! - logFact[n - i]! + i * Math.log(p) + (n - i) * Math.log1p(-p),
      );
    return Math.min(1, s);
  };
  // Where P(X > x), which grows with p, reaches `target`: bisection on [0, 1].
  const reach = (x: number, target: number): number => {
    let lo = 0,
      hi = 1;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (1 - cdf(x, mid) < target) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  return {
    // The smallest p under which k or more errors are still plausible: P(X ≥ k) = α.
    low: k === 0 ? 0 : reach(k - 1, alpha),
    // The largest p under which k or fewer errors are still plausible: P(X ≤ k) = α.
    high: k === n ? 1 : reach(k, 1 - alpha),
  };
}

/**
 * The Wilson score interval of a binomial rate (k errors in n), the interval ISO/IEC
 * 30107-3 reports use for APCER and BPCER: unlike the normal approximation it stays
 * inside [0, 1] and is not empty at k = 0 (0 of 19 bounds the rate below 16.8%).
 */
export function wilson(k: number, n: number, z = 1.959964): Interval {
  if (n === 0) return { low: NaN, high: NaN };
  const p = k / n;
  const centre = p + (z * z) / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  const denom = 1 + (z * z) / n;
  return {
    low: k === 0 ? 0 : Math.max(0, (centre - spread) / denom),
    high: k === n ? 1 : Math.min(1, (centre + spread) / denom),
  };
}
