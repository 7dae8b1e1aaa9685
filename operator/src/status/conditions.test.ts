import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConditions } from './conditions.js';
import { serviceConditions } from './service-conditions.js';

test('lastTransitionTime changes only when the status flips', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T01:00:00Z');
  const first = mergeConditions(
    undefined,
    [{ type: 'Ready', status: 'False', reason: 'PodsStarting', message: '0/1' }],
    1,
    t0,
  );
  const same = mergeConditions(
    first,
    [{ type: 'Ready', status: 'False', reason: 'PodsStarting', message: '0/1' }],
    2,
    t1,
  );
  assert.equal(same[0]!.lastTransitionTime, t0.toISOString());
  assert.equal(same[0]!.observedGeneration, 2);
  const flipped = mergeConditions(
    same,
    [{ type: 'Ready', status: 'True', reason: 'Available', message: '1/1' }],
    2,
    t1,
  );
  assert.equal(flipped[0]!.lastTransitionTime, t1.toISOString());
});

test('a rollback of the requested model is Degraded; a missing model is not Ready', () => {
  const base = {
    stableModel: 'v1',
    targetModel: 'v2',
    targetState: 'Verified' as const,
    stableDesired: 2,
    stableReady: 2,
    canaryModel: undefined,
  };
  const rolledBack = serviceConditions({
    ...base,
    rollout: {
      phase: 'RolledBack',
      step: -1,
      trafficPercent: 0,
      rejectedModel: 'v2',
      message: 'x',
    },
  });
  assert.deepEqual(
    rolledBack.map((c) => [c.type, c.status, c.reason]),
    [
      ['Ready', 'True', 'Available'],
      ['Progressing', 'False', 'RolledBack'],
      ['Degraded', 'True', 'RolledBack'],
    ],
  );
  const missing = serviceConditions({
    ...base,
    stableModel: undefined,
    targetState: 'Missing',
    rollout: { phase: 'Idle', step: -1, trafficPercent: 0 },
  });
  assert.deepEqual(
    missing.map((c) => [c.type, c.status, c.reason]),
    [
      ['Ready', 'False', 'ModelNotFound'],
      ['Progressing', 'False', 'Idle'],
      ['Degraded', 'True', 'ModelNotFound'],
    ],
  );
});
