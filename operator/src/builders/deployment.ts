import type { V1Deployment } from '@kubernetes/client-node';
import type { FaceModel } from '../api/face-model.js';
import type { ResolvedSpec } from '../api/defaults.js';
import type { OwnerReference } from '../api/object-meta.js';
import { deploymentName, podLabels, trackSelector, type Track } from './labels.js';
import { podTemplate, type OperatorSettings } from './pod-template.js';

/** Inputs of a track's Deployment. */
export interface DeploymentInput {
  namespace: string;
  service: string;
  owner: OwnerReference;
  track: Track;
  spec: ResolvedSpec;
  model: FaceModel;
  /** Omitted when an HPA owns the replica count, so the two never fight over the field. */
  replicas: number | undefined;
  settings: OperatorSettings;
}

/** The Deployment of one track. */
export function buildDeployment(input: DeploymentInput): V1Deployment {
  const { service, track, model } = input;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(service, track),
      namespace: input.namespace,
      labels: podLabels(service, track, model.metadata.name),
      ownerReferences: [input.owner],
    },
    spec: {
      ...(input.replicas === undefined ? {} : { replicas: input.replicas }),
      selector: { matchLabels: trackSelector(service, track) },
      revisionHistoryLimit: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: podTemplate(service, track, input.spec, model, input.settings),
    },
  };
}
