import { replayed } from '../../errors/api-error.js';

/** A request's hold on its fingerprint until its answer is known. */
export interface ReplayClaim {
  /** Answered: the fingerprint is refused for the whole window. */
  commit(): void;
  /** Not answered (an error, a client gone): the same bytes may come again. */
  release(): void;
}

/**
 * Remembers the fingerprints of answered requests for `windowSeconds` and refuses an
 * exact repeat (1201). Entries are kept in the order they expire, so the expired ones
 * are dropped from the front; past `capacity` the oldest go early, and a replay older
 * than they were is no longer recognised (the decision record sizes it).
 */
export class ReplayGuard {
  /** Fingerprint → when it may be seen again. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowSeconds: number,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  /**
   * Throws 1201 when `fingerprint` was answered within the window, or is being answered
   * now (the same bytes twice at once); else holds it until commit or release.
   */
  claim(fingerprint: string): ReplayClaim {
    const now = this.now();
    for (const [key, until] of this.seen) {
      if (until > now && this.seen.size < this.capacity) break;
      this.seen.delete(key);
    }
    if (this.seen.has(fingerprint)) throw replayed();
    const until = now + this.windowSeconds * 1000;
    this.seen.set(fingerprint, until);
    let settled = false;
    return {
      commit: () => {
        if (settled) return;
        settled = true;
        // From the answer on, and in expiry order again.
        this.seen.delete(fingerprint);
        this.seen.set(fingerprint, this.now() + this.windowSeconds * 1000);
      },
      release: () => {
        if (settled) return;
        settled = true;
        if (this.seen.get(fingerprint) === until) this.seen.delete(fingerprint);
      },
    };
  }
}
