import type { MetricTotals, MetricsSummaryStatus } from '../api/verification-service.js';
import type { Sample } from './prometheus-text.js';

/** API codes counted as the server's fault: 5000 internal, 5003 saturated. */
const SERVER_ERROR = /^5\d{3}$/;

function sum(
  samples: Sample[],
  name: string,
  where: (labels: Record<string, string>) => boolean,
): number {
  return samples
    .filter((s) => s.name === name && where(s.labels))
    .reduce((total, s) => total + s.value, 0);
}

/** The q-quantile of a cumulative histogram, interpolated linearly inside the bucket as Prometheus does. */
export function histogramQuantile(
  q: number,
  buckets: Array<{ le: number; count: number }>,
): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      // The +Inf bucket has no upper bound: answer the highest finite bound, like Prometheus.
      if (!Number.isFinite(bucket.le)) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      return inBucket === 0
        ? bucket.le
        : lowerBound + ((bucket.le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}

function latencyBuckets(samples: Sample[], version: string): Record<string, number> {
  const byBound: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== 'silentid_request_duration_seconds_bucket') continue;
    if (s.labels.model_version !== version || s.labels.le === undefined) continue;
    byBound[s.labels.le] = (byBound[s.labels.le] ?? 0) + s.value;
  }
  return byBound;
}

/**
 * Adds up the counters of one track's pods, counting only series labelled with the
 * version that track is meant to serve, so pods still on an old version do not blur it.
 */
export function totals(samples: Sample[], version: string): MetricTotals {
  const ofVersion = (labels: Record<string, string>): boolean => labels.model_version === version;
  return {
    requests: sum(samples, 'silentid_requests_total', ofVersion),
    errors: sum(
      samples,
      'silentid_requests_total',
      (l) => ofVersion(l) && SERVER_ERROR.test(l.code ?? ''),
    ),
    livenessPassed: sum(
      samples,
      'silentid_liveness_decisions_total',
      (l) => ofVersion(l) && l.passed === 'true',
    ),
    livenessDecisions: sum(samples, 'silentid_liveness_decisions_total', ofVersion),
    livenessScoreSum: sum(samples, 'silentid_liveness_score_sum', ofVersion),
    livenessScoreCount: sum(samples, 'silentid_liveness_score_count', ofVersion),
    latencyBuckets: latencyBuckets(samples, version),
  };
}

/**
 * What happened since `baseline`: the counters' increase. A counter that went down means
 * a pod restarted or left; the cumulative totals are then the honest answer.
 */
export function since(current: MetricTotals, baseline: MetricTotals | undefined): MetricTotals {
  if (!baseline) return current;
  const buckets: Record<string, number> = {};
  for (const [le, count] of Object.entries(current.latencyBuckets))
    buckets[le] = count - (baseline.latencyBuckets[le] ?? 0);
  const delta: MetricTotals = {
    requests: current.requests - baseline.requests,
    errors: current.errors - baseline.errors,
    livenessPassed: current.livenessPassed - baseline.livenessPassed,
    livenessDecisions: current.livenessDecisions - baseline.livenessDecisions,
    livenessScoreSum: current.livenessScoreSum - baseline.livenessScoreSum,
    livenessScoreCount: current.livenessScoreCount - baseline.livenessScoreCount,
    latencyBuckets: buckets,
  };
  const counts = [
    delta.requests,
    delta.errors,
    delta.livenessPassed,
    delta.livenessDecisions,
    delta.livenessScoreCount,
    ...Object.values(buckets),
  ];
  return counts.some((n) => n < 0) ? current : delta;
}

/** Rates and quantiles from totals. */
export function summarizeTotals(t: MetricTotals): MetricsSummaryStatus {
  const buckets = Object.entries(t.latencyBuckets).map(([le, count]) => ({
    le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le),
    count,
  }));
  return {
    requests: t.requests,
    errorRate: t.requests === 0 ? 0 : t.errors / t.requests,
    p95LatencySeconds: histogramQuantile(0.95, buckets),
    livenessPassRate: t.livenessDecisions === 0 ? null : t.livenessPassed / t.livenessDecisions,
    meanLivenessScore:
      t.livenessScoreCount === 0 ? null : t.livenessScoreSum / t.livenessScoreCount,
  };
}

/** Summarises one track's samples since its pods started. */
export function summarize(samples: Sample[], version: string): MetricsSummaryStatus {
  return summarizeTotals(totals(samples, version));
}
