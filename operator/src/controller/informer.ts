import { setTimeout } from 'node:timers/promises';
import type { KubeObject } from '../api/object-meta.js';
import type { KubeClient } from '../kube/kube-client.js';
import { isGone } from '../kube/kube-error.js';
import type { ResourceType } from '../kube/resource-types.js';

/** Called for every object that appeared, changed or disappeared. */
export type ChangeHandler = (object: KubeObject, deleted: boolean) => void;

/** The cache key of an object: namespace/name. */
export function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/**
 * List, then watch from the list's resourceVersion, forever: bookmarks advance the
 * version without objects, a closed stream resumes from the last version seen, and a
 * 410 Gone starts over with a fresh list (reporting deletions that happened meanwhile).
 */
export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private resourceVersion = '';
  private synced = false;

  constructor(
    private readonly client: KubeClient,
    private readonly type: ResourceType,
    private readonly onChange: ChangeHandler,
    private readonly labelSelector?: string,
    private readonly retryMs = 1000,
    private readonly maxRetryMs = 30_000,
  ) {}

  /** True once the first list has been delivered. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** The cached object, if any. */
  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  /** Every cached object. */
  objects(): KubeObject[] {
    return [...this.cache.values()];
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.client.list(
      this.type,
      undefined,
      this.labelSelector,
    );
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      this.cache.set(key, item);
      this.onChange(item, false);
    }
    for (const [key, object] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.onChange(object, true);
      }
    }
    this.resourceVersion = resourceVersion;
    this.synced = true;
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist();
        await this.client.watch(
          this.type,
          undefined,
          this.resourceVersion,
          (event) => {
            this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
            if (event.type === 'BOOKMARK') return;
            const key = keyOf(event.object);
            if (event.type === 'DELETED') this.cache.delete(key);
            else this.cache.set(key, event.object);
            this.onChange(event.object, event.type === 'DELETED');
          },
          signal,
          this.labelSelector,
        );
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        if (isGone(error)) {
          this.resourceVersion = '';
          continue;
        }
        // Back off: a kind the cluster does not serve (HTTPRoute without Gateway API) keeps failing.
        failures += 1;
        // Abortable, so a stopping operator does not wait out a 30 s backoff.
        await setTimeout(Math.min(this.maxRetryMs, this.retryMs * 2 ** (failures - 1)), undefined, {
          signal,
        }).catch(() => undefined);
      }
    }
  }
}
