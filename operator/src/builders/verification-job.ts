import type { V1Job } from '@kubernetes/client-node';
import type { FaceModel } from '../api/face-model.js';
import type { OwnerReference } from '../api/object-meta.js';
import { FETCH_CONTAINER, fetchContainer } from './model-bundle.js';
import { restrictedPodSecurityContext } from './security.js';

/** Name of the Job that fetches and checks a FaceModel's bundle. */
export function verificationJobName(model: string): string {
  return `${model}-verify`.slice(0, 63).replace(/-+$/, '');
}

/**
 * A Job running the same fetch-and-check container as the pods, without unpacking:
 * the FaceModel is Verified exactly when a pod would accept the bundle.
 */
export function buildVerificationJob(
  model: FaceModel,
  owner: OwnerReference,
  fetcherImage: string,
): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: verificationJobName(model.metadata.name),
      namespace: model.metadata.namespace ?? 'default',
      labels: {
        'app.kubernetes.io/managed-by': 'silentid-operator',
        'silentid.dev/facemodel': model.metadata.name,
      },
      ownerReferences: [owner],
    },
    spec: {
      // Retries cover a flaky network (curl's exit codes); a checksum mismatch
      // (sha256sum -c exits 1) never heals, so it fails the Job at once and the
      // FaceModel reports it without waiting out the back-off.
      backoffLimit: 2,
      podFailurePolicy: {
        rules: [
          {
            action: 'FailJob',
            onExitCodes: { containerName: FETCH_CONTAINER, operator: 'In', values: [1] },
          },
        ],
      },
      activeDeadlineSeconds: 1800,
      template: {
        metadata: { labels: { 'silentid.dev/facemodel': model.metadata.name } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(),
          containers: [fetchContainer(model, fetcherImage, false)],
          volumes: [{ name: 'fetch-tmp', emptyDir: { sizeLimit: '2Gi' } }],
        },
      },
    },
  };
}
