/** Stages reported in Server-Timing and the per-stage latency histogram. */
export type Stage = 'decrypt' | 'decode' | 'detect' | 'liveness' | 'embed';

/**
 * Accumulates wall time per stage of one request. Stages may interleave (photo and
 * video run concurrently), so each stage's figure is the sum of its own spans.
 */
export class StageTimer {
  private readonly totals = new Map<Stage, number>();
  private readonly started = performance.now();

  async time<T>(stage: Stage, work: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, performance.now() - t0);
    }
  }

  add(stage: Stage, ms: number): void {
    this.totals.set(stage, (this.totals.get(stage) ?? 0) + ms);
  }

  /** Milliseconds per stage, plus `total` since the timer was created. */
  snapshot(): Record<Stage | 'total', number> {
    const out = {
      decrypt: 0,
      decode: 0,
      detect: 0,
      liveness: 0,
      embed: 0,
      total: performance.now() - this.started,
    };
    for (const [k, v] of this.totals) out[k] = v;
    return out;
  }
}
