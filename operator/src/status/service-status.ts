import type { ResolvedSpec } from '../api/defaults.js';
import type { FaceModel } from '../api/face-model.js';
import type { Condition } from '../api/object-meta.js';
import type { AutoscalerStatus, VerificationServiceStatus } from '../api/verification-service.js';
import { servicePort } from '../builders/exposure.js';
import type { ModelState, RolloutState } from '../rollout/plan.js';
import type { TrafficSplit } from '../rollout/traffic.js';
import { mergeConditions } from './conditions.js';
import { serviceConditions } from './service-conditions.js';

/** Everything a VerificationService's status is computed from. */
export interface StatusInput {
  namespace: string;
  name: string;
  generation: number;
  spec: ResolvedSpec;
  previousConditions: Condition[] | undefined;
  state: RolloutState;
  targetState: ModelState;
  targetMessage?: string | undefined;
  stableModel: FaceModel | undefined;
  /** The version status recorded for stable, kept while its FaceModel is gone. */
  recordedStableVersion: string | undefined;
  canaryModel: FaceModel | undefined;
  split: TrafficSplit;
  stableReady: number;
  canaryReady: number;
  autoscaler: AutoscalerStatus | undefined;
  applyError: string | undefined;
  now: Date;
}

/** Where clients reach the service: the Ingress host, else the in-cluster Service. */
export function serviceUrl(namespace: string, name: string, spec: ResolvedSpec): string {
  const ingress = spec.exposure?.ingress;
  if (ingress)
    return `${ingress.tlsSecretName ? 'https' : 'http'}://${ingress.host}${ingress.path ?? ''}`;
  return `http://${name}.${namespace}.svc:${servicePort(spec.exposure ?? {})}`;
}

/** The full status of a VerificationService; pure, so an unchanged world yields an identical status. */
export function serviceStatus(input: StatusInput): VerificationServiceStatus {
  const { state, stableModel, canaryModel, split } = input;
  const rollout = { ...state.rollout, trafficPercent: canaryModel ? split.canaryPercent : 0 };
  const conditions = mergeConditions(
    input.previousConditions,
    serviceConditions({
      rollout,
      stableModel: state.stableModel,
      targetModel: input.spec.modelRef,
      targetState: input.targetState,
      ...(input.targetMessage ? { targetMessage: input.targetMessage } : {}),
      stableDesired: split.stableReplicas,
      stableReady: input.stableReady,
      canaryModel: state.canaryModel,
      ...(input.applyError ? { applyError: input.applyError } : {}),
    }),
    input.generation,
    input.now,
  );
  return {
    observedGeneration: input.generation,
    conditions,
    ...(state.stableModel ? { stableModel: state.stableModel } : {}),
    ...(stableModel
      ? { stableVersion: stableModel.spec.version }
      : input.recordedStableVersion
        ? { stableVersion: input.recordedStableVersion }
        : {}),
    ...(state.canaryModel ? { canaryModel: state.canaryModel } : {}),
    ...(canaryModel ? { canaryVersion: canaryModel.spec.version } : {}),
    rollout,
    replicas: split.stableReplicas + split.canaryReplicas,
    readyReplicas: input.stableReady + (canaryModel ? input.canaryReady : 0),
    ...(input.autoscaler ? { autoscaler: input.autoscaler } : {}),
    url: serviceUrl(input.namespace, input.name, input.spec),
  };
}
