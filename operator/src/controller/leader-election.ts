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
  /** A leader that has not renewed for this long stops acting; shorter than the lease. */
  renewDeadlineMs: number;
  /** How often the leader renews and a standby retries. */
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
 * Lease-based leader election after client-go's: one replica holds the Lease and renews
 * it; the others take it over only once it has gone unrenewed for a lease duration.
 * Updates carry the resourceVersion they read, so two candidates racing for an expired
 * Lease cannot both win (one gets 409).
 *
 * Expiry is measured on this process's clock, from when it last saw the record change,
 * never from the holder's renewTime: clocks of two nodes may disagree. A leader stops
 * acting after `renewDeadlineMs` without a renewal, before any standby may take over
 * (`leaseDurationSeconds` after it last saw a renewal), so two never act at once.
 */
export class LeaderElector {
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  private renewing: Promise<void> | undefined;
  private readonly stopRenewing = new AbortController();

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaseOptions,
  ) {
    if (options.renewDeadlineMs >= options.leaseDurationSeconds * 1000)
      throw new Error('renewDeadlineMs must be shorter than the lease duration');
  }

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
      const record = `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}`;
      if (this.observed?.record !== record) this.observed = { record, at: now.getTime() };
      const held = spec.holderIdentity === identity;
      const expired =
        this.observed.at + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000 <=
        now.getTime();
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
   * Resolves once leadership is acquired (or `signal` aborted first), then keeps renewing
   * in the background. `onLost` runs once when no renewal succeeded within the renew
   * deadline (a hung request counts too); the caller must stop working at once.
   */
  async run(signal: AbortSignal, onLost: () => void): Promise<void> {
    const { renewIntervalMs, renewDeadlineMs } = this.options;
    while (!signal.aborted && !(await this.attempt())) await sleep(renewIntervalMs, signal);
    if (signal.aborted) return;
    this.leading = true;
    const stop = AbortSignal.any([signal, this.stopRenewing.signal]);
    let deadline = setTimeout(lost, renewDeadlineMs);
    function lost(): void {
      if (stop.aborted) return;
      onLost();
    }
    stop.addEventListener('abort', () => clearTimeout(deadline), { once: true });
    this.renewing = (async () => {
      while (!stop.aborted) {
        await sleep(renewIntervalMs, stop);
        if (stop.aborted) return;
        if (await this.attempt()) {
          clearTimeout(deadline);
          deadline = setTimeout(lost, renewDeadlineMs);
        }
      }
    })();
  }

  /**
   * Stops renewing and, if this identity still holds the Lease, gives it up at once, so a
   * standby takes over without waiting out the lease (client-go's ReleaseOnCancel). Call it
   * only after the work that leadership guards has stopped.
   */
  async release(): Promise<void> {
    this.stopRenewing.abort();
    await this.renewing;
    if (!this.leading) return;
    this.leading = false;
    const { namespace, name, identity } = this.options;
    try {
      const existing = await this.client.get(Resources.Lease, namespace, name);
      const spec = (existing?.spec ?? {}) as LeaseSpec;
      if (!existing || spec.holderIdentity !== identity) return;
      const now = microTime(new Date());
      const { holderIdentity: _released, ...rest } = spec;
      await this.client.replace(Resources.Lease, {
        ...existing,
        spec: { ...rest, leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
      } as KubeObject);
    } catch {
      // Not released: a standby takes over when the lease expires, as after a crash.
    }
  }

  private async attempt(): Promise<boolean> {
    try {
      return await this.tryAcquireOrRenew();
    } catch {
      return false;
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no listener behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
