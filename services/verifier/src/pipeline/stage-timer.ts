import { SpanStatusCode, trace } from '@opentelemetry/api';

/** Stages reported in Server-Timing, the per-stage latency histogram and trace spans. */
export type Stage = 'decrypt' | 'decode' | 'detect' | 'liveness' | 'embed';

// A no-op until observability/tracing.ts registers a provider.
const tracer = trace.getTracer('silentid');

/**
 * Accumulates wall time per stage of one request. Stages may interleave (photo and
 * video run concurrently), so each stage's figure is the sum of its own spans; each
 * timed piece is also a trace span under the request's.
 */
export class StageTimer {
  private readonly totals = new Map<Stage, number>();
  private readonly started = performance.now();

  async time<T>(stage: Stage, work: () => Promise<T> | T): Promise<T> {
    return tracer.startActiveSpan(stage, async (span) => {
      const t0 = performance.now();
      try {
        return await work();
      } catch (err) {
        // The error's kind only: messages are for the client, not for a trace backend.
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).name });
        throw err;
      } finally {
        this.accumulate(stage, performance.now() - t0);
        span.end();
      }
    });
  }

  /**
   * Adds time measured elsewhere: the liveness analysis runs frame by frame while ffmpeg
   * decodes, so only its sum is known. Its span (under the request's, from the active
   * context) ends now and lasts that sum; the start is nominal, and the span says so.
   */
  add(stage: Stage, ms: number): void {
    // performance.now() values: OpenTelemetry reads a number this small as one, not as epoch ms.
    const end = performance.now();
    tracer
      .startSpan(stage, {
        startTime: end - ms,
        attributes: { 'silentid.stage.summed': true },
      })
      .end(end);
    this.accumulate(stage, ms);
  }

  private accumulate(stage: Stage, ms: number): void {
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
