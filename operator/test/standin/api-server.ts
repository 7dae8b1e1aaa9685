import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../src/api/object-meta.js';
import { ApiFailure, Store, type StandInType, type StoredEvent } from './store.js';

/** Tunables that let tests exercise reconnects and bookmarks quickly. */
export interface StandInOptions {
  types: StandInType[];
  /** Longest a watch stays open before the server closes it (clients resume). */
  maxWatchSeconds: number;
  bookmarkIntervalMs: number;
}

interface Route {
  type: StandInType;
  typeKey: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

function typeKey(type: StandInType): string {
  return `${type.group}/${type.version}/${type.plural}`;
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

function matches(
  object: KubeObject,
  namespace: string | undefined,
  selector: Array<[string, string]>,
): boolean {
  if (namespace && object.metadata.namespace !== namespace) return false;
  return selector.every(([k, v]) => object.metadata.labels?.[k] === v);
}

function parseSelector(text: string | null): Array<[string, string]> {
  if (!text) return [];
  return text.split(',').map((term) => {
    const [k, v] = term.split('=');
    if (!k || v === undefined || term.includes('!'))
      throw new ApiFailure(400, 'BadRequest', `unsupported label selector ${term}`);
    return [k, v];
  });
}

/**
 * A Kubernetes API server stand-in speaking the REST protocol for exactly the verbs the
 * operator uses: list, watch (resourceVersion, bookmarks, 410 Gone), get, create, PUT
 * with optimistic concurrency, server-side apply with field ownership, status
 * subresources, delete with owner-reference garbage collection.
 */
export class StandInApiServer {
  readonly store = new Store();
  private readonly server: http.Server;
  private readonly types: Map<string, StandInType>;
  private readonly watches = new Set<http.ServerResponse>();
  /** Called after every write, so simulated controllers (kubelet, Deployment controller) can react. */
  onWrite: (type: StandInType, object: KubeObject, deleted: boolean) => void = () => {};

  constructor(private readonly options: StandInOptions) {
    this.types = new Map(options.types.map((t) => [typeKey(t), t]));
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        const failure =
          error instanceof ApiFailure
            ? error
            : new ApiFailure(500, 'InternalError', (error as Error).message);
        if (!res.headersSent) res.writeHead(failure.code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status(failure.code, failure.reason, failure.message)));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const res of this.watches) res.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Closes every open watch, as an API server restart or load balancer would. */
  dropWatches(): void {
    for (const res of this.watches) res.end();
  }

  private route(path: string): Route {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') [group, version, rest] = ['', parts[1] ?? '', parts.slice(2)];
    else if (parts[0] === 'apis')
      [group, version, rest] = [parts[1] ?? '', parts[2] ?? '', parts.slice(3)];
    else throw new ApiFailure(404, 'NotFound', `no route for ${path}`);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = this.types.get(`${group}/${version}/${rest[0]}`);
    if (!type)
      throw new ApiFailure(
        404,
        'NotFound',
        `the server could not find the requested resource (${path})`,
      );
    return { type, typeKey: typeKey(type), namespace, name: rest[1], subresource: rest[2] };
  }

  private async body(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiFailure(
        400,
        'BadRequest',
        'the stand-in accepts JSON bodies only (JSON is valid apply YAML)',
      );
    }
  }

