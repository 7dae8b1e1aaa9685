import { ConditionType, Reason } from '../api/conditions.js';
import type { RolloutStatus } from '../api/verification-service.js';
import type { ModelState } from '../rollout/plan.js';
import type { ConditionInput } from './conditions.js';

/** What the conditions of a VerificationService are derived from. */
export interface ServiceObservation {
  rollout: RolloutStatus;
  stableModel: string | undefined;
  targetModel: string;
  targetState: ModelState;
  /** Why the target FaceModel is where it is (its Verified condition's message). */
  targetMessage?: string;
  stableDesired: number;
  stableReady: number;
  canaryModel: string | undefined;
  applyError?: string;
}

function condition(
  type: ConditionType,
  status: boolean,
  reason: Reason,
  message: string,
): ConditionInput {
  return { type, status: status ? 'True' : 'False', reason, message };
}

function ready(o: ServiceObservation): ConditionInput {
  if (!o.stableModel) {
    const reason =
      o.targetState === 'Missing'
        ? Reason.ModelNotFound
        : o.targetState === 'Failed'
          ? Reason.ModelRejected
          : Reason.WaitingForModel;
    return condition(
      ConditionType.Ready,
      false,
      reason,
      `FaceModel ${o.targetModel} is ${o.targetState.toLowerCase()}`,
    );
  }
  if (o.stableReady < 1 || o.stableReady < o.stableDesired) {
    return condition(
      ConditionType.Ready,
      o.stableReady >= 1,
      Reason.PodsStarting,
      `${o.stableReady}/${o.stableDesired} stable pods ready`,
    );
  }
  return condition(
    ConditionType.Ready,
    true,
    Reason.Available,
    `${o.stableReady}/${o.stableDesired} pods serve ${o.stableModel}`,
  );
}

function progressing(o: ServiceObservation): ConditionInput {
  const message = o.rollout.message ?? '';
  switch (o.rollout.phase) {
    case 'Progressing':
      return condition(
        ConditionType.Progressing,
        true,
        o.rollout.stepStartedAt ? Reason.CanaryStep : Reason.CanaryStarting,
        message,
      );
    case 'Paused':
      return condition(ConditionType.Progressing, true, Reason.RolloutPaused, message);
    case 'Promoted':
      return condition(ConditionType.Progressing, false, Reason.Promoted, message);
    case 'RolledBack':
      return condition(ConditionType.Progressing, false, Reason.RolledBack, message);
    case 'Aborted':
      return condition(ConditionType.Progressing, false, Reason.Aborted, message);
    case 'Idle':
      return condition(ConditionType.Progressing, false, Reason.Idle, message || 'no rollout');
  }
}

function degraded(o: ServiceObservation): ConditionInput {
  if (o.applyError)
    return condition(ConditionType.Degraded, true, Reason.ApplyFailed, o.applyError);
  if (o.targetState === 'Missing')
    return condition(
      ConditionType.Degraded,
      true,
      Reason.ModelNotFound,
      `FaceModel ${o.targetModel} not found`,
    );
  if (o.targetState === 'Failed')
    return condition(
      ConditionType.Degraded,
      true,
      Reason.ModelRejected,
      `FaceModel ${o.targetModel} failed verification${o.targetMessage ? `: ${o.targetMessage}` : ''}`,
    );
  const { phase, rejectedModel } = o.rollout;
  if ((phase === 'RolledBack' || phase === 'Aborted') && rejectedModel === o.targetModel) {
    return condition(
      ConditionType.Degraded,
      true,
      phase === 'RolledBack' ? Reason.RolledBack : Reason.Aborted,
      o.rollout.message ?? '',
    );
  }
  return condition(ConditionType.Degraded, false, Reason.AsExpected, 'as expected');
}

/** Ready, Progressing and Degraded of a VerificationService. */
export function serviceConditions(o: ServiceObservation): ConditionInput[] {
  return [ready(o), progressing(o), degraded(o)];
}
