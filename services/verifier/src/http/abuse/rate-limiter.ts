import { LruMap } from './lru-map.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client: `burst` requests at once, refilled at `perMinute`. A bucket
 * forgotten by the LRU map was idle for longest, so it would be full or nearly.
 */
export class RateLimiter {
  private readonly buckets: LruMap<string, Bucket>;
  private readonly perMs: number;

  constructor(
    perMinute: number,
    private readonly burst: number,
    capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new LruMap(capacity);
    this.perMs = perMinute / 60_000;
  }

  /** Takes a token for `key`: 0 when there was one, else whole seconds until there is. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }
}
