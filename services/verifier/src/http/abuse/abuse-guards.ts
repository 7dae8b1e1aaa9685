import type { AbuseSettings } from '../../config/config.js';
import { ApiError, lockedOut, rateLimited } from '../../errors/api-error.js';
import { clientKey } from './client-key.js';
import { fingerprint } from './fingerprint.js';
import { Lockout } from './lockout.js';
import { RateLimiter } from './rate-limiter.js';
import { ReplayGuard, type ReplayClaim } from './replay-guard.js';

/**
 * Most clients each table remembers (LRU beyond): a few MB each (decision 0021).
 * Past that many distinct clients at once, per-client limits are the ingress's job.
 */
const MAX_CLIENTS = 65_536;
/** Fingerprints remembered for replay detection: 100,000 × about 120 B. */
const MAX_FINGERPRINTS = 100_000;

/** The fields of a code-1000 answer that say whether the attempt was rejected. */
export interface AnswerVerdict {
  readonly passed?: unknown;
  readonly verification_score?: unknown;
}

/**
 * The POST endpoints' per-client defences, each off unless configured (decision 0021):
 * a rate limit, a lock-out after a run of rejections, and refusal of exact replays.
 * Clients are told apart by address (TRUST_PROXY-aware), IPv6 by /64.
 */
export class AbuseGuards {
  private readonly rate: RateLimiter | undefined;
  private readonly lockout: Lockout | undefined;
  private readonly replay: ReplayGuard | undefined;

  constructor(
    private readonly settings: AbuseSettings,
    now: () => number = Date.now,
  ) {
    const { rateLimit, lockout, replayWindowSeconds } = settings;
    this.rate =
      rateLimit.perMinute > 0
        ? new RateLimiter(rateLimit.perMinute, rateLimit.burst, MAX_CLIENTS, now)
        : undefined;
    this.lockout = lockout.failures > 0 ? new Lockout(lockout, MAX_CLIENTS, now) : undefined;
    this.replay =
      replayWindowSeconds > 0
        ? new ReplayGuard(replayWindowSeconds, MAX_FINGERPRINTS, now)
        : undefined;
  }

  /** On arrival, before the body is read: 1301 while locked out, 1300 past the rate. */
  arrive(client: string | undefined): void {
    this.checkLockout(client);
    const wait = this.rate?.take(clientKey(client)) ?? 0;
    if (wait > 0) throw rateLimited(wait);
  }

  /** 1301 while `client` is locked out; checked again once a queued request is admitted. */
  checkLockout(client: string | undefined): void {
    const wait = this.lockout?.retryAfter(clientKey(client)) ?? 0;
    if (wait > 0) throw lockedOut(wait);
  }

  /** Holds the request's fingerprint (1201 if it was answered within the window). */
  claimReplay(
    path: string,
    sealed: readonly (readonly [string, string])[],
  ): ReplayClaim | undefined {
    if (this.replay === undefined) return undefined;
    const print = fingerprint(path, sealed);
    return print === undefined ? undefined : this.replay.claim(print);
  }

  /**
   * A code-1000 answer: not live, or a verification_score under the threshold, goes on
   * the client's run of rejections; anything else ends the run.
   */
  answered(client: string | undefined, answer: AnswerVerdict): void {
    if (this.lockout === undefined) return;
    const score = answer.verification_score;
    const rejected =
      answer.passed === false ||
      (typeof score === 'number' && score < this.settings.lockout.verificationThreshold);
    if (rejected) this.lockout.reject(clientKey(client));
    else this.lockout.accept(clientKey(client));
  }

  /** An error answer: a field no key opens (a guessed key, altered data) is a rejection. */
  failed(client: string | undefined, err: unknown): void {
    if (err instanceof ApiError && err.reason === 'undecryptable')
      this.lockout?.reject(clientKey(client));
  }
}
