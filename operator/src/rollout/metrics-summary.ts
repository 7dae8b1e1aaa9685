import type { MetricsSummaryStatus } from '../api/verification-service.js';
import type { Sample } from './prometheus-text.js';

/** API codes counted as the server's fault: 5000 internal, 5003 saturated. */
const SERVER_ERROR = /^5\d{3}$/;

function sum(
  samples: Sample[],
  name: string,
  where: (labels: Record<string, string>) => boolean = () => true,
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

function mergedBuckets(
  samples: Sample[],
  name: string,
  version: string,
): Array<{ le: number; count: number }> {
  const byBound = new Map<number, number>();
  for (const s of samples) {
    if (
      s.name !== `${name}_bucket` ||
      s.labels.model_version !== version ||
      s.labels.le === undefined
    )
      continue;
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    byBound.set(le, (byBound.get(le) ?? 0) + s.value);
  }
  return [...byBound].map(([le, count]) => ({ le, count }));
}

/**
 * Summarises the samples of one track's pods, counting only series labelled with the
 * version that track is meant to serve, so pods still on an old version do not blur it.
 */
export function summarize(samples: Sample[], version: string): MetricsSummaryStatus {
  const ofVersion = (labels: Record<string, string>): boolean => labels.model_version === version;
  const requests = sum(samples, 'silentid_requests_total', ofVersion);
  const errors = sum(
    samples,
    'silentid_requests_total',
    (l) => ofVersion(l) && SERVER_ERROR.test(l.code ?? ''),
  );
  const passed = sum(
    samples,
    'silentid_liveness_decisions_total',
    (l) => ofVersion(l) && l.passed === 'true',
  );
  const decisions = sum(samples, 'silentid_liveness_decisions_total', ofVersion);
  const scoreSum = sum(samples, 'silentid_liveness_score_sum', ofVersion);
  const scoreCount = sum(samples, 'silentid_liveness_score_count', ofVersion);
  return {
    requests,
    errorRate: requests === 0 ? 0 : errors / requests,
    p95LatencySeconds: histogramQuantile(
      0.95,
      mergedBuckets(samples, 'silentid_request_duration_seconds', version),
    ),
    livenessPassRate: decisions === 0 ? null : passed / decisions,
    meanLivenessScore: scoreCount === 0 ? null : scoreSum / scoreCount,
  };
}
