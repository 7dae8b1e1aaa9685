import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitTraffic } from './traffic.js';

test('no canary keeps every replica on stable', () => {
  assert.deepEqual(splitTraffic(4, 0, false), {
    stableReplicas: 4,
    canaryReplicas: 0,
    canaryPercent: 0,
  });
});

test('behind one Service the share is the replica ratio, reported as achieved', () => {
  assert.deepEqual(splitTraffic(4, 25, false), {
    stableReplicas: 3,
    canaryReplicas: 1,
    canaryPercent: 25,
  });
  assert.deepEqual(splitTraffic(4, 50, false), {
    stableReplicas: 2,
    canaryReplicas: 2,
    canaryPercent: 50,
  });
  assert.deepEqual(splitTraffic(1, 10, false), {
    stableReplicas: 1,
    canaryReplicas: 1,
    canaryPercent: 50,
  });
});

test('with a route the weight is exact and stable keeps full capacity', () => {
  assert.deepEqual(splitTraffic(4, 10, true), {
    stableReplicas: 4,
    canaryReplicas: 1,
    canaryPercent: 10,
  });
});
