import { ConditionType } from '../api/conditions.js';
import { LABEL_MODEL } from '../api/group.js';
import type { FaceModel } from '../api/face-model.js';
import type { KubeObject } from '../api/object-meta.js';
import { findCondition } from '../status/conditions.js';
import type { ModelState } from '../rollout/plan.js';

/** The replica counts of a Deployment as its controller reports them. */
export interface DeploymentView {
  exists: boolean;
  /** The FaceModel its pod template serves. */
  model: string | undefined;
  desired: number;
  ready: number;
  /** The controller has seen the latest spec and every desired replica is updated and available. */
  complete: boolean;
}

/** Reads a Deployment's spec and status; an absent Deployment has nothing ready. */
export function deploymentView(object: KubeObject | undefined): DeploymentView {
  if (!object) return { exists: false, model: undefined, desired: 0, ready: 0, complete: false };
  const spec = (object.spec ?? {}) as {
    replicas?: number;
    template?: { metadata?: { labels?: Record<string, string> } };
  };
  const status = (object.status ?? {}) as {
    observedGeneration?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
  const desired = spec.replicas ?? 1;
  const ready = status.readyReplicas ?? 0;
  const observed = (status.observedGeneration ?? 0) >= (object.metadata.generation ?? 0);
  return {
    exists: true,
    model: spec.template?.metadata?.labels?.[LABEL_MODEL],
    desired,
    ready,
    complete:
      observed &&
      (status.updatedReplicas ?? 0) >= desired &&
      (status.availableReplicas ?? 0) >= desired,
  };
}

/** Where a FaceModel stands for serving. */
export function modelState(model: FaceModel | undefined): ModelState {
  if (!model) return 'Missing';
  const verified = findCondition(model.status?.conditions, ConditionType.Verified);
  if (verified?.status === 'True') return 'Verified';
  if (verified?.status === 'False') return 'Failed';
  return 'Unverified';
}
