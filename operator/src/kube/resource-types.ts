import { GROUP, VERSION } from '../api/group.js';

/** Where a kind lives in the REST API. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

function type(group: string, version: string, plural: string, kind: string): ResourceType {
  return { group, version, plural, kind };
}

/** Every kind the operator reads or writes; all are namespaced. */
export const Resources = {
  FaceModel: type(GROUP, VERSION, 'facemodels', 'FaceModel'),
  VerificationService: type(GROUP, VERSION, 'verificationservices', 'VerificationService'),
  Deployment: type('apps', 'v1', 'deployments', 'Deployment'),
  Service: type('', 'v1', 'services', 'Service'),
  Pod: type('', 'v1', 'pods', 'Pod'),
  Event: type('', 'v1', 'events', 'Event'),
  Job: type('batch', 'v1', 'jobs', 'Job'),
  Ingress: type('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  HTTPRoute: type('gateway.networking.k8s.io', 'v1', 'httproutes', 'HTTPRoute'),
  PodDisruptionBudget: type('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
  HorizontalPodAutoscaler: type(
    'autoscaling',
    'v2',
    'horizontalpodautoscalers',
    'HorizontalPodAutoscaler',
  ),
  Lease: type('coordination.k8s.io', 'v1', 'leases', 'Lease'),
} as const;

/** The apiVersion string of a resource type. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** Finds the resource type of an object by apiVersion and kind. */
export function typeOf(apiVersion: string, kind: string): ResourceType {
  const found = Object.values(Resources).find(
    (t) => t.kind === kind && apiVersionOf(t) === apiVersion,
  );
  if (!found) throw new Error(`unknown resource ${apiVersion} ${kind}`);
  return found;
}

/** The collection path of a type in a namespace, e.g. /apis/apps/v1/namespaces/x/deployments. */
export function collectionPath(type: ResourceType, namespace: string | undefined): string {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`
    : `${base}/${type.plural}`;
}
