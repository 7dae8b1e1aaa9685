import type {
  V1PodDisruptionBudget,
  V2HorizontalPodAutoscaler,
  V2MetricSpec,
} from '@kubernetes/client-node';
import type { HpaAutoscaling } from '../api/verification-service.js';
import type { OwnerReference } from '../api/object-meta.js';
import { commonLabels, deploymentName, trackSelector } from './labels.js';

/** Identity of the stable track's scaling objects. */
export interface ScalingInput {
  namespace: string;
  service: string;
  owner: OwnerReference;
}

/** Keeps at least all-but-one stable pods through voluntary disruptions such as node drains. */
export function buildPodDisruptionBudget(input: ScalingInput): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: input.service,
      namespace: input.namespace,
      labels: commonLabels(input.service),
      ownerReferences: [input.owner],
    },
    spec: { maxUnavailable: 1, selector: { matchLabels: trackSelector(input.service, 'stable') } },
  };
}

/** An autoscaling/v2 HPA on the stable Deployment, by CPU or by a pods metric. */
export function buildHpa(
  input: ScalingInput,
  autoscaling: HpaAutoscaling,
): V2HorizontalPodAutoscaler {
  const metrics: V2MetricSpec[] = [];
  if (autoscaling.podsMetric) {
    metrics.push({
      type: 'Pods',
      pods: {
        metric: { name: autoscaling.podsMetric.name },
        target: { type: 'AverageValue', averageValue: autoscaling.podsMetric.averageValue },
      },
    });
  }
  if (autoscaling.cpuUtilization !== undefined || metrics.length === 0) {
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: autoscaling.cpuUtilization ?? 70 },
      },
    });
  }
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: input.service,
      namespace: input.namespace,
      labels: commonLabels(input.service),
      ownerReferences: [input.owner],
    },
    spec: {
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deploymentName(input.service, 'stable'),
      },
      minReplicas: autoscaling.min,
      maxReplicas: autoscaling.max,
      metrics,
    },
  };
}
