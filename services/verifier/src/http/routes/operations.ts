import { Hono } from 'hono';
import type { Metrics } from '../../observability/metrics.js';
import type { BatchPolicy } from '../../runtime/batch-queue.js';
import type { Placements } from '../../runtime/execution-provider.js';
import type { AppEnv } from '../context.js';

export interface OperationsDeps {
  readonly metrics: Metrics;
  readonly modelVersion: string;
  /** Each session's execution provider, requested and actual, by threads and component. */
  readonly placements: Placements;
  /** How the main thread's model runs are batched across requests. */
  readonly batching: BatchPolicy;
  /** True once models are loaded and warmed, false again while draining. */
  readonly isReady: () => boolean;
}

/** /healthz, /readyz, /metrics. */
export function operationsRoutes(deps: OperationsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const body = {
      model_version: deps.modelVersion,
      providers: deps.placements,
      batching: { max_batch: deps.batching.maxBatch, max_wait_ms: deps.batching.maxWaitMs },
    };
    return deps.isReady()
      ? c.json({ status: 'ready', ...body })
      : c.json({ status: 'not ready', ...body }, 503);
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  return app;
}
