import type { ResolvedSpec } from '../api/defaults.js';
import type { AnalysisResult, RolloutStatus } from '../api/verification-service.js';

/** Where the referenced FaceModel stands. */
export type ModelState = 'Missing' | 'Unverified' | 'Failed' | 'Verified';

/** The part of status the rollout owns: which model each track serves and the rollout record. */
export interface RolloutState {
  stableModel?: string;
  canaryModel?: string;
  rollout: RolloutStatus;
}

/** Facts the controller observed this pass. */
export interface RolloutInput {
  spec: ResolvedSpec;
  state: RolloutState;
  targetModel: ModelState;
  /** The canary Deployment has all its desired replicas available. */
  canaryReady: boolean;
  /** Present only when `analysisDue` said so and the controller scraped the pods. */
  analysis?: AnalysisResult;
  now: Date;
}

/** The next rollout state and a one-line account of what happened, for an event. */
export interface RolloutDecision {
  state: RolloutState;
  /** Set when something happened that users should see as an event. */
  event?: { reason: string; message: string; warning: boolean };
}

const IDLE: RolloutStatus = { phase: 'Idle', step: -1, trafficPercent: 0 };

/**
 * How long a step that waits for evidence waits before it is judged again: a quarter of
 * the pause, at least a second. Each analysis is recorded in status, so this is also the
 * most often status changes while a canary lacks traffic.
 */
export function reanalysisIntervalMs(spec: ResolvedSpec): number {
  return Math.max(1000, (spec.rollout.pauseSeconds * 1000) / 4);
}

/**
 * When the current step is judged next, for requeueing; undefined when no clock runs.
 * The step's pause must have elapsed, and an inconclusive analysis within this step is
 * repeated only after the re-analysis interval: were it repeated at once, each recorded
 * analysis would come back as a watch event and trigger the next, a write loop.
 */
export function nextAnalysisAt(spec: ResolvedSpec, state: RolloutState): Date | undefined {
  const { stepStartedAt, lastAnalysis, phase } = state.rollout;
  if (phase !== 'Progressing' || !stepStartedAt) return undefined;
  const started = Date.parse(stepStartedAt);
  const pauseEnds = started + spec.rollout.pauseSeconds * 1000;
  const last = lastAnalysis ? Date.parse(lastAnalysis.time) : Number.NaN;
  if (!(last >= started)) return new Date(pauseEnds);
  return new Date(Math.max(pauseEnds, last + reanalysisIntervalMs(spec)));
}

/** True when the current step should be judged now (see `nextAnalysisAt`). */
export function analysisDue(spec: ResolvedSpec, state: RolloutState, now: Date): boolean {
  if (spec.rollout.paused || spec.rollout.abort) return false;
  const due = nextAnalysisAt(spec, state);
  return due !== undefined && now.getTime() >= due.getTime();
}

function startCanary(input: RolloutInput, target: string): RolloutDecision {
  const first = input.spec.rollout.steps[0] ?? 100;
  return {
    state: {
      ...withStable(input.state),
      canaryModel: target,
      rollout: {
        phase: 'Progressing',
        step: 0,
        trafficPercent: first,
        message: `canary ${target} starting`,
      },
    },
    event: {
      reason: 'RolloutStarted',
      message: `canary ${target} replaces ${input.state.stableModel} in steps ${input.spec.rollout.steps.join(', ')}%`,
      warning: false,
    },
  };
}

function withStable(state: RolloutState): RolloutState {
  return state.stableModel
    ? { stableModel: state.stableModel, rollout: state.rollout }
    : { rollout: state.rollout };
}

function endCanary(
  input: RolloutInput,
  phase: 'RolledBack' | 'Aborted',
  message: string,
  analysis?: AnalysisResult,
): RolloutDecision {
  const canary = input.state.canaryModel;
  return {
    state: {
      ...withStable(input.state),
      rollout: {
        phase,
        step: -1,
        trafficPercent: 0,
        ...(canary ? { rejectedModel: canary } : {}),
        ...(analysis
          ? { lastAnalysis: analysis }
          : input.state.rollout.lastAnalysis
            ? { lastAnalysis: input.state.rollout.lastAnalysis }
            : {}),
        message,
      },
    },
    event: { reason: phase, message, warning: true },
  };
}

