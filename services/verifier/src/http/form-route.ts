/**
 * What every API endpoint of the family shares: the per-client defences, Content-Length
 * rules, the streaming body limit, admission to the bounded queue, the form and its
 * validation, per-stage timing in Server-Timing and metrics, and X-Model-Version. Each
 * endpoint supplies its FormEndpoint (the zod schemas that /openapi.json publishes) and
 * its handler.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import type { Config } from '../config/config.js';
import type { KeyRing } from '../crypto/key-ring.js';
import { invalidContentLength } from '../errors/api-error.js';
import type { Metrics } from '../observability/metrics.js';
import { StageTimer } from '../pipeline/stage-timer.js';
import type { FrameObserver } from '../pipeline/observe-frame.js';
import type { FaceModels } from '../vision/face-models.js';
import type { AbuseGuards } from './abuse/abuse-guards.js';
import type { ReplayClaim } from './abuse/replay-guard.js';
import type { Admission } from './admission.js';
import type { AppEnv } from './context.js';
import { requireLength } from './middleware/require-length.js';
import { parseForm, readForm, sealedFieldNames } from './verify-form.js';

/** What the API endpoints need; it is also the pipeline's PipelineDeps, passed on as is. */
export interface ApiDeps {
  readonly config: Config;
  readonly keyRing: KeyRing;
  readonly models: FaceModels;
  readonly frameObserver: FrameObserver;
  readonly metrics: Metrics;
  readonly admission: Admission;
  readonly guards: AbuseGuards;
}

/** One POST endpoint: the schemas that validate its form and describe its answer. */
export interface FormEndpoint<
  Form extends z.ZodObject = z.ZodObject,
  Answer extends z.ZodObject = z.ZodObject,
> {
  readonly path: string;
  /** Also names its schemas in /openapi.json (`VerifyForm`, `VerifyAnswer`). */
  readonly operationId: string;
  readonly summary: string;
  /** The request fields: every request is parsed with it; it is the documented request body. */
  readonly form: Form;
  /** The code-1000 answer, `request_id` included; the handler's result is typed by it. */
  readonly answer: Answer;
}

export interface FormRequest<Fields> {
  /** The form, validated and typed by the endpoint's zod schema. */
  readonly fields: Fields;
  readonly timer: StageTimer;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  readonly requestId: string;
}

/** The JSON body of a code-1000 answer, without `request_id` (added here). */
export type FormHandler<Form extends z.ZodObject, Answer extends z.ZodObject> = (
  req: FormRequest<z.output<Form>>,
  c: Context<AppEnv>,
) => Promise<Omit<z.output<Answer>, 'request_id'>>;

/** Registers POST `endpoint.path` with the shared pipeline of checks around `handler`. */
export function formRoute<Form extends z.ZodObject, Answer extends z.ZodObject>(
  app: Hono<AppEnv>,
  endpoint: FormEndpoint<Form, Answer>,
  deps: ApiDeps,
  handler: FormHandler<Form, Answer>,
): void {
  const { config, metrics, admission, guards } = deps;
  const modelVersion = deps.models.bundle.id;
  const sealed = sealedFieldNames(endpoint.form);
  app.post(
    endpoint.path,
    // First of all: a client over its rate, or locked out, costs nothing more.
    async (c, next) => {
      guards.arrive(c.get('client'));
      await next();
    },
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
      const client = c.get('client');
      const signal = c.req.raw.signal;
      // Queued (or refused with 5003 before any of the body is read), then the body is
      // received while the request waits for a slot: only a socket being read reports
      // that its client has gone (a paused one sees no close), and a body that fails
      // (not a form, the client gone) takes its request out of the queue at once.
      const received = new AbortController();
      const admitted = admission.acquire(AbortSignal.any([signal, received.signal]));
      const form = readForm(c, config.maxBodyBytes);
      form.catch((err: unknown) => received.abort(err));
      const release = await admitted;
      let claim: ReplayClaim | undefined;
      try {
        // Locked out while it waited: the slot's work is not spent on it.
        guards.checkLockout(client);
        const fields = parseForm(endpoint.form, await form);
        claim = guards.claimReplay(endpoint.path, sealedValues(fields, sealed));
        const requestId = c.get('requestId');
        const body = await handler({ fields, timer, signal, requestId }, c);
        claim?.commit();
        guards.answered(client, body);
        return c.json({ ...body, request_id: requestId });
      } catch (err) {
        guards.failed(client, err);
        throw err;
      } finally {
        claim?.release();
        release();
        const stages = timer.snapshot();
        metrics.observeStages(stages);
        c.header('Server-Timing', serverTiming(stages));
      }
    },
  );
}

/** The sealed fields' names and values, in the form's order. */
const sealedValues = (fields: object, names: readonly string[]): [string, string][] =>
  names.map((name) => [name, String((fields as Record<string, unknown>)[name])]);

function serverTiming(stages: Record<string, number>): string {
  return Object.entries(stages)
    .map(([k, v]) => `${k};dur=${v.toFixed(1)}`)
    .join(', ');
}
