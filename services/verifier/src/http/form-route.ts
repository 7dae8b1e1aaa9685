/**
 * What every API endpoint of the family shares: Content-Length rules, the streaming body
 * limit, admission to the bounded queue, the form, per-stage timing in Server-Timing and
 * metrics, and X-Model-Version. Each endpoint supplies only its handler.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../config/config.js';
import type { KeyRing } from '../crypto/key-ring.js';
import { invalidContentLength } from '../errors/api-error.js';
import type { Metrics } from '../observability/metrics.js';
import { StageTimer } from '../pipeline/stage-timer.js';
import type { FrameObserver } from '../pipeline/observe-frame.js';
import type { FaceModels } from '../vision/face-models.js';
import type { Admission } from './admission.js';
import type { AppEnv } from './context.js';
import { requireLength } from './middleware/require-length.js';
import { readForm, type FormFields } from './verify-form.js';

/** What the API endpoints need; it is also the pipeline's PipelineDeps, passed on as is. */
export interface ApiDeps {
  readonly config: Config;
  readonly keyRing: KeyRing;
  readonly models: FaceModels;
  readonly frameObserver: FrameObserver;
  readonly metrics: Metrics;
  readonly admission: Admission;
}

export interface FormRequest {
  readonly form: FormFields;
  readonly timer: StageTimer;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  readonly requestId: string;
}

/** The JSON body of a code-1000 answer, without `request_id` (added here). */
export type FormHandler = (
  req: FormRequest,
  c: Context<AppEnv>,
) => Promise<Record<string, unknown>>;

/** Registers POST `path` with the shared pipeline of checks around `handler`. */
export function formRoute(
  app: Hono<AppEnv>,
  path: string,
  deps: ApiDeps,
  handler: FormHandler,
): void {
  const { config, metrics, admission } = deps;
  const modelVersion = deps.models.bundle.id;
  app.post(
    path,
    requireLength,
    // Enforced while streaming: a 200 MB body is refused at its Content-Length, or at
    // the first byte past the limit when chunked, without being buffered.
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw invalidContentLength(
          `the request body is larger than ${config.maxBodyBytes} bytes`,
          413,
        );
      },
    }),
    async (c) => {
      const timer = new StageTimer();
      c.header('X-Model-Version', modelVersion);
      const signal = c.req.raw.signal;
      const release = await admission.acquire(signal);
      try {
        const form = await readForm(c, config.maxBodyBytes);
        const requestId = c.get('requestId');
        const body = await handler({ form, timer, signal, requestId }, c);
        return c.json({ ...body, request_id: requestId });
      } finally {
        release();
        const stages = timer.snapshot();
        metrics.observeStages(stages);
        c.header('Server-Timing', serverTiming(stages));
      }
    },
  );
}

function serverTiming(stages: Record<string, number>): string {
  return Object.entries(stages)
    .map(([k, v]) => `${k};dur=${v.toFixed(1)}`)
    .join(', ');
}
