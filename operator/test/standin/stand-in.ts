import { KubeConfig } from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import type { KubeObject } from '../../src/api/object-meta.js';
import { Resources } from '../../src/kube/resource-types.js';
import { loadCrds } from '../support/kube-schema.js';
import { toJsonSchema, type OpenApiSchema } from '../support/openapi-schema.js';
import { StandInApiServer } from './api-server.js';
import type { StandInType } from './store.js';

/** Built-in kinds the operator touches; those with status report it on /status. */
const BUILTIN: StandInType[] = [
  { ...Resources.Deployment, statusSubresource: true },
  { ...Resources.Service, statusSubresource: true },
  { ...Resources.Pod, statusSubresource: true },
  { ...Resources.Event, statusSubresource: false },
  { ...Resources.Job, statusSubresource: true },
  { ...Resources.Ingress, statusSubresource: true },
  { ...Resources.HTTPRoute, statusSubresource: true },
  { ...Resources.PodDisruptionBudget, statusSubresource: true },
  { ...Resources.HorizontalPodAutoscaler, statusSubresource: true },
  { ...Resources.Lease, statusSubresource: false },
];

interface Crd {
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: Array<{
      name: string;
      subresources?: { status?: object };
      schema: { openAPIV3Schema: OpenApiSchema };
    }>;
  };
}

/** The chart's CRDs as served types, validated by their structural schemas as a real server would. */
function customTypes(): StandInType[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return (loadCrds() as unknown as Crd[]).flatMap((crd) =>
    crd.spec.versions.map((version) => {
      const check = ajv.compile(toJsonSchema(version.schema.openAPIV3Schema));
      return {
        group: crd.spec.group,
        version: version.name,
        plural: crd.spec.names.plural,
        kind: crd.spec.names.kind,
        statusSubresource: Boolean(version.subresources?.status),
        validate: (object: KubeObject) =>
          check(object)
            ? []
            : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`),
      };
    }),
  );
}

/** A running stand-in and a kubeconfig pointing at it. */
export interface StandIn {
  server: StandInApiServer;
  config: KubeConfig;
  close(): Promise<void>;
}

/**
 * Starts the stand-in with a simulated Deployment controller whose pods are always
 * healthy: it reports every desired replica ready once it observed a new generation.
 */
export async function startStandIn(
  options: { maxWatchSeconds?: number; bookmarkIntervalMs?: number } = {},
): Promise<StandIn> {
  const server = new StandInApiServer({
    types: [...BUILTIN, ...customTypes()],
    maxWatchSeconds: options.maxWatchSeconds ?? 5,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 500,
  });
  server.onWrite = (type, object, deleted) => {
    if (deleted || type.kind !== 'Deployment') return;
    const status = (object.status ?? {}) as { observedGeneration?: number };
    if (status.observedGeneration === object.metadata.generation) return;
    setImmediate(() => {
      const current = server.store.get(
        'apps/v1/deployments',
        object.metadata.namespace ?? '',
        object.metadata.name,
      );
      if (!current) return;
      const replicas = (current.spec as { replicas?: number }).replicas ?? 1;
      const ready = {
        observedGeneration: current.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
      };
      const saved = server.store.replace(
        'apps/v1/deployments',
        type,
        { ...current, status: ready },
        'kube-controller-manager',
        'status',
      );
      server.onWrite(type, saved, false);
    });
  };
  const url = await server.listen();
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'stand-in', server: url, skipTLSVerify: true }],
    users: [{ name: 'stand-in' }],
    contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'stand-in' }],
    currentContext: 'stand-in',
  });
  return { server, config, close: () => server.close() };
}
