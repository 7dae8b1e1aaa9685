import type { KubeObject } from '../api/object-meta.js';
import type { ResourceType } from './resource-types.js';

/** One event of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: KubeObject;
}

/** A list response: the items and the collection's resourceVersion to watch from. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

/**
 * The verbs the operator uses, and only those. A real API server and the test stand-in
 * both serve them over the same REST protocol; this seam exists so the controller can
 * be read without HTTP in the way.
 */
export interface KubeClient {
  /** Undefined when the object does not exist. */
  get(type: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined>;
  list(type: ResourceType, namespace?: string, labelSelector?: string): Promise<ListResult>;
  /**
   * Streams events after `resourceVersion` until the server closes the stream or `signal`
   * aborts; rejects with a 410 KubeError when that version is too old.
   */
  watch(
    type: ResourceType,
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
    labelSelector?: string,
  ): Promise<void>;
  create(type: ResourceType, object: KubeObject): Promise<KubeObject>;
  /** PUT; fails with 409 when metadata.resourceVersion is stale. */
  replace(type: ResourceType, object: KubeObject): Promise<KubeObject>;
  /** Server-side apply of the fields in `object`, owned by the client's field manager (or `fieldManager`). */
  apply(
    type: ResourceType,
    object: KubeObject,
    options?: { force?: boolean; fieldManager?: string },
  ): Promise<KubeObject>;
  /** Server-side apply on the status subresource. */
  applyStatus(type: ResourceType, object: KubeObject): Promise<KubeObject>;
  /** False when the object was already gone. */
  delete(type: ResourceType, namespace: string, name: string): Promise<boolean>;
  /** GET through the API server's pod proxy, for clients outside the cluster network. */
  proxyPod(namespace: string, pod: string, port: number, path: string): Promise<string>;
}
