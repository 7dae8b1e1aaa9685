import { Controller, type ControllerOptions } from './controller/controller.js';
import { DemandStore } from './controller/demand-store.js';
import { EventRecorder } from './controller/event-recorder.js';
import { FaceModelReconciler } from './controller/face-model-reconciler.js';
import type { MetricsSource } from './controller/metrics-source.js';
import { VerificationServiceReconciler } from './controller/verification-service-reconciler.js';
import type { OperatorSettings } from './builders/pod-template.js';
import type { KubeObject } from './api/object-meta.js';
import type { KubeClient } from './kube/kube-client.js';
import type { ResourceType } from './kube/resource-types.js';
import type { OperatorMetrics } from './observability/metrics.js';

/** Everything the operator needs from its environment. */
export interface OperatorOptions extends ControllerOptions {
  client: KubeClient;
  metrics: MetricsSource;
  settings: OperatorSettings;
  autoscaleIntervalMs: number;
  now?: () => Date;
}

/** Wires reconcilers and the controller; the composition root shared by main and tests. */
export function createOperator(options: OperatorOptions): Controller {
  const now = options.now ?? (() => new Date());
  const client = options.operatorMetrics
    ? countingStatusWrites(options.client, options.operatorMetrics)
    : options.client;
  const events = new EventRecorder(client, 'silentid-operator', options.log);
  const services = new VerificationServiceReconciler({
    client,
    events,
    metrics: options.metrics,
    demand: new DemandStore(),
    settings: options.settings,
    now,
    autoscaleIntervalMs: options.autoscaleIntervalMs,
  });
  const models = new FaceModelReconciler(client, events, options.settings.fetcherImage, now);
  return new Controller(client, services, models, options);
}

/** The client, counting every status write it sends by kind. */
function countingStatusWrites(client: KubeClient, metrics: OperatorMetrics): KubeClient {
  return Object.assign(Object.create(client) as KubeClient, {
    applyStatus: (type: ResourceType, object: KubeObject) => {
      if (type.kind === 'VerificationService' || type.kind === 'FaceModel')
        metrics.statusWritten(type.kind);
      return client.applyStatus(type, object);
    },
  });
}
