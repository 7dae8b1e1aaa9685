import type { KubeObject } from '../api/object-meta.js';
import type { KubeClient } from '../kube/kube-client.js';
import { isConflict } from '../kube/kube-error.js';
import { Resources } from '../kube/resource-types.js';

/** Lease timings, as client-go's leader election names them. */
export interface LeaseOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewIntervalMs: number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** MicroTime as the API expects it: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Lease-based leader election: one replica holds the Lease and renews it; the others
 * take it over only after it expired. Updates carry the resourceVersion they read, so
 * two candidates racing for an expired Lease cannot both win (one gets 409).
 */
export class LeaderElector {
  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaseOptions,
  ) {}

  /** One attempt to acquire or renew; true when this identity holds the Lease afterwards. */
  async tryAcquireOrRenew(now = new Date()): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.options;
    const existing = await this.client.get(Resources.Lease, namespace, name);
    const fresh: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
    };
    try {
      if (!existing) {
        await this.client.create(Resources.Lease, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: { ...fresh, leaseTransitions: 0 },
        });
        return true;
      }
      const spec = (existing.spec ?? {}) as LeaseSpec;
      const held = spec.holderIdentity === identity;
      const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
      const expired =
        renewed + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000 < now.getTime();
      if (!held && !expired && spec.holderIdentity) return false;
      const next: LeaseSpec = held
        ? { ...spec, renewTime: microTime(now), leaseDurationSeconds }
        : { ...fresh, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
      await this.client.replace(Resources.Lease, { ...existing, spec: next } as KubeObject);
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  /**
   * Waits until leadership is acquired, then keeps renewing; `onLost` runs once if a
   * renewal fails for a whole lease duration, after which the caller must stop working.
   */
  async run(signal: AbortSignal, onLost: () => void): Promise<void> {
    const { renewIntervalMs, leaseDurationSeconds } = this.options;
    while (!signal.aborted && !(await this.attempt())) await sleep(renewIntervalMs, signal);
    if (signal.aborted) return;
    let lastRenew = Date.now();
    void (async () => {
      while (!signal.aborted) {
        await sleep(renewIntervalMs, signal);
        if (signal.aborted) return;
        if (await this.attempt()) lastRenew = Date.now();
        else if (Date.now() - lastRenew > leaseDurationSeconds * 1000) {
          onLost();
          return;
        }
      }
    })();
  }

  private async attempt(): Promise<boolean> {
    try {
      return await this.tryAcquireOrRenew();
    } catch {
      return false;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
