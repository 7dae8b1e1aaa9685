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

/** A spec with every default filled in: what builders and the rollout planner read. */
export type ResolvedSpec = Omit<VerificationServiceSpec, 'replicas' | 'rollout'> & {
  replicas: number;
  rollout: RolloutPolicy;
};

/**
 * Fills the defaults the CRD schema declares. The API server applies them too, but the
 * operator must not depend on it (a stand-in or an older object may lack them).
 */
export function resolveSpec(spec: VerificationServiceSpec): ResolvedSpec {
  const rollout = spec.rollout ?? {};
  return {
    ...spec,
    replicas: spec.replicas ?? 1,
    rollout: {
      ...rollout,
      steps: [...(rollout.steps ?? DEFAULT_ROLLOUT.steps)].sort((a, b) => a - b),
      pauseSeconds: rollout.pauseSeconds ?? DEFAULT_ROLLOUT.pauseSeconds,
      analysis: { ...DEFAULT_ANALYSIS, ...rollout.analysis },
    },
  };
}
