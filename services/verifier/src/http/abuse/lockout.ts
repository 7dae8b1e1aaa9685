import { LruMap } from './lru-map.js';

export interface LockoutSettings {
  /** Consecutive rejections that lock a client out. */
  readonly failures: number;
  /** The run counts only within this many seconds of its first rejection. */
  readonly windowSeconds: number;
  readonly lockSeconds: number;
}

interface Run {
  failures: number;
  since: number;
  lockedUntil: number;
}

/**
 * Locks a client out after a run of rejected attempts (a spoof being tuned, a key being
 * guessed): `failures` rejections in a row, within `windowSeconds`, lock it for
 * `lockSeconds`. An accepted attempt ends the run.
 */
export class Lockout {
  private readonly runs: LruMap<string, Run>;

  constructor(
    private readonly settings: LockoutSettings,
    capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.runs = new LruMap(capacity);
  }

  /** Whole seconds `key` stays locked out; 0 when it is not. */
  retryAfter(key: string): number {
    const left = (this.runs.peek(key)?.lockedUntil ?? 0) - this.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  reject(key: string): void {
    const now = this.now();
    const run = this.runs.get(key);
    if (run !== undefined && run.lockedUntil > now) return; // locked already: its end stands
    const current =
      run === undefined ||
      run.lockedUntil > 0 || // a lock-out served: a new run
      now - run.since > this.settings.windowSeconds * 1000
        ? { failures: 0, since: now, lockedUntil: 0 }
        : run;
    current.failures++;
    if (current.failures >= this.settings.failures)
      current.lockedUntil = now + this.settings.lockSeconds * 1000;
    this.runs.set(key, current);
  }

  accept(key: string): void {
    const run = this.runs.peek(key);
    if (run !== undefined && run.lockedUntil <= this.now()) this.runs.delete(key);
  }
}
