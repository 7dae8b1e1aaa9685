import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCrds } from '../support/kube-schema.js';
import { DEFAULT_ANALYSIS, DEFAULT_ROLLOUT } from '../../src/api/defaults.js';

type Schema = { default?: unknown; properties?: Record<string, Schema> };

test('the CRD schema declares the same rollout defaults as the operator', () => {
  const crd = loadCrds().find((c) => c.metadata.name === 'verificationservices.silentid.dev')!;
  const root = (crd.spec as { versions: Array<{ schema: { openAPIV3Schema: Schema } }> })
    .versions[0]!.schema.openAPIV3Schema;
  const rollout = root.properties!.spec!.properties!.rollout!;
  assert.deepEqual(rollout.properties!.steps!.default, DEFAULT_ROLLOUT.steps);
  assert.equal(rollout.properties!.pauseSeconds!.default, DEFAULT_ROLLOUT.pauseSeconds);
  const analysis = rollout.properties!.analysis!.properties!;
  for (const [key, value] of Object.entries(DEFAULT_ANALYSIS))
    assert.equal(analysis[key]!.default, value, key);
});
