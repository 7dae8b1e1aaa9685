import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from './kube-schema.js';
import { builtinModel, service } from '../fixtures.js';
import type { KubeObject } from '../../src/api/object-meta.js';

test('a malformed built-in object is rejected', async () => {
  const bad = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { ports: [{ port: 'eighty' }] },
  } as unknown as KubeObject;
  await assert.rejects(validateObject(bad), /port/);
});

test('custom resources are checked against the chart CRDs', async () => {
  await validateObject(builtinModel('v1') as unknown as KubeObject);
  await validateObject(service('face', 'v1') as unknown as KubeObject);
  const badSha = {
    ...builtinModel('v1'),
    spec: { version: 'v1', source: { uri: 'https://x/b.tgz', sha256: 'nope' } },
  };
  await assert.rejects(validateObject(badSha as unknown as KubeObject), /sha256/);
  const unknownField = service('face', 'v1');
  (unknownField.spec as unknown as Record<string, unknown>).replicaz = 3;
  await assert.rejects(validateObject(unknownField as unknown as KubeObject), /additional/);
});
