import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/object-meta.js';
import type { KubeClient } from '../kube/kube-client.js';
import { Resources } from '../kube/resource-types.js';

/** Records Kubernetes events about an object; failures are logged, never thrown. */
export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly log: (message: string) => void = () => {},
  ) {}

  async record(
    object: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    const namespace = object.metadata.namespace ?? 'default';
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${object.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      reason,
      message: message.slice(0, 1024),
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component },
      reportingComponent: this.component,
    };
    try {
      await this.client.create(Resources.Event, event);
    } catch (error) {
      this.log(
        `event ${reason} on ${object.kind} ${namespace}/${object.metadata.name} not recorded: ${(error as Error).message}`,
      );
    }
  }
}
