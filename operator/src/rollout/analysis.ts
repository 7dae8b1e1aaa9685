import type {
  AnalysisResult,
  AnalysisThresholds,
  MetricsSummaryStatus,
} from '../api/verification-service.js';

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

/**
 * Judges a canary against its thresholds and against stable. Liveness comparisons are
 * relative to stable because the right pass rate depends on the traffic, not the model.
 */
export function analyze(
  canary: MetricsSummaryStatus,
  stable: MetricsSummaryStatus,
  thresholds: AnalysisThresholds,
  now: Date,
): AnalysisResult {
  const result = (verdict: AnalysisResult['verdict'], reasons: string[]): AnalysisResult => ({
    verdict,
    reasons,
    canary,
    stable,
    time: now.toISOString(),
  });
  if (canary.requests < thresholds.minRequests) {
    return result('Inconclusive', [
      `canary served ${canary.requests} requests, fewer than ${thresholds.minRequests}`,
    ]);
  }
  const failures: string[] = [];
  if (canary.errorRate > thresholds.maxErrorRate) {
    failures.push(`error rate ${round(canary.errorRate)} > ${thresholds.maxErrorRate}`);
  }
  if (
    canary.p95LatencySeconds !== null &&
    canary.p95LatencySeconds > thresholds.maxP95LatencySeconds
  ) {
    failures.push(
      `p95 latency ${round(canary.p95LatencySeconds)}s > ${thresholds.maxP95LatencySeconds}s`,
    );
  }
  if (canary.livenessPassRate !== null && stable.livenessPassRate !== null) {
    const delta = Math.abs(canary.livenessPassRate - stable.livenessPassRate);
    if (delta > thresholds.maxLivenessPassRateDelta) {
      failures.push(
        `liveness pass rate differs from stable by ${round(delta)} > ${thresholds.maxLivenessPassRateDelta}`,
      );
    }
  }
  if (canary.meanLivenessScore !== null && stable.meanLivenessScore !== null) {
    const drift = Math.abs(canary.meanLivenessScore - stable.meanLivenessScore);
    if (drift > thresholds.maxLivenessScoreDrift) {
      failures.push(
        `mean liveness score drifts from stable by ${round(drift)} > ${thresholds.maxLivenessScoreDrift}`,
      );
    }
  }
  return failures.length > 0 ? result('Fail', failures) : result('Pass', ['all thresholds met']);
}
