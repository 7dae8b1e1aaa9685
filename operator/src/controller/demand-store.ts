import type { DemandSample, ScalerState } from '../autoscale/concurrency.js';

/**
 * In-memory demand samples per VerificationService. Samples are not persisted: after a
 * restart the autoscaler holds the replica count from status until a window refills.
 */
export class DemandStore {
  private readonly samples = new Map<string, DemandSample[]>();
  private readonly states = new Map<string, ScalerState>();

  record(key: string, sample: DemandSample, keepMs: number): DemandSample[] {
    const kept = [...(this.samples.get(key) ?? []), sample].filter(
      (s) => s.time >= sample.time - keepMs,
    );
    this.samples.set(key, kept);
    return kept;
  }

  state(key: string): ScalerState | undefined {
    return this.states.get(key);
  }

  setState(key: string, state: ScalerState): void {
    this.states.set(key, state);
  }

  forget(key: string): void {
    this.samples.delete(key);
    this.states.delete(key);
  }
}
