/**
 * The HTTP application: middleware, routes, and the single error handler. It knows
 * nothing of models beyond handing them to the pipeline.
 */
import { httpInstrumentationMiddleware } from '@hono/otel';
import { trace } from '@opentelemetry/api';
import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { ApiCode, ApiError, invalidArgument } from '../errors/api-error.js';
import type { Logger } from '../observability/logger.js';
import type { Placements } from '../runtime/execution-provider.js';
import type { AppEnv } from './context.js';
import { clientAddressResolver } from './client-address.js';
import { errorResponse } from './error-handler.js';
import type { ApiDeps } from './form-route.js';
import { requestId } from './middleware/request-id.js';
import { apiDocsRoutes } from './routes/api-docs.js';
import { DEMO_PATH, demoRoutes } from './routes/demo.js';
import { operationsRoutes } from './routes/operations.js';
import { IMAGE_VERIFICATION_PATH, imageVerificationRoutes } from './routes/image-verification.js';
import { LIVENESS_PATH, livenessRoutes } from './routes/liveness.js';
import { VERIFY_PATH, verificationRoutes } from './routes/verification.js';
import { SERVICE_VERSION } from '../version.js';

export interface AppDeps extends ApiDeps {
  readonly log: Logger;
  readonly isReady: () => boolean;
  /** What /readyz reports of the model sessions' execution providers. */
  readonly placements: Placements;
}

/** The work endpoints: in-flight gauge, queue, model version. */
const API_PATHS = new Set([VERIFY_PATH, LIVENESS_PATH, IMAGE_VERIFICATION_PATH]);
const KNOWN_PATHS = new Set([
  ...API_PATHS,
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '/docs',
  DEMO_PATH,
]);

/** Paths are logged, and echoed in 404s, up to this length. */
const MAX_LOGGED_PATH = 256;

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const modelVersion = deps.models.bundle.id;
  const app = new Hono<AppEnv>();

  // A server span per request (a no-op unless tracing is on), child of the caller's
  // traceparent; the Prometheus metrics below stay the service's metrics.
  app.use(
    httpInstrumentationMiddleware({
      serviceName: deps.config.tracing.serviceName,
      serviceVersion: SERVICE_VERSION,
      captureActiveRequests: false,
    }),
  );
  app.use(requestId(deps.log));
  const clientAddress = clientAddressResolver(deps.config.http.trustProxy);
  app.use(async (c, next) => {
    const peer = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket.remoteAddress;
    c.set('client', clientAddress(peer, c.req.header('x-forwarded-for')));
    await next();
  });
  app.use(async (c, next) => {
    const t0 = performance.now();
    const tracked = API_PATHS.has(c.req.path);
    if (tracked) deps.metrics.inflight.inc();
    try {
      await next();
    } finally {
      if (tracked) deps.metrics.inflight.dec();
      const code = await responseCode(c.res);
      const route = KNOWN_PATHS.has(c.req.path) ? c.req.path : 'other';
      deps.metrics.requests.labels(route, String(code), modelVersion).inc();
      trace.getActiveSpan()?.setAttributes({
        // @hono/otel records the whole URL; the API takes no query string, so one is
        // whatever a client put there, and it stays out of traces as out of logs.
        'url.full': c.req.url.split('?')[0],
        'silentid.request_id': c.get('requestId'),
        'silentid.code': code,
        'silentid.model_version': modelVersion,
      });
      deps.metrics.requestDuration
        .labels(route, modelVersion)
        .observe((performance.now() - t0) / 1000);
      // Who, what and how it ended; never what was sent (no body, no query string).
      c.get('log').info(
        {
          client: c.get('client'),
          method: c.req.method,
          path: c.req.path.slice(0, MAX_LOGGED_PATH),
          route,
          status: c.res.status,
          code,
          ms: Math.round(performance.now() - t0),
        },
        'request',
      );
    }
  });

  app.route('/', verificationRoutes(deps));
  app.route('/', livenessRoutes(deps));
  app.route('/', imageVerificationRoutes(deps));
  app.route(
    '/',
    operationsRoutes({
      metrics: deps.metrics,
      modelVersion,
      placements: deps.placements,
      batching: deps.config.batching,
      isReady: deps.isReady,
    }),
  );
  app.route('/', apiDocsRoutes(modelVersion));
  if (deps.config.demo.enabled) app.route('/', demoRoutes(deps.config));

  // Hono answers an unmatched method with 404; the spec distinguishes 405, which names
  // the methods the path has in Allow (RFC 9110, 15.5.6).
  const allowed = allowedMethods(app);
  app.notFound((c) => {
    const allow = allowed.get(c.req.path);
    const err =
      allow === undefined
        ? invalidArgument(`no such path: ${c.req.path.slice(0, MAX_LOGGED_PATH)}`, 404)
        : new ApiError(
            ApiCode.invalidArgument,
            `method ${c.req.method} is not allowed on ${c.req.path}; use ${allow}`,
            { status: 405, headers: { Allow: allow } },
          );
    return errorResponse(err, c);
  });
  app.onError((err, c) => errorResponse(err, c));
  return app;
}

/**
 * The methods each fixed path answers, as an Allow value ("GET, HEAD": Hono answers a
 * HEAD with its GET route). Middleware (ALL) and paths with parameters are left out.
 */
function allowedMethods(app: Hono<AppEnv>): Map<string, string> {
  const byPath = new Map<string, Set<string>>();
  for (const { path, method } of app.routes) {
    if (method === 'ALL' || /[:*]/.test(path)) continue;
    const methods = byPath.get(path) ?? new Set<string>();
    methods.add(method);
    if (method === 'GET') methods.add('HEAD');
    byPath.set(path, methods);
  }
  return new Map([...byPath].map(([path, methods]) => [path, [...methods].join(', ')]));
}

/** The API code of a finished response, for metrics: 1000 unless the JSON says otherwise. */
async function responseCode(res: Response): Promise<number> {
  if (res.status === 200) return 1000;
  try {
    const body = (await res.clone().json()) as { code?: unknown };
    return typeof body.code === 'number' ? body.code : 5000;
  } catch {
    return res.status >= 500 ? 5000 : 1200;
  }
}
