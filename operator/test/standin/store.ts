import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../src/api/object-meta.js';
import {
  fromFieldsV1,
  recordUpdate,
  serverSideApply,
  toFieldsV1,
  type FieldOwnership,
} from './managed-fields.js';

/** A served resource: its REST path segments and behaviour. */
export interface StandInType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  /** Writes to the main resource ignore status, and status has its own endpoint. */
  statusSubresource: boolean;
  /** Validates a whole object on create and update; returns error messages. */
  validate?: (object: KubeObject) => string[];
}

/** A failure shaped as the API server's Status object. */
export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** One watch event in a type's history. */
export interface StoredEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

type Listener = (typeKey: string, event: StoredEvent) => void;

/** The stand-in's etcd: objects, one resourceVersion counter, per-type history, owner GC. */
export class Store {
  private rv = 100;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<Listener>();
  /** Oldest resourceVersion still in history; watches from before it get 410 Gone. */
  private compactedBefore = 0;

  constructor(private readonly historyLimit = 10_000) {}

  get currentRv(): number {
    return this.rv;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops all history, as etcd compaction does; older watches must relist. */
  compact(): void {
    this.compactedBefore = this.rv;
    for (const events of this.history.values()) events.length = 0;
  }

  isCompacted(rv: number): boolean {
    return rv < this.compactedBefore;
  }

  eventsSince(typeKey: string, rv: number): StoredEvent[] {
    return (this.history.get(typeKey) ?? []).filter((e) => e.rv > rv);
  }

  list(typeKey: string, namespace?: string): KubeObject[] {
    return [...(this.objects.get(typeKey)?.values() ?? [])].filter(
      (o) => !namespace || o.metadata.namespace === namespace,
    );
  }

  get(typeKey: string, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(typeKey)?.get(`${namespace}/${name}`);
  }

  private emit(typeKey: string, type: StoredEvent['type'], object: KubeObject): void {
    const event = { rv: this.rv, type, object: structuredClone(object) };
    const events = this.history.get(typeKey) ?? [];
    events.push(event);
    if (events.length > this.historyLimit) {
      this.compactedBefore = events[0]!.rv;
      events.shift();
    }
    this.history.set(typeKey, events);
    for (const listener of this.listeners) listener(typeKey, event);
  }

  private owners(object: KubeObject): FieldOwnership[] {
    const entries =
      (
        object.metadata as {
          managedFields?: Array<{
            manager: string;
            operation: 'Apply' | 'Update';
            subresource?: string;
            fieldsV1: Record<string, unknown>;
          }>;
        }
      ).managedFields ?? [];
    return entries.map((e) => ({
      manager: e.manager,
      operation: e.operation,
      ...(e.subresource ? { subresource: e.subresource } : {}),
      paths: fromFieldsV1(e.fieldsV1),
    }));
  }

  private withOwners(object: KubeObject, owners: FieldOwnership[]): KubeObject {
    const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const managedFields = owners.map((o) => ({
      manager: o.manager,
      operation: o.operation,
      apiVersion: object.apiVersion,
      time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(o.paths),
      ...(o.subresource ? { subresource: o.subresource } : {}),
    }));
    return { ...object, metadata: { ...object.metadata, managedFields } as KubeObject['metadata'] };
  }

  private validate(type: StandInType, object: KubeObject): void {
    const errors = type.validate?.(object) ?? [];
    if (errors.length > 0)
      throw new ApiFailure(
        422,
        'Invalid',
        `${type.kind} "${object.metadata.name}" is invalid: ${errors.join('; ')}`,
      );
  }

  private save(
    typeKey: string,
    type: StandInType,
    before: KubeObject | undefined,
    after: KubeObject,
  ): KubeObject {
    const specOf = (o: KubeObject): unknown =>
      Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'metadata' && k !== 'status'));
    if (before && isDeepStrictEqual(this.strip(before), this.strip(after))) return before;
    this.validate(type, after);
    this.rv += 1;
    const generation = before
      ? (before.metadata.generation ?? 1) +
        (isDeepStrictEqual(specOf(before), specOf(after)) ? 0 : 1)
      : 1;
    const saved: KubeObject = {
      ...after,
      metadata: { ...after.metadata, resourceVersion: String(this.rv), generation },
    };
    const map = this.objects.get(typeKey) ?? new Map<string, KubeObject>();
    map.set(`${saved.metadata.namespace}/${saved.metadata.name}`, saved);
    this.objects.set(typeKey, map);
    this.emit(typeKey, before ? 'MODIFIED' : 'ADDED', saved);
    return saved;
  }

  /** The object without server bookkeeping, to detect no-op writes (which keep resourceVersion). */
  private strip(object: KubeObject): unknown {
    const {
      resourceVersion: _rv,
      managedFields: _mf,
      ...meta
    } = object.metadata as KubeObject['metadata'] & { managedFields?: unknown };
    return { ...object, metadata: meta };
  }

  private fresh(object: KubeObject): KubeObject {
    const creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      ...object,
      metadata: {
        ...object.metadata,
        namespace: object.metadata.namespace ?? '',
        uid: randomUUID(),
        creationTimestamp,
      },
    };
  }

  create(typeKey: string, type: StandInType, object: KubeObject, manager: string): KubeObject {
    const { namespace = '', name } = object.metadata;
    if (this.get(typeKey, namespace, name))
      throw new ApiFailure(409, 'AlreadyExists', `${type.plural} "${name}" already exists`);
    const fresh = this.fresh(object);
    if (type.statusSubresource) delete fresh.status;
    return this.save(
      typeKey,
      type,
      undefined,
      this.withOwners(fresh, recordUpdate(undefined, fresh, [], manager, 'main')),
    );
  }

  /** PUT: requires the current resourceVersion when one is given, as optimistic concurrency demands. */
  replace(
    typeKey: string,
    type: StandInType,
    object: KubeObject,
    manager: string,
    scope: 'main' | 'status',
  ): KubeObject {
    const { namespace = '', name } = object.metadata;
    const existing = this.get(typeKey, namespace, name);
    if (!existing) throw new ApiFailure(404, 'NotFound', `${type.plural} "${name}" not found`);
    if (
      object.metadata.resourceVersion &&
      object.metadata.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw new ApiFailure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${type.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const merged = this.scoped(type, existing, object, scope);
    return this.save(
      typeKey,
      type,
      existing,
      this.withOwners(
        merged,
        recordUpdate(existing, merged, this.owners(existing), manager, scope),
      ),
    );
  }

  /** Keeps what a write to one endpoint may not change: status on main, everything but status on /status. */
  private scoped(
    type: StandInType,
    existing: KubeObject,
    incoming: KubeObject,
    scope: 'main' | 'status',
  ): KubeObject {
    const identity = {
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      namespace: existing.metadata.namespace,
      name: existing.metadata.name,
    };
    if (scope === 'status') return { ...existing, status: incoming.status };
    const merged: KubeObject = { ...incoming, metadata: { ...incoming.metadata, ...identity } };
    if (type.statusSubresource) {
      if (existing.status === undefined) delete merged.status;
      else merged.status = existing.status;
    }
    return merged;
  }

  /** Server-side apply; creates the object when absent. */
  apply(
    typeKey: string,
    type: StandInType,
    applied: KubeObject,
    manager: string,
    force: boolean,
    scope: 'main' | 'status',
  ): KubeObject {
    const { namespace = '', name } = applied.metadata;
    const existing = this.get(typeKey, namespace, name);
    if (!existing && scope === 'status')
      throw new ApiFailure(404, 'NotFound', `${type.plural} "${name}" not found`);
    const base =
      existing ??
      this.fresh({
        apiVersion: applied.apiVersion,
        kind: applied.kind,
        metadata: { name, namespace },
      });
    const result = serverSideApply(
      base as unknown as Record<string, unknown>,
      this.owners(base),
      applied as unknown as Record<string, unknown>,
      manager,
      scope,
      force,
    );
    if (result.conflicts.length > 0) {
      const list = result.conflicts
        .map((c) => `conflict with "${c.manager}": .${c.path}`)
        .join('\n');
      throw new ApiFailure(
        409,
        'Conflict',
        `Apply failed with ${result.conflicts.length} conflict(s):\n${list}`,
      );
    }
    return this.save(
      typeKey,
      type,
      existing,
      this.withOwners(result.object as unknown as KubeObject, result.owners),
    );
  }

  /** Deletes an object; dependents are collected afterwards, like background propagation. */
  delete(typeKey: string, type: StandInType, namespace: string, name: string): KubeObject {
    const existing = this.get(typeKey, namespace, name);
    if (!existing) throw new ApiFailure(404, 'NotFound', `${type.plural} "${name}" not found`);
    this.objects.get(typeKey)!.delete(`${namespace}/${name}`);
    this.rv += 1;
    const gone = {
      ...existing,
      metadata: { ...existing.metadata, resourceVersion: String(this.rv) },
    };
    this.emit(typeKey, 'DELETED', gone);
    return gone;
  }

  /** Objects (with their type keys) whose ownerReferences name `uid`. */
  dependentsOf(uid: string): Array<[string, KubeObject]> {
    const found: Array<[string, KubeObject]> = [];
    for (const [typeKey, map] of this.objects) {
      for (const object of map.values())
        if (object.metadata.ownerReferences?.some((r) => r.uid === uid))
          found.push([typeKey, object]);
    }
    return found;
  }
}
