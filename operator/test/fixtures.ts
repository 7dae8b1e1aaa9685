import type { FaceModel } from '../src/api/face-model.js';
import type { VerificationService } from '../src/api/verification-service.js';
import { resolveSpec, type ResolvedSpec } from '../src/api/defaults.js';
import type { OwnerReference } from '../src/api/object-meta.js';

/** A built-in FaceModel named `name` with version `version`. */
export function builtinModel(name: string, version = name): FaceModel {
  return {
    apiVersion: 'silentid.dev/v1alpha1',
    kind: 'FaceModel',
    metadata: { name, namespace: 'default' },
    spec: { version, builtin: { name: 'faceplugin', version } },
  };
}

/** A remote FaceModel fetched from an https URL. */
export function remoteModel(name: string): FaceModel {
  return {
    apiVersion: 'silentid.dev/v1alpha1',
    kind: 'FaceModel',
    metadata: { name, namespace: 'default' },
    spec: {
      version: name,
      source: { uri: `https://models.example/${name}.tgz`, sha256: 'a'.repeat(64) },
    },
  };
}

/** A VerificationService manifest with short rollout steps. */
export function service(
  name: string,
  modelRef: string,
  overrides: Partial<VerificationService['spec']> = {},
): VerificationService {
  return {
    apiVersion: 'silentid.dev/v1alpha1',
    kind: 'VerificationService',
    metadata: { name, namespace: 'default' },
    spec: {
      modelRef,
      image: 'ghcr.io/silentid/verifier:test',
      replicas: 4,
      keyRing: { secretName: 'silentid-keys' },
      rollout: {
        steps: [25, 50],
        pauseSeconds: 1,
        analysis: {
          maxErrorRate: 0.05,
          maxP95LatencySeconds: 2,
          maxLivenessPassRateDelta: 0.1,
          maxLivenessScoreDrift: 0.1,
          minRequests: 10,
        },
      },
      ...overrides,
    },
  };
}

/** The resolved spec of `service(...)`. */
export function resolved(overrides: Partial<VerificationService['spec']> = {}): ResolvedSpec {
  return resolveSpec(service('face', 'v1', overrides).spec);
}

export const OWNER: OwnerReference = {
  apiVersion: 'silentid.dev/v1alpha1',
  kind: 'VerificationService',
  name: 'face',
  uid: '00000000-0000-0000-0000-000000000001',
  controller: true,
  blockOwnerDeletion: true,
};

/** Prometheus text a verifier pod of `version` could serve. */
export function metricsText(
  version: string,
  o: {
    ok: number;
    errors: number;
    passed: number;
    failed: number;
    meanScore: number;
    slow?: boolean;
    inflight?: number;
  },
): string {
  const total = o.ok + o.errors;
  const fast = o.slow ? 0 : total;
  return [
    '# HELP silentid_requests_total Requests by route, API code and model version.',
    '# TYPE silentid_requests_total counter',
    `silentid_requests_total{route="/verify",code="1000",model_version="${version}"} ${o.ok}`,
    `silentid_requests_total{route="/verify",code="5000",model_version="${version}"} ${o.errors}`,
    '# TYPE silentid_request_duration_seconds histogram',
    `silentid_request_duration_seconds_bucket{route="/verify",model_version="${version}",le="0.5"} ${fast}`,
    `silentid_request_duration_seconds_bucket{route="/verify",model_version="${version}",le="5"} ${total}`,
    `silentid_request_duration_seconds_bucket{route="/verify",model_version="${version}",le="+Inf"} ${total}`,
    `silentid_request_duration_seconds_sum{route="/verify",model_version="${version}"} 1`,
    `silentid_request_duration_seconds_count{route="/verify",model_version="${version}"} ${total}`,
    `silentid_liveness_decisions_total{model_version="${version}",passed="true"} ${o.passed}`,
    `silentid_liveness_decisions_total{model_version="${version}",passed="false"} ${o.failed}`,
    `silentid_liveness_score_sum{model_version="${version}"} ${o.meanScore * (o.passed + o.failed)}`,
    `silentid_liveness_score_count{model_version="${version}"} ${o.passed + o.failed}`,
    `silentid_inflight_requests ${o.inflight ?? 0}`,
    'silentid_queue_depth 0',
    '',
  ].join('\n');
}