  private send(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const route = this.route(url.pathname);
    const q = url.searchParams;
    const manager =
      q.get('fieldManager') ?? (req.headers['user-agent'] ?? 'unknown').split('/')[0]!;
    const { type, namespace, name } = route;
    if (
      route.subresource !== undefined &&
      (route.subresource !== 'status' || !type.statusSubresource)
    ) {
      throw new ApiFailure(
        404,
        'NotFound',
        `no subresource ${route.subresource} on ${type.plural}`,
      );
    }
    const scope = route.subresource === 'status' ? 'status' : 'main';
    const object = (await this.body(req)) as KubeObject | undefined;
    switch (req.method) {
      case 'GET':
        if (name) {
          const found = this.store.get(route.typeKey, namespace ?? '', name);
          if (!found) throw new ApiFailure(404, 'NotFound', `${type.plural} "${name}" not found`);
          return this.send(res, 200, found);
        }
        if (q.get('watch') === '1' || q.get('watch') === 'true') return this.watch(route, q, res);
        return this.send(res, 200, {
          apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
          kind: `${type.kind}List`,
          metadata: { resourceVersion: String(this.store.currentRv) },
          items: this.store
            .list(route.typeKey, namespace)
            .filter((o) => matches(o, undefined, parseSelector(q.get('labelSelector')))),
        });
      case 'POST': {
        if (!object || name)
          throw new ApiFailure(405, 'MethodNotAllowed', 'POST to a collection only');
        const created = this.store.create(
          route.typeKey,
          type,
          { ...object, metadata: { ...object.metadata, namespace: namespace ?? '' } },
          manager,
        );
        this.onWrite(type, created, false);
        return this.send(res, 201, created);
      }
      case 'PUT': {
        if (!object || !name || object.metadata.name !== name)
          throw new ApiFailure(400, 'BadRequest', 'name in body must match the URL');
        const saved = this.store.replace(
          route.typeKey,
          type,
          { ...object, metadata: { ...object.metadata, namespace: namespace ?? '' } },
          manager,
          scope,
        );
        this.onWrite(type, saved, false);
        return this.send(res, 200, saved);
      }
      case 'PATCH': {
        if (!object || !name)
          throw new ApiFailure(400, 'BadRequest', 'PATCH needs a name and a body');
        const contentType = req.headers['content-type'] ?? '';
        if (!contentType.startsWith('application/apply-patch+yaml'))
          throw new ApiFailure(
            415,
            'UnsupportedMediaType',
            `the stand-in supports server-side apply only, not ${contentType}`,
          );
        if (!q.get('fieldManager'))
          throw new ApiFailure(422, 'Invalid', 'fieldManager is required for apply requests');
        if (object.metadata?.name !== name)
          throw new ApiFailure(400, 'BadRequest', 'name in body must match the URL');
        const saved = this.store.apply(
          route.typeKey,
          type,
          { ...object, metadata: { ...object.metadata, namespace: namespace ?? '' } },
          manager,
          q.get('force') === 'true',
          scope,
        );
        this.onWrite(type, saved, false);
        return this.send(res, 200, saved);
      }
      case 'DELETE': {
        if (!name)
          throw new ApiFailure(405, 'MethodNotAllowed', 'DELETE of a collection is not supported');
        const gone = this.store.delete(route.typeKey, type, namespace ?? '', name);
        this.onWrite(type, gone, true);
        setImmediate(() => this.collectGarbage());
        return this.send(res, 200, gone);
      }
      default:
        throw new ApiFailure(405, 'MethodNotAllowed', `${req.method} is not supported`);
    }
  }

  /** Deletes objects whose every owner is gone, repeatedly, as the garbage collector does. */
  private collectGarbage(): void {
    const liveUids = new Set<string>();
    for (const type of this.types.values())
      for (const o of this.store.list(typeKey(type)))
        if (o.metadata.uid) liveUids.add(o.metadata.uid);
    let removed = false;
    for (const type of this.types.values()) {
      for (const object of this.store.list(typeKey(type))) {
        const owners = object.metadata.ownerReferences ?? [];
        if (owners.length === 0 || owners.some((r) => liveUids.has(r.uid))) continue;
        const gone = this.store.delete(
          typeKey(type),
          type,
          object.metadata.namespace ?? '',
          object.metadata.name,
        );
        this.onWrite(type, gone, true);
        removed = true;
      }
    }
    if (removed) setImmediate(() => this.collectGarbage());
  }

  private watch(route: Route, q: URLSearchParams, res: http.ServerResponse): void {
    const selector = parseSelector(q.get('labelSelector'));
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    const requested = q.get('resourceVersion') ?? '';
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const write = (type: string, object: unknown): void =>
      void res.write(`${JSON.stringify({ type, object })}\n`);
    const since = Number(requested || '0');
    if (requested && requested !== '0' && this.store.isCompacted(since)) {
      write(
        'ERROR',
        status(410, 'Expired', `too old resource version: ${requested} (${this.store.currentRv})`),
      );
      res.end();
      return;
    }
    let last = since;
    const deliver = (event: StoredEvent): void => {
      last = Math.max(last, event.rv);
      if (matches(event.object, route.namespace, selector)) write(event.type, event.object);
    };
    if (!requested || requested === '0') {
      // "Any" version: synthetic ADDED events for the current state, then live.
      for (const object of this.store.list(route.typeKey, route.namespace))
        if (matches(object, undefined, selector)) write('ADDED', object);
      last = this.store.currentRv;
    } else {
      for (const event of this.store.eventsSince(route.typeKey, since)) deliver(event);
    }
    const unsubscribe = this.store.subscribe((key, event) => {
      if (key === route.typeKey && event.rv > last) deliver(event);
    });
    const apiVersion = route.type.group
      ? `${route.type.group}/${route.type.version}`
      : route.type.version;
    const bookmark = bookmarks
      ? setInterval(
          () =>
            write('BOOKMARK', {
              apiVersion,
              kind: route.type.kind,
              metadata: { resourceVersion: String(this.store.currentRv) },
            }),
          this.options.bookmarkIntervalMs,
        )
      : undefined;
    const timeout = Math.min(
      Number(q.get('timeoutSeconds') ?? this.options.maxWatchSeconds),
      this.options.maxWatchSeconds,
    );
    const timer = setTimeout(() => res.end(), timeout * 1000);
    this.watches.add(res);
    res.on('close', () => {
      unsubscribe();
      clearInterval(bookmark);
      clearTimeout(timer);
      this.watches.delete(res);
    });
  }
}
