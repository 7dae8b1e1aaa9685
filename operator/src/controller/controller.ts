import { LABEL_SERVICE } from '../api/group.js';
import type { KubeObject } from '../api/object-meta.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { OperatorMetrics, ReconcileKind } from '../observability/metrics.js';
import { Resources, type ResourceType } from '../kube/resource-types.js';
import type { FaceModelReconciler } from './face-model-reconciler.js';
import { Informer, keyOf } from './informer.js';
import type { VerificationServiceReconciler } from './verification-service-reconciler.js';
import { WorkQueue, type BackoffOptions } from './work-queue.js';

/** The kinds a VerificationService owns; a change to any of them re-reconciles the owner. */
const CHILD_TYPES: ResourceType[] = [
  Resources.Deployment,
  Resources.Service,
  Resources.Ingress,
  Resources.HTTPRoute,
  Resources.PodDisruptionBudget,
  Resources.HorizontalPodAutoscaler,
];

export interface ControllerOptions {
  workers: number;
  backoff?: BackoffOptions;
  log?: (message: string) => void;
  /** Kinds not served by this cluster (e.g. HTTPRoute without Gateway API) are skipped. */
  childTypes?: ResourceType[];
  /** The operator's own metrics (reconciles, failures, status writes), when exposed. */
  operatorMetrics?: OperatorMetrics;
}

/**
 * Watches, queues, and hands keys to the reconcilers. Queue keys are prefixed by kind
 * (`vs:` or `fm:`) so one queue serves both without a key of one ever shadowing the other.
 */
export class Controller {
  private readonly queue: WorkQueue;
  private readonly services: Informer;

  constructor(
    private readonly client: KubeClient,
    private readonly serviceReconciler: VerificationServiceReconciler,
    private readonly modelReconciler: FaceModelReconciler,
    private readonly options: ControllerOptions,
  ) {
    this.queue = new WorkQueue(options.backoff);
    this.services = new Informer(client, Resources.VerificationService, (object) =>
      this.queue.add(`vs:${keyOf(object)}`),
    );
  }

  private modelChanged(model: KubeObject): void {
    this.queue.add(`fm:${keyOf(model)}`);
    // Every service that serves, rolls out or waits for this model must look again.
    for (const service of this.services.objects()) {
      if (service.metadata.namespace !== model.metadata.namespace) continue;
      const spec = service.spec as { modelRef?: string };
      const status = (service.status ?? {}) as { stableModel?: string; canaryModel?: string };
      if ([spec.modelRef, status.stableModel, status.canaryModel].includes(model.metadata.name))
        this.queue.add(`vs:${keyOf(service)}`);
    }
  }

  private childChanged(child: KubeObject): void {
    const owner = child.metadata.labels?.[LABEL_SERVICE];
    if (owner) this.queue.add(`vs:${child.metadata.namespace ?? ''}/${owner}`);
  }

  /** Runs informers and workers until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const informers = [
      this.services,
      new Informer(this.client, Resources.FaceModel, (object) => this.modelChanged(object)),
      new Informer(
        this.client,
        Resources.Job,
        (object) => {
          const model = object.metadata.labels?.['silentid.dev/facemodel'];
          if (model) this.queue.add(`fm:${object.metadata.namespace ?? ''}/${model}`);
        },
        'app.kubernetes.io/managed-by=silentid-operator',
      ),
      ...(this.options.childTypes ?? CHILD_TYPES).map(
        (type) =>
          new Informer(
            this.client,
            type,
            (object) => this.childChanged(object),
            'app.kubernetes.io/managed-by=silentid-operator',
          ),
      ),
    ];
    signal.addEventListener('abort', () => this.queue.stop(), { once: true });
    const running = informers.map((informer) => informer.run(signal));
    const workers = Array.from({ length: this.options.workers }, () => this.work());
    await Promise.all([...running, ...workers]);
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.take(); key !== undefined; key = await this.queue.take()) {
      try {
        const [kind, rest] = [key.slice(0, 2), key.slice(3)];
        const slash = rest.indexOf('/');
        const [namespace, name] = [rest.slice(0, slash), rest.slice(slash + 1)];
        if (kind === 'fm') {
          await this.modelReconciler.reconcile(namespace, name);
        } else {
          const result = await this.serviceReconciler.reconcile(namespace, name);
          if (result.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
        }
        this.options.operatorMetrics?.reconciled(kindOf(key), true);
        this.queue.forget(key);
      } catch (error) {
        this.options.operatorMetrics?.reconciled(kindOf(key), false);
        const delay = this.queue.retry(key);
        this.options.log?.(
          `reconcile ${key} failed, retrying in ${delay} ms: ${(error as Error).message}`,
        );
      } finally {
        this.queue.done(key);
      }
    }
  }
}

function kindOf(key: string): ReconcileKind {
  return key.startsWith('fm:') ? 'FaceModel' : 'VerificationService';
}
