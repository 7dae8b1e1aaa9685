import { isDeepStrictEqual } from 'node:util';

/** A field path: the keys from the object root to a leaf. */
export type FieldPath = string[];

/** One manager's owned fields, as the stand-in tracks them. */
export interface FieldOwnership {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  paths: FieldPath[];
}

/** A field another manager owns with a different value. */
export interface FieldConflict {
  manager: string;
  path: string;
}

const IDENTITY = new Set(['apiVersion', 'kind']);
const SERVER_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'managedFields',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Leaf paths of an object within a scope (`status` for the status subresource, all but
 * status otherwise). Lists are atomic leaves: a simplification of SSA's associative
 * lists that gives the same result when one manager writes the whole list.
 */
export function leafPaths(object: unknown, scope: 'main' | 'status'): FieldPath[] {
  const paths: FieldPath[] = [];
  const walk = (value: unknown, path: FieldPath): void => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) {
        if (
          path.length === 0 &&
          (IDENTITY.has(key) || (scope === 'main' ? key === 'status' : key !== 'status'))
        )
          continue;
        if (path.length === 1 && path[0] === 'metadata' && SERVER_META.has(key)) continue;
        walk(child, [...path, key]);
      }
    } else if (path.length > 0) {
      paths.push(path);
    }
  };
  walk(object, []);
  return paths;
}

/** The value at a path, or undefined. */
export function getPath(object: unknown, path: FieldPath): unknown {
  let current = object;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function setPath(object: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let current = object;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(current[key])) current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[path.at(-1)!] = structuredClone(value);
}

function deletePath(object: Record<string, unknown>, path: FieldPath): void {
  const parents: Array<[Record<string, unknown>, string]> = [];
  let current = object;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(current[key])) return;
    parents.push([current, key]);
    current = current[key] as Record<string, unknown>;
  }
  delete current[path.at(-1)!];
  // Drop maps emptied by the removal, as the API server does for fields no one owns.
  for (const [parent, key] of parents.reverse()) {
    if (isPlainObject(parent[key]) && Object.keys(parent[key] as object).length === 0)
      delete parent[key];
    else break;
  }
}

const id = (path: FieldPath): string => JSON.stringify(path);

/** True when one path is the other or contains it. */
function overlaps(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The result of a server-side apply: the merged object and the new ownership. */
export interface ApplyResult {
  object: Record<string, unknown>;
  owners: FieldOwnership[];
  conflicts: FieldConflict[];
}

/**
 * Server-side apply of `applied` by `manager` onto `existing`: conflicts on fields other
 * managers own with different values (taken over when `force`), fields this manager
 * stopped applying are removed unless someone else owns them, and the applied set
 * becomes the manager's.
 */
export function serverSideApply(
  existing: Record<string, unknown>,
  owners: FieldOwnership[],
  applied: Record<string, unknown>,
  manager: string,
  scope: 'main' | 'status',
  force: boolean,
): ApplyResult {
  const object = structuredClone(existing);
  const subresource = scope === 'status' ? 'status' : undefined;
  const mine = (o: FieldOwnership): boolean =>
    o.manager === manager && o.operation === 'Apply' && o.subresource === subresource;
  const appliedPaths = leafPaths(applied, scope);
  const conflicts: FieldConflict[] = [];
  let next = owners.map((o) => ({ ...o, paths: [...o.paths] }));
  for (const owner of next) {
    if (mine(owner)) continue;
    owner.paths = owner.paths.filter((owned) => {
      const clash = appliedPaths.find(
        (p) => overlaps(p, owned) && !isDeepStrictEqual(getPath(existing, p), getPath(applied, p)),
      );
      if (!clash) return true;
      conflicts.push({ manager: owner.manager, path: owned.join('.') });
      return false;
    });
  }
  if (conflicts.length > 0 && !force) return { object: existing, owners, conflicts };
  const previous = next.find(mine)?.paths ?? [];
  const appliedIds = new Set(appliedPaths.map(id));
  for (const path of previous) {
    if (appliedIds.has(id(path))) continue;
    const ownedElsewhere = next.some((o) => !mine(o) && o.paths.some((p) => overlaps(p, path)));
    if (!ownedElsewhere) deletePath(object, path);
  }
  for (const path of appliedPaths) setPath(object, path, getPath(applied, path));
  next = next.filter((o) => !mine(o));
  next.push({
    manager,
    operation: 'Apply',
    ...(subresource ? { subresource } : {}),
    paths: appliedPaths,
  });
  return {
    object,
    owners: next.filter((o) => o.paths.length > 0),
    conflicts: force ? [] : conflicts,
  };
}

/** Ownership after an update (PUT, merge patch, create): changed fields move to `manager`. */
export function recordUpdate(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  owners: FieldOwnership[],
  manager: string,
  scope: 'main' | 'status',
): FieldOwnership[] {
  const subresource = scope === 'status' ? 'status' : undefined;
  const afterPaths = leafPaths(after, scope);
  const beforePaths = before ? leafPaths(before, scope) : [];
  const changed = [...afterPaths, ...beforePaths].filter(
    (p) => !isDeepStrictEqual(getPath(before, p), getPath(after, p)),
  );
  if (changed.length === 0) return owners;
  const next = owners.map((o) => ({
    ...o,
    paths: o.paths.filter((owned) => !changed.some((c) => overlaps(c, owned))),
  }));
  const mine = next.find(
    (o) => o.manager === manager && o.operation === 'Update' && o.subresource === subresource,
  );
  const gained = changed.filter((p) => getPath(after, p) !== undefined);
  if (mine) mine.paths.push(...gained);
  else
    next.push({
      manager,
      operation: 'Update',
      ...(subresource ? { subresource } : {}),
      paths: gained,
    });
  return next.filter((o) => o.paths.length > 0);
}

/** The fieldsV1 form of a set of paths, as metadata.managedFields shows it. */
export function toFieldsV1(paths: FieldPath[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const key of path) node = (node[`f:${key}`] ??= {}) as Record<string, unknown>;
  }
  return root;
}

/** Paths back from fieldsV1. */
export function fromFieldsV1(fields: Record<string, unknown>): FieldPath[] {
  const paths: FieldPath[] = [];
  const walk = (node: Record<string, unknown>, path: FieldPath): void => {
    const keys = Object.keys(node).filter((k) => k.startsWith('f:'));
    if (keys.length === 0 && path.length > 0) paths.push(path);
    for (const key of keys) walk(node[key] as Record<string, unknown>, [...path, key.slice(2)]);
  };
  walk(fields, []);
  return paths;
}
