import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ANALYSIS, DEFAULT_ROLLOUT, resolveSpec } from './defaults.js';

const minimal = { modelRef: 'm', image: 'i', keyRing: { secretName: 'k' } };

test('a minimal spec gets one replica and the default rollout', () => {
  const spec = resolveSpec(minimal);
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.rollout, {
    steps: DEFAULT_ROLLOUT.steps,
    pauseSeconds: DEFAULT_ROLLOUT.pauseSeconds,
    analysis: DEFAULT_ANALYSIS,
  });
});

test('partial analysis thresholds merge with the defaults; steps are sorted', () => {
  const spec = resolveSpec({
    ...minimal,
    rollout: { steps: [50, 10], analysis: { maxErrorRate: 0.2 } },
  });
  assert.deepEqual(spec.rollout.steps, [10, 50]);
  assert.equal(spec.rollout.analysis.maxErrorRate, 0.2);
  assert.equal(spec.rollout.analysis.minRequests, DEFAULT_ANALYSIS.minRequests);
});
