/** Replica counts of both tracks and the traffic share the canary actually gets. */
export interface TrafficSplit {
  stableReplicas: number;
  canaryReplicas: number;
  /** Percent of requests the canary receives: the route weight, or its share of ready endpoints. */
  canaryPercent: number;
}

/**
 * Splits `total` replicas for a canary asking for `percent` of traffic.
 * With a Gateway route the weight decides the share and stable keeps full capacity, so a
 * rollback needs no scale-up; behind one Service the share is the replica ratio, rounded
 * to what whole pods can give, and reported as such.
 */
export function splitTraffic(total: number, percent: number, byRoute: boolean): TrafficSplit {
  if (percent <= 0) return { stableReplicas: total, canaryReplicas: 0, canaryPercent: 0 };
  if (byRoute) {
    return {
      stableReplicas: total,
      canaryReplicas: Math.max(1, Math.ceil((total * percent) / 100)),
      canaryPercent: percent,
    };
  }
  const canary = Math.min(Math.max(1, Math.round((total * percent) / 100)), Math.max(1, total - 1));
  const stable = Math.max(1, total - canary);
  return {
    stableReplicas: stable,
    canaryReplicas: canary,
    canaryPercent: Math.round((100 * canary) / (canary + stable)),
  };
}
