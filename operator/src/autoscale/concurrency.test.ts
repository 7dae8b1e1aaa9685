import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredReplicas, type DemandSample } from './concurrency.js';
import type { ConcurrencyAutoscaling } from '../api/verification-service.js';

const policy: ConcurrencyAutoscaling = {
  mode: 'concurrency',
  min: 1,
  max: 10,
  target: 4,
  stableWindowSeconds: 60,
  panicWindowSeconds: 6,
  panicThreshold: 2,
  scaleDownDelaySeconds: 300,
};
const flat = (inflight: number, until: number): DemandSample[] =>
  Array.from({ length: 30 }, (_, i) => ({ time: until - i * 2000, inflight }));

test('steady demand scales to demand / target, within min and max', () => {
  assert.equal(desiredReplicas(policy, flat(12, 100_000), { replicas: 1 }, 100_000).replicas, 3);
  assert.equal(desiredReplicas(policy, flat(400, 100_000), { replicas: 1 }, 100_000).replicas, 10);
  assert.equal(desiredReplicas(policy, flat(0, 100_000), { replicas: 1 }, 100_000).replicas, 1);
});

test('a burst in the panic window scales up at once and forbids scaling down until it passes', () => {
  const now = 100_000;
  const samples = [
    ...flat(4, now - 10_000),
    { time: now - 1000, inflight: 40 },
    { time: now, inflight: 40 },
  ];
  const panicked = desiredReplicas(policy, samples, { replicas: 1 }, now);
  assert.equal(panicked.replicas, 10);
  assert.ok(panicked.panicUntil !== undefined && panicked.panicUntil > now);
  const calm = desiredReplicas(policy, flat(4, now + 10_000), panicked, now + 10_000);
  assert.equal(calm.replicas, 10);
});

test('scale-down waits for the delay after the last scale', () => {
  const now = 1_000_000;
  const held = desiredReplicas(
    policy,
    flat(4, now),
    { replicas: 5, lastScaleTime: now - 60_000 },
    now,
  );
  assert.equal(held.replicas, 5);
  const down = desiredReplicas(
    policy,
    flat(4, now),
    { replicas: 5, lastScaleTime: now - 400_000 },
    now,
  );
  assert.equal(down.replicas, 1);
});

test('no samples keeps the current count', () => {
  assert.equal(desiredReplicas(policy, [], { replicas: 3 }, 0).replicas, 3);
});
