import { saturated } from '../errors/api-error.js';

/**
 * A bounded admission queue: at most `maxInFlight` verifications run, at most
 * `maxQueued` wait; beyond that the pod answers 5003 at once with Retry-After instead
 * of letting latency and memory grow without bound.
 */
export class Admission {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly maxInFlight: number,
    private readonly maxQueued: number,
    private readonly onChange: (inFlight: number, queued: number) => void = () => {},
  ) {}

  get inFlight(): number {
    return this.running;
  }

  /** Resolves with a release function once a slot is free; throws 5003 when full. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.running >= this.maxInFlight) {
      if (this.waiting.length >= this.maxQueued) throw saturated(1);
      await new Promise<void>((resolve, reject) => {
        const entry = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          this.report();
          reject(signal?.reason ?? new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(entry);
        this.report();
      });
    }
    this.running++;
    this.report();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.waiting.shift()?.();
      this.report();
    };
  }

  private report(): void {
    this.onChange(this.running, this.waiting.length);
  }
}
