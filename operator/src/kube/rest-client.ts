import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../api/group.js';
import type { KubeObject } from '../api/object-meta.js';
import type { KubeClient, ListResult, WatchEvent } from './kube-client.js';
import { KubeError } from './kube-error.js';
import { apiVersionOf, collectionPath, type ResourceType } from './resource-types.js';

interface Request {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * KubeClient over the REST protocol. @kubernetes/client-node supplies kubeconfig
 * loading and credentials (in-cluster token, client certificates, exec plugins); the
 * requests themselves are plain HTTP so that SSA, watch bookmarks and the status
 * subresource are spelled exactly as the API documents them.
 */
export class RestKubeClient implements KubeClient {
  private readonly server: URL;

  constructor(
    private readonly config: KubeConfig,
    private readonly fieldManager = FIELD_MANAGER,
  ) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  /** A client from KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  static fromDefault(fieldManager = FIELD_MANAGER): RestKubeClient {
    const config = new KubeConfig();
    config.loadFromDefault();
    return new RestKubeClient(config, fieldManager);
  }

  private async open(request: Request): Promise<http.IncomingMessage> {
    const url = new URL(this.server.pathname.replace(/\/$/, '') + request.path, this.server);
    for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
    const options: https.RequestOptions = {
      method: request.method,
      headers: { accept: 'application/json' },
    };
    await this.config.applyToHTTPSOptions(options);
    const secure = url.protocol === 'https:';
    if (!secure) delete options.agent;
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    // An explicit length: Node sends DELETE bodies unchunked, which servers cannot frame otherwise.
    if (body !== undefined)
      options.headers = {
        ...options.headers,
        'content-type': request.contentType ?? 'application/json',
        'content-length': Buffer.byteLength(body),
      };
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        url,
        { ...options, ...(request.signal ? { signal: request.signal } : {}) },
        resolve,
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private async call(request: Request): Promise<unknown> {
    const response = await this.open(request);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = response.statusCode ?? 0;
    if (status >= 400) throw toError(status, text);
    return text === '' ? undefined : JSON.parse(text);
  }

  private objectPath(type: ResourceType, namespace: string, name: string): string {
    return `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
  }

  async get(type: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return (await this.call({
        method: 'GET',
        path: this.objectPath(type, namespace, name),
      })) as KubeObject;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return undefined;
      throw error;
    }
  }

  async list(type: ResourceType, namespace?: string, labelSelector?: string): Promise<ListResult> {
    const query: Record<string, string> = labelSelector ? { labelSelector } : {};
    const list = (await this.call({
      method: 'GET',
      path: collectionPath(type, namespace),
      query,
    })) as {
      items: KubeObject[];
      metadata: { resourceVersion: string };
    };
    // List items omit apiVersion and kind on a real server; restore them for callers.
    const items = list.items.map((item) => ({
      ...item,
      apiVersion: apiVersionOf(type),
      kind: type.kind,
    }));
    return { items, resourceVersion: list.metadata.resourceVersion };
  }

  async watch(
    type: ResourceType,
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
    labelSelector?: string,
  ): Promise<void> {
    // A randomised timeout spreads reconnects of many watches over time, as client-go does.
    const query: Record<string, string> = {
      watch: '1',
      resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(240 + Math.floor(Math.random() * 60)),
    };
    if (labelSelector) query.labelSelector = labelSelector;
    let response: http.IncomingMessage;
    try {
      response = await this.open({
        method: 'GET',
        path: collectionPath(type, namespace),
        query,
        signal,
      });
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    if ((response.statusCode ?? 0) >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      throw toError(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
    }
    let buffered = '';
    try {
      for await (const chunk of response) {
        buffered += (chunk as Buffer).toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line === '') continue;
          const event = JSON.parse(line) as {
            type: string;
            object: KubeObject & { code?: number; reason?: string; message?: string };
          };
          if (event.type === 'ERROR')
            throw new KubeError(
              event.object.code ?? 500,
              event.object.reason ?? 'Error',
              event.object.message ?? 'watch error',
            );
          onEvent(event as WatchEvent);
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }

  async create(type: ResourceType, object: KubeObject): Promise<KubeObject> {
    return (await this.call({
      method: 'POST',
      path: collectionPath(type, object.metadata.namespace),
      body: object,
      query: { fieldManager: this.fieldManager },
    })) as KubeObject;
  }

  async replace(type: ResourceType, object: KubeObject): Promise<KubeObject> {
    const path = this.objectPath(type, object.metadata.namespace ?? '', object.metadata.name);
    return (await this.call({
      method: 'PUT',
      path,
      body: object,
      query: { fieldManager: this.fieldManager },
    })) as KubeObject;
  }

  async apply(
    type: ResourceType,
    object: KubeObject,
    options: { force?: boolean; fieldManager?: string } = {},
  ): Promise<KubeObject> {
    const path = this.objectPath(type, object.metadata.namespace ?? '', object.metadata.name);
    const query = {
      fieldManager: options.fieldManager ?? this.fieldManager,
      ...(options.force ? { force: 'true' } : {}),
    };
    return (await this.call({
      method: 'PATCH',
      path,
      body: object,
      query,
      contentType: 'application/apply-patch+yaml',
    })) as KubeObject;
  }

  async applyStatus(type: ResourceType, object: KubeObject): Promise<KubeObject> {
    const path = `${this.objectPath(type, object.metadata.namespace ?? '', object.metadata.name)}/status`;
    const query = { fieldManager: this.fieldManager, force: 'true' };
    return (await this.call({
      method: 'PATCH',
      path,
      body: object,
      query,
      contentType: 'application/apply-patch+yaml',
    })) as KubeObject;
  }

  async delete(type: ResourceType, namespace: string, name: string): Promise<boolean> {
    try {
      await this.call({
        method: 'DELETE',
        path: this.objectPath(type, namespace, name),
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
      });
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return false;
      throw error;
    }
  }

  async proxyPod(namespace: string, pod: string, port: number, path: string): Promise<string> {
    const response = await this.open({
      method: 'GET',
      path: `/api/v1/namespaces/${namespace}/pods/${pod}:${port}/proxy${path}`,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if ((response.statusCode ?? 0) >= 400) throw toError(response.statusCode ?? 0, text);
    return text;
  }
}

function toError(status: number, text: string): KubeError {
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeError(status, body.reason ?? String(status), body.message ?? text);
  } catch {
    return new KubeError(status, String(status), text);
  }
}
