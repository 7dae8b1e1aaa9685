import type { ConcurrencyAutoscaling } from '../api/verification-service.js';

/** Observed total in-flight requests over all pods, at one time. */
export interface DemandSample {
  time: number;
  inflight: number;
}

/** The autoscaler's memory between passes. */
export interface ScalerState {
  replicas: number;
  lastScaleTime?: number;
  panicUntil?: number;
}

/** Defaults of the optional windows, in seconds. */
export const CONCURRENCY_DEFAULTS = {
  stableWindowSeconds: 60,
  panicWindowSeconds: 6,
  panicThreshold: 2,
  scaleDownDelaySeconds: 300,
};

function average(samples: DemandSample[], since: number): number | undefined {
  const recent = samples.filter((s) => s.time >= since);
  if (recent.length === 0) return undefined;
  return recent.reduce((total, s) => total + s.inflight, 0) / recent.length;
}

/**
 * Desired replicas from in-flight demand, in the manner of Knative's autoscaler: a long
 * window for steady scaling, a short one that reacts to bursts and forbids scaling down
 * until the burst has passed, and a delay before any scale-down.
 */
export function desiredReplicas(
  policy: ConcurrencyAutoscaling,
  samples: DemandSample[],
  state: ScalerState,
  now: number,
): ScalerState {
  const p = { ...CONCURRENCY_DEFAULTS, ...policy };
  const clamp = (n: number): number => Math.min(p.max, Math.max(p.min, n));
  const stableDemand = average(samples, now - p.stableWindowSeconds * 1000);
  const panicDemand = average(samples, now - p.panicWindowSeconds * 1000);
  if (stableDemand === undefined || panicDemand === undefined)
    return { ...state, replicas: clamp(state.replicas) };
  const stableWant = Math.ceil(stableDemand / p.target);
  const panicWant = Math.ceil(panicDemand / p.target);
  const current = Math.max(1, state.replicas);
  let panicUntil =
    state.panicUntil !== undefined && state.panicUntil > now ? state.panicUntil : undefined;
  if (panicWant / current >= p.panicThreshold) panicUntil = now + p.stableWindowSeconds * 1000;
  let want = panicUntil !== undefined ? Math.max(current, panicWant, stableWant) : stableWant;
  const delayed =
    state.lastScaleTime !== undefined && now - state.lastScaleTime < p.scaleDownDelaySeconds * 1000;
  if (want < state.replicas && delayed) want = state.replicas;
  const replicas = clamp(want);
  return {
    replicas,
    ...(replicas !== state.replicas
      ? { lastScaleTime: now }
      : state.lastScaleTime !== undefined
        ? { lastScaleTime: state.lastScaleTime }
        : {}),
    ...(panicUntil !== undefined ? { panicUntil } : {}),
  };
}
