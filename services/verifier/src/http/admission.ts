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

  /**
   * A release function once a slot is free. When the queue is full it throws 5003 at
   * once, not as a rejected promise: a caller that goes on to read the request's body
   * (http/form-route.ts) reads none for a refused request. `signal` takes a waiting
   * request out of the queue.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.running < this.maxInFlight) return Promise.resolve(this.admit());
    if (this.waiting.length >= this.maxQueued) throw saturated(1);
    return new Promise((resolve, reject) => {
      const entry = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.admit());
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        this.report();
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      this.report();
    });
  }

  /** Takes a slot: the release function hands it to the next in the queue. */
  private admit(): () => void {
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
