import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analysisDue,
  nextAnalysisAt,
  planRollout,
  reanalysisIntervalMs,
  type RolloutInput,
  type RolloutState,
} from './plan.js';
import { resolved } from '../../test/fixtures.js';
import type { AnalysisResult } from '../api/verification-service.js';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T00:10:00Z');
const summary = {
  requests: 100,
  errorRate: 0,
  p95LatencySeconds: 0.2,
  livenessPassRate: 0.8,
  meanLivenessScore: 0.8,
};
const verdict = (v: AnalysisResult['verdict']): AnalysisResult => ({
  verdict: v,
  reasons: [v],
  canary: summary,
  stable: summary,
  time: later.toISOString(),
});

function run(
  state: RolloutState,
  extra: Partial<RolloutInput> = {},
  spec = resolved({ modelRef: 'v2' }),
) {
  return planRollout({ spec, state, targetModel: 'Verified', canaryReady: true, now, ...extra });
}

const idle: RolloutState = {
  stableModel: 'v1',
  rollout: { phase: 'Idle', step: -1, trafficPercent: 0 },
};

test('the first verified model becomes stable without a rollout', () => {
  const d = planRollout({
    spec: resolved({ modelRef: 'v1' }),
    state: { rollout: { phase: 'Idle', step: -1, trafficPercent: 0 } },
    targetModel: 'Verified',
    canaryReady: false,
    now,
  });
  assert.equal(d.state.stableModel, 'v1');
  assert.equal(d.state.canaryModel, undefined);
});

test('an unverified first model is not served', () => {
  const d = planRollout({
    spec: resolved({ modelRef: 'v1' }),
    state: { rollout: { phase: 'Idle', step: -1, trafficPercent: 0 } },
    targetModel: 'Unverified',
    canaryReady: false,
    now,
  });
  assert.equal(d.state.stableModel, undefined);
});

test('a model change starts a canary at the first step; the clock starts once it is ready', () => {
  const started = run(idle);
  assert.equal(started.state.canaryModel, 'v2');
  assert.deepEqual(
    [started.state.rollout.phase, started.state.rollout.step, started.state.rollout.trafficPercent],
    ['Progressing', 0, 25],
  );
  assert.equal(started.event?.reason, 'RolloutStarted');
  assert.equal(run(started.state, { canaryReady: false }).state.rollout.stepStartedAt, undefined);
  const clocked = run(started.state);
  assert.equal(clocked.state.rollout.stepStartedAt, now.toISOString());
  assert.equal(analysisDue(resolved({ modelRef: 'v2' }), clocked.state, now), false);
  assert.equal(analysisDue(resolved({ modelRef: 'v2' }), clocked.state, later), true);
});

test('an inconclusive step is judged again only after the re-analysis interval', () => {
  const spec = resolved({ modelRef: 'v2' });
  const clocked = run(run(idle).state).state;
  const waiting = run(clocked, { analysis: verdict('Inconclusive'), now: later }).state;
  assert.equal(waiting.rollout.lastAnalysis?.verdict, 'Inconclusive');
  const interval = reanalysisIntervalMs(spec);
  assert.equal(nextAnalysisAt(spec, waiting)?.getTime(), later.getTime() + interval);
  assert.equal(analysisDue(spec, waiting, later), false, 'not again at once: that was a loop');
  assert.equal(analysisDue(spec, waiting, new Date(later.getTime() + interval - 1)), false);
  assert.equal(analysisDue(spec, waiting, new Date(later.getTime() + interval)), true);
});

test('passing analyses advance the steps and then promote', () => {
  let state = run(run(idle).state).state;
  const step2 = run(state, { analysis: verdict('Pass'), now: later });
  assert.deepEqual([step2.state.rollout.step, step2.state.rollout.trafficPercent], [1, 50]);
  state = step2.state;
  const promoted = run(state, { analysis: verdict('Pass'), now: later });
  assert.equal(promoted.state.stableModel, 'v2');
  assert.equal(promoted.state.canaryModel, undefined);
  assert.equal(promoted.state.rollout.phase, 'Promoted');
  assert.equal(promoted.event?.reason, 'Promoted');
});

test('a failing analysis rolls back and the model is not retried', () => {
  const state = run(run(idle).state).state;
  const back = run(state, { analysis: verdict('Fail'), now: later });
  assert.equal(back.state.stableModel, 'v1');
  assert.equal(back.state.canaryModel, undefined);
  assert.equal(back.state.rollout.phase, 'RolledBack');
  assert.equal(back.state.rollout.rejectedModel, 'v2');
  assert.equal(back.event?.warning, true);
  assert.equal(run(back.state).state.canaryModel, undefined);
});

test('an inconclusive analysis holds the step', () => {
  const state = run(run(idle).state).state;
  const held = run(state, { analysis: verdict('Inconclusive'), now: later });
  assert.equal(held.state.rollout.step, 0);
  assert.equal(held.state.canaryModel, 'v2');
});

test('pause holds, abort removes the canary, pointing back at stable cancels', () => {
  const state = run(run(idle).state).state;
  assert.equal(
    run(state, {}, resolved({ modelRef: 'v2', rollout: { ...resolved().rollout, paused: true } }))
      .state.rollout.phase,
    'Paused',
  );
  const aborted = run(
    state,
    {},
    resolved({ modelRef: 'v2', rollout: { ...resolved().rollout, abort: true } }),
  );
  assert.equal(aborted.state.rollout.phase, 'Aborted');
  assert.equal(aborted.state.canaryModel, undefined);
  const cancelled = run(state, {}, resolved({ modelRef: 'v1' }));
  assert.equal(cancelled.state.canaryModel, undefined);
  assert.equal(cancelled.event?.reason, 'RolloutCancelled');
});

test('pointing back at stable clears a rejected model so it can be retried', () => {
  const rejected: RolloutState = {
    stableModel: 'v1',
    rollout: { phase: 'RolledBack', step: -1, trafficPercent: 0, rejectedModel: 'v2' },
  };
  const cleared = run(rejected, {}, resolved({ modelRef: 'v1' }));
  assert.equal(cleared.state.rollout.rejectedModel, undefined);
  assert.equal(run(cleared.state).state.canaryModel, 'v2');
});

test('a new target mid-rollout restarts the canary with it', () => {
  const state = run(run(idle).state).state;
  const d = run(state, {}, resolved({ modelRef: 'v3' }));
  assert.equal(d.state.canaryModel, 'v3');
  assert.equal(d.state.rollout.step, 0);
  assert.equal(d.state.rollout.stepStartedAt, undefined);
});
