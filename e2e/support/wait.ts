/**
 * Waiting for a condition, never for a fixed time: a test that sleeps assumes how fast
 * the machine is, and a loaded 2-core runner proves it wrong. A short interval keeps the
 * wait close to the event; a generous deadline only bounds a failure.
 */

export interface WaitOptions {
  /** Fail after this long (default 30 s: only a broken service gets near it). */
  readonly timeoutMs?: number;
  /** Poll this often (default 10 ms). */
  readonly intervalMs?: number;
  /** Give up at once, with the signal's reason, when it aborts (say, the process died). */
  readonly signal?: AbortSignal;
}

/**
 * Polls `probe` until it returns something other than `undefined`, `null` or `false`,
 * and resolves with that; past the deadline it rejects, naming `what` and the last
 * value seen (or the last error the probe threw).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 30_000, intervalMs = 10, signal }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`waited ${timeoutMs} ms for ${what}; last seen: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
