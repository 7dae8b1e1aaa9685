import type { FaceModel } from '../api/face-model.js';
import type { ResolvedSpec } from '../api/defaults.js';
import type { KubeObject, OwnerReference } from '../api/object-meta.js';
import { buildDeployment } from './deployment.js';
import { buildHttpRoute, buildIngress, buildService, type ExposureInput } from './exposure.js';
import { deploymentName } from './labels.js';
import type { OperatorSettings } from './pod-template.js';
import { buildHpa, buildPodDisruptionBudget } from './scaling.js';

/** Everything the builders need, already decided by the rollout and autoscaling logic. */
export interface DesiredInput {
  namespace: string;
  service: string;
  owner: OwnerReference;
  spec: ResolvedSpec;
  /**
   * The stable track's model; undefined when its FaceModel was deleted while serving
   * (a helm upgrade removes the previous version): the stable Deployment then keeps
   * running as it is, neither re-rendered nor pruned, until a promotion replaces it.
   */
  stableModel: FaceModel | undefined;
  canaryModel: FaceModel | undefined;
  stableReplicas: number;
  canaryReplicas: number;
  /** Route weight for the canary; only used when an HTTPRoute is configured. */
  canaryWeight: number;
  /** The stable Deployment exists already (observed before this reconcile applies). */
  stableDeploymentExists: boolean;
  settings: OperatorSettings;
}

/** Names an object by kind, for pruning what is no longer desired. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
}

/** Objects to apply and optional objects to remove when they exist. */
export interface DesiredState {
  apply: KubeObject[];
  prune: ObjectRef[];
  /**
   * Replicas a Deployment of `apply` that this apply creates and leaves to an HPA starts
   * with, by its name, so that it does not run 1 pod until the HPA first syncs.
   */
  initialReplicas: Readonly<Record<string, number>>;
}

function asObject(value: object): KubeObject {
  return value as KubeObject;
}

/** Computes every child object of a VerificationService; pure and deterministic. */
export function desiredState(input: DesiredInput): DesiredState {
  const { namespace, service, owner, spec } = input;
  const hpa = spec.autoscaling?.mode === 'hpa' ? spec.autoscaling : undefined;
  const exposure: ExposureInput = { namespace, service, owner, exposure: spec.exposure ?? {} };
  const routed = spec.exposure?.httpRoute !== undefined;
  const apply: KubeObject[] = [];
  const prune: ObjectRef[] = [];
  const optional = (object: object | undefined, ref: ObjectRef): void => {
    if (object) apply.push(asObject(object));
    else prune.push(ref);
  };
  const base = { namespace, service, owner, spec, settings: input.settings };

  if (input.stableModel)
    apply.push(
      asObject(
        buildDeployment({
          ...base,
          track: 'stable',
          model: input.stableModel,
          replicas: hpa ? undefined : input.stableReplicas,
        }),
      ),
    );
  optional(
    input.canaryModel && input.canaryReplicas > 0
      ? buildDeployment({
          ...base,
          track: 'canary',
          model: input.canaryModel,
          replicas: input.canaryReplicas,
        })
      : undefined,
    { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName(service, 'canary') },
  );
  apply.push(asObject(buildService(exposure)));
  optional(routed ? buildService(exposure, 'stable') : undefined, {
    apiVersion: 'v1',
    kind: 'Service',
    name: `${service}-stable`,
  });
  optional(routed ? buildService(exposure, 'canary') : undefined, {
    apiVersion: 'v1',
    kind: 'Service',
    name: `${service}-canary`,
  });
  optional(buildIngress(exposure), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    name: service,
  });
  optional(buildHttpRoute(exposure, input.canaryModel ? input.canaryWeight : 0), {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    name: service,
  });
  apply.push(asObject(buildPodDisruptionBudget({ namespace, service, owner })));
  optional(hpa ? buildHpa({ namespace, service, owner }, hpa) : undefined, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    name: service,
  });
  const initialReplicas: Record<string, number> =
    hpa && input.stableModel && !input.stableDeploymentExists
      ? { [deploymentName(service, 'stable')]: hpa.min }
      : {};
  return { apply, prune, initialReplicas };
}
