import type { ConcurrencyAutoscaling, AutoscalerStatus } from '../api/verification-service.js';
import { CONCURRENCY_DEFAULTS, desiredReplicas } from '../autoscale/concurrency.js';
import type { DemandStore } from './demand-store.js';
import type { MetricsSource } from './metrics-source.js';

/** The gauges that make up a pod's demand: requests being served and requests waiting. */
const DEMAND_GAUGES = new Set(['silentid_inflight_requests', 'silentid_queue_depth']);

/** Samples demand across both tracks of a service and decides its total replicas. */
export class ConcurrencyScaler {
  constructor(
    private readonly metrics: MetricsSource,
    private readonly demand: DemandStore,
  ) {}

  async scale(
    namespace: string,
    service: string,
    policy: ConcurrencyAutoscaling,
    previous: AutoscalerStatus | undefined,
    currentReplicas: number,
    time: Date,
  ): Promise<AutoscalerStatus> {
    const key = `${namespace}/${service}`;
    const tracks = await Promise.all([
      this.metrics.scrape({ namespace, service, track: 'stable' }),
      this.metrics.scrape({ namespace, service, track: 'canary' }),
    ]);
    const inflight = tracks
      .flat()
      .filter((s) => DEMAND_GAUGES.has(s.name))
      .reduce((sum, s) => sum + s.value, 0);
    const windowMs =
      (policy.stableWindowSeconds ?? CONCURRENCY_DEFAULTS.stableWindowSeconds) * 1000;
    const samples = this.demand.record(key, { time: time.getTime(), inflight }, windowMs);
    // After a restart, status carries the count and the last scale time across.
    const remembered = this.demand.state(key) ?? {
      replicas: previous?.desiredReplicas ?? Math.max(policy.min, currentReplicas),
      ...(previous?.lastScaleTime ? { lastScaleTime: Date.parse(previous.lastScaleTime) } : {}),
    };
    const next = desiredReplicas(policy, samples, remembered, time.getTime());
    this.demand.setState(key, next);
    return {
      desiredReplicas: next.replicas,
      ...(next.lastScaleTime !== undefined
        ? { lastScaleTime: new Date(next.lastScaleTime).toISOString() }
        : {}),
      ...(next.panicUntil !== undefined
        ? { panicUntil: new Date(next.panicUntil).toISOString() }
        : {}),
    };
  }
}
