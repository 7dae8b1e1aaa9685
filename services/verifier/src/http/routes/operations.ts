import { Hono } from 'hono';
import type { Metrics } from '../../observability/metrics.js';
import type { AppEnv } from '../context.js';

export interface OperationsDeps {
  readonly metrics: Metrics;
  readonly modelVersion: string;
  /** True once models are loaded and warmed, false again while draining. */
  readonly isReady: () => boolean;
}

/** /healthz, /readyz, /metrics. */
export function operationsRoutes(deps: OperationsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) =>
    deps.isReady()
      ? c.json({ status: 'ready', model_version: deps.modelVersion })
      : c.json({ status: 'not ready', model_version: deps.modelVersion }, 503),
  );
  app.get('/metrics', async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  return app;
}
