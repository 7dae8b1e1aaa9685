import { Controller, type ControllerOptions } from './controller/controller.js';
import { DemandStore } from './controller/demand-store.js';
import { EventRecorder } from './controller/event-recorder.js';
import { FaceModelReconciler } from './controller/face-model-reconciler.js';
import type { MetricsSource } from './controller/metrics-source.js';
import { VerificationServiceReconciler } from './controller/verification-service-reconciler.js';
import type { OperatorSettings } from './builders/pod-template.js';
import type { KubeClient } from './kube/kube-client.js';

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
  const events = new EventRecorder(options.client, 'silentid-operator', options.log);
  const services = new VerificationServiceReconciler({
    client: options.client,
    events,
    metrics: options.metrics,
    demand: new DemandStore(),
    settings: options.settings,
    now,
    autoscaleIntervalMs: options.autoscaleIntervalMs,
  });
  const models = new FaceModelReconciler(
    options.client,
    events,
    options.settings.fetcherImage,
    now,
  );
  return new Controller(options.client, services, models, options);
}
