/** Backoff settings for failed keys. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * A keyed work queue in the manner of client-go's: a key is queued at most once, is never
 * processed by two workers at once (a key added while in flight is re-queued after), and
 * failures retry with per-key exponential backoff that resets on success.
 */
export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly order: string[] = [];
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private waiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly backoff: BackoffOptions = { baseMs: 200, maxMs: 60_000 }) {}

  /** Queues a key now; a pending delayed add for it is superseded. */
  add(key: string): void {
    if (this.stopped) return;
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.order.push(key);
    this.waiters.shift()?.();
  }

  /** Queues a key after `ms`, unless an earlier add is already pending. */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.queued.has(key)) return;
    const existing = this.timers.get(key);
    if (existing) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        this.add(key);
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Re-queues a failed key after its backoff. */
  retry(key: string): number {
    const attempts = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempts);
    const delay = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (attempts - 1));
    this.addAfter(key, delay);
    return delay;
  }

  /** Forgets a key's failures after it succeeded. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to work on, or undefined once stopped. */
  async take(): Promise<string | undefined> {
    while (!this.stopped) {
      const key = this.order.shift();
      if (key !== undefined) {
        this.queued.delete(key);
        this.active.add(key);
        return key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return undefined;
  }

  /** Marks a key finished; if it changed meanwhile it is queued again. */
  done(key: string): void {
    this.active.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.waiters) wake();
    this.waiters = [];
  }
}
