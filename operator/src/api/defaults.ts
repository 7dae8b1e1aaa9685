import type {
  AnalysisThresholds,
  RolloutPolicy,
  VerificationServiceSpec,
} from './verification-service.js';

/**
 * The analysis thresholds used when a VerificationService names none.
 * The CRD schema declares the same defaults; they are repeated here because the
 * operator must behave the same when an API server did not default a field.
 */
export const DEFAULT_ANALYSIS: AnalysisThresholds = {
  maxErrorRate: 0.01,
  maxP95LatencySeconds: 2,
  maxLivenessPassRateDelta: 0.1,
  maxLivenessScoreDrift: 0.1,
  minRequests: 20,
};

export const DEFAULT_ROLLOUT: RolloutPolicy = {
  steps: [10, 25, 50],
  pauseSeconds: 120,
  analysis: DEFAULT_ANALYSIS,
};

/** A spec with every optional policy filled in. */
export type ResolvedSpec = VerificationServiceSpec & { rollout: RolloutPolicy };

/** Fills defaults the schema would have filled; the result is what builders read. */
export function resolveSpec(
  spec: Partial<VerificationServiceSpec> &
    Pick<VerificationServiceSpec, 'modelRef' | 'image' | 'keyRing'>,
): ResolvedSpec {
  const rollout = spec.rollout ?? DEFAULT_ROLLOUT;
  return {
    ...spec,
    replicas: spec.replicas ?? 1,
    rollout: {
      ...DEFAULT_ROLLOUT,
      ...rollout,
      steps: [...(rollout.steps ?? DEFAULT_ROLLOUT.steps)].sort((a, b) => a - b),
      analysis: { ...DEFAULT_ANALYSIS, ...rollout.analysis },
    },
  };
}
