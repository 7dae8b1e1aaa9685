import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import type { ExposureSpec } from '../api/verification-service.js';
import type { KubeObject, OwnerReference } from '../api/object-meta.js';
import { commonLabels, trackSelector, type Track } from './labels.js';
import { HTTP_PORT_NAME } from './pod-template.js';
import { LABEL_SERVICE } from '../api/group.js';

/** Identity shared by every object a VerificationService exposes. */
export interface ExposureInput {
  namespace: string;
  service: string;
  owner: OwnerReference;
  exposure: ExposureSpec;
}

function meta(input: ExposureInput, name: string) {
  return {
    name,
    namespace: input.namespace,
    labels: commonLabels(input.service),
    ownerReferences: [input.owner],
  };
}

/** Port the Services listen on. */
export function servicePort(exposure: ExposureSpec): number {
  return exposure.service?.port ?? 80;
}

/**
 * The main Service selects both tracks, so without a Gateway route the traffic share
 * follows the replica ratio; per-track Services exist only as HTTPRoute backends.
 */
export function buildService(input: ExposureInput, track?: Track): V1Service {
  const name = track ? `${input.service}-${track}` : input.service;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(input, name),
    spec: {
      type: track ? 'ClusterIP' : (input.exposure.service?.type ?? 'ClusterIP'),
      selector: track ? trackSelector(input.service, track) : { [LABEL_SERVICE]: input.service },
      ports: [
        {
          name: 'http',
          port: servicePort(input.exposure),
          targetPort: HTTP_PORT_NAME,
          protocol: 'TCP',
        },
      ],
    },
  };
}

/** The Ingress in front of the main Service. */
export function buildIngress(input: ExposureInput): V1Ingress | undefined {
  const ingress = input.exposure.ingress;
  if (!ingress) return undefined;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      ...meta(input, input.service),
      ...(ingress.annotations ? { annotations: ingress.annotations } : {}),
    },
    spec: {
      ...(ingress.className ? { ingressClassName: ingress.className } : {}),
      ...(ingress.tlsSecretName
        ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] }
        : {}),
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: ingress.path ?? '/',
                pathType: 'Prefix',
                backend: { service: { name: input.service, port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/** The HTTPRoute splitting traffic between the track Services by weight (percent to canary). */
export function buildHttpRoute(input: ExposureInput, canaryWeight: number): KubeObject | undefined {
  const route = input.exposure.httpRoute;
  if (!route) return undefined;
  const port = servicePort(input.exposure);
  const backends = [{ name: `${input.service}-stable`, port, weight: 100 - canaryWeight }];
  if (canaryWeight > 0)
    backends.push({ name: `${input.service}-canary`, port, weight: canaryWeight });
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta(input, input.service),
    spec: {
      parentRefs: route.parentRefs,
      ...(route.hostnames ? { hostnames: route.hostnames } : {}),
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: backends }],
    },
  };
}
