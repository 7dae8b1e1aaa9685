/** Condition types of VerificationService and FaceModel. */
export const ConditionType = {
  /** Stable pods serve traffic and no rollout is blocked. */
  Ready: 'Ready',
  /** A rollout or scale change is under way. */
  Progressing: 'Progressing',
  /** Something needs attention: a rollback happened, a model is unusable, pods are missing. */
  Degraded: 'Degraded',
  /** FaceModel: the bundle was fetched and its sha256 matched. */
  Verified: 'Verified',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Reasons, one per situation the operator distinguishes. */
export const Reason = {
  /** All desired replicas of the stable track are available. */
  Available: 'Available',
  /** Pods of the stable track are still starting. */
  PodsStarting: 'PodsStarting',
  /** No rollout is running. */
  Idle: 'Idle',
  /** The canary holds a share of traffic and waits for its analysis. */
  CanaryStep: 'CanaryStep',
  /** The canary is not ready yet; the step clock has not started. */
  CanaryStarting: 'CanaryStarting',
  /** The rollout is held by spec.rollout.paused. */
  RolloutPaused: 'RolloutPaused',
  /** The canary passed every step and became stable. */
  Promoted: 'Promoted',
  /** The analysis failed and the canary was removed. */
  RolledBack: 'RolledBack',
  /** The rollout was aborted by spec.rollout.abort. */
  Aborted: 'Aborted',
  /** The referenced FaceModel does not exist. */
  ModelNotFound: 'ModelNotFound',
  /** The referenced FaceModel is not verified yet. */
  WaitingForModel: 'WaitingForModel',
  /** The referenced FaceModel failed verification. */
  ModelRejected: 'ModelRejected',
  /** Nothing is wrong. */
  AsExpected: 'AsExpected',
  /** FaceModel: a built-in bundle, verified when the image was built. */
  Builtin: 'Builtin',
  /** FaceModel: the verification Job is running. */
  Verifying: 'Verifying',
  /** FaceModel: fetched and the sha256 matched. */
  ChecksumMatched: 'ChecksumMatched',
  /** FaceModel: the fetch failed or the sha256 did not match. */
  VerificationFailed: 'VerificationFailed',
  /** Writing a child object failed; the work queue retries with backoff. */
  ApplyFailed: 'ApplyFailed',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];