function advance(input: RolloutInput, canary: string): RolloutDecision {
  const { spec, state, now } = input;
  const rollout = state.rollout;
  if (spec.rollout.paused) {
    return {
      state: {
        ...state,
        rollout: { ...rollout, phase: 'Paused', message: 'paused by spec.rollout.paused' },
      },
    };
  }
  const running: RolloutStatus =
    rollout.phase === 'Paused' ? { ...rollout, phase: 'Progressing' } : rollout;
  if (!running.stepStartedAt) {
    if (!input.canaryReady)
      return {
        state: {
          ...state,
          rollout: { ...running, message: `waiting for canary ${canary} to become ready` },
        },
      };
    return {
      state: {
        ...state,
        rollout: {
          ...running,
          stepStartedAt: now.toISOString(),
          message: `step ${running.step + 1} of ${spec.rollout.steps.length}: ${running.trafficPercent}% to ${canary}`,
        },
      },
    };
  }
  const analysis = input.analysis;
  if (!analysis) return { state: { ...state, rollout: running } };
  if (analysis.verdict === 'Fail') {
    return endCanary(
      input,
      'RolledBack',
      `canary ${canary} rolled back: ${analysis.reasons.join('; ')}`,
      analysis,
    );
  }
  if (analysis.verdict === 'Inconclusive') {
    return {
      state: {
        ...state,
        rollout: {
          ...running,
          lastAnalysis: analysis,
          message: `step ${running.step + 1} waits for evidence: ${analysis.reasons.join('; ')}`,
        },
      },
    };
  }
  const next = running.step + 1;
  if (next >= spec.rollout.steps.length) {
    const message = `canary ${canary} promoted after ${spec.rollout.steps.length} steps`;
    return {
      state: {
        stableModel: canary,
        rollout: {
          phase: 'Promoted',
          step: -1,
          trafficPercent: 0,
          lastAnalysis: analysis,
          message,
        },
      },
      event: { reason: 'Promoted', message, warning: false },
    };
  }
  const share = spec.rollout.steps[next] ?? 100;
  const message = `step ${next + 1} of ${spec.rollout.steps.length}: ${share}% to ${canary}`;
  return {
    state: {
      ...state,
      rollout: {
        phase: 'Progressing',
        step: next,
        trafficPercent: share,
        stepStartedAt: now.toISOString(),
        lastAnalysis: analysis,
        message,
      },
    },
    event: { reason: 'StepAdvanced', message, warning: false },
  };
}

/**
 * Decides the rollout's next state from the spec and what was observed. Level-based: the
 * result depends only on its inputs, so a restarted operator continues from status.
 */
export function planRollout(input: RolloutInput): RolloutDecision {
  const { spec, state } = input;
  const target = spec.modelRef;
  const rejected = state.rollout.rejectedModel;
  if (!state.stableModel) {
    if (input.targetModel !== 'Verified') return { state };
    return {
      state: { stableModel: target, rollout: { ...IDLE, message: `serving ${target}` } },
      event: { reason: 'Serving', message: `serving ${target}`, warning: false },
    };
  }
  if (target === state.stableModel) {
    if (state.canaryModel) {
      const message = `rollout of ${state.canaryModel} cancelled: modelRef points at stable ${target} again`;
      return {
        state: { stableModel: target, rollout: { ...IDLE, message } },
        event: { reason: 'RolloutCancelled', message, warning: false },
      };
    }
    // Pointing back at stable is the manual rollback; it also clears any rejected model.
    const { rejectedModel: _cleared, ...keep } =
      state.rollout.phase === 'Idle' || state.rollout.phase === 'Promoted'
        ? state.rollout
        : { ...IDLE, message: `serving ${target}` };
    return { state: { stableModel: target, rollout: keep } };
  }
  if (spec.rollout.abort) {
    if (state.canaryModel)
      return endCanary(
        input,
        'Aborted',
        `rollout of ${state.canaryModel} aborted by spec.rollout.abort`,
      );
    return { state };
  }
  if (rejected === target) return { state: { ...withStable(state), rollout: state.rollout } };
  if (state.canaryModel !== target) {
    if (input.targetModel !== 'Verified') {
      return {
        state: {
          ...withStable(state),
          rollout: { ...IDLE, message: `waiting for FaceModel ${target} (${input.targetModel})` },
        },
      };
    }
    return startCanary(input, target);
  }
  return advance(input, target);
}
