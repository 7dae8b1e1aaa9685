import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromFieldsV1, recordUpdate, serverSideApply, toFieldsV1 } from './managed-fields.js';

const base = {
  apiVersion: 'v1',
  kind: 'X',
  metadata: { name: 'a' },
  spec: { replicas: 2, image: 'one' },
};

test('applying fields owned by another manager with a different value conflicts unless forced', () => {
  const first = serverSideApply({}, [], base, 'operator', 'main', false);
  const edit = { ...base, spec: { image: 'two' } };
  const clash = serverSideApply(first.object, first.owners, edit, 'human', 'main', false);
  assert.deepEqual(clash.conflicts, [{ manager: 'operator', path: 'spec.image' }]);
  const forced = serverSideApply(first.object, first.owners, edit, 'human', 'main', true);
  assert.equal((forced.object.spec as { image: string }).image, 'two');
  const back = serverSideApply(forced.object, forced.owners, base, 'operator', 'main', true);
  assert.equal((back.object.spec as { image: string }).image, 'one');
});

test('equal values are shared without conflict', () => {
  const first = serverSideApply({}, [], base, 'operator', 'main', false);
  const same = serverSideApply(
    first.object,
    first.owners,
    { ...base, spec: { image: 'one' } },
    'human',
    'main',
    false,
  );
  assert.deepEqual(same.conflicts, []);
});

test('a field the manager stops applying is removed unless another manager owns it', () => {
  const first = serverSideApply({}, [], base, 'operator', 'main', false);
  const dropped = serverSideApply(
    first.object,
    first.owners,
    { ...base, spec: { image: 'one' } },
    'operator',
    'main',
    false,
  );
  assert.equal((dropped.object.spec as { replicas?: number }).replicas, undefined);
  const hpa = recordUpdate(
    first.object,
    { ...first.object, spec: { replicas: 5, image: 'one' } },
    first.owners,
    'hpa',
    'main',
  );
  const kept = serverSideApply(
    { ...first.object, spec: { replicas: 5, image: 'one' } },
    hpa,
    { ...base, spec: { image: 'one' } },
    'operator',
    'main',
    false,
  );
  assert.equal((kept.object.spec as { replicas?: number }).replicas, 5);
});

test('status applies never touch spec', () => {
  const first = serverSideApply({}, [], base, 'operator', 'main', false);
  const status = serverSideApply(
    first.object,
    first.owners,
    { ...base, spec: { image: 'zzz' }, status: { ready: true } },
    'operator',
    'status',
    false,
  );
  assert.equal((status.object.spec as { image: string }).image, 'one');
  assert.deepEqual(status.object.status, { ready: true });
});

test('fieldsV1 round-trips', () => {
  const paths = [
    ['spec', 'replicas'],
    ['metadata', 'labels', 'a.b/c'],
  ];
  assert.deepEqual(fromFieldsV1(toFieldsV1(paths)), paths);
});
