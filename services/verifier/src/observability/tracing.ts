/**
 * OpenTelemetry traces: a server span per request (the Hono middleware, @hono/otel) with
 * one child span per pipeline stage (pipeline/stage-timer.ts), exported over OTLP/HTTP to
 * the endpoint in the standard OTEL_EXPORTER_OTLP_* variables. Without an endpoint
 * nothing is registered and every span is the API's no-op. Spans carry routes, status,
 * codes and ids, never request content: biometric data stays out of traces as out of logs.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Config } from '../config/config.js';

export interface Tracing {
  /** Exports what is still buffered, then stops; never waits past SHUTDOWN_EXPORT_MS. */
  shutdown(): Promise<void>;
}

/** An unreachable collector must not hold up a pod's termination. */
const SHUTDOWN_EXPORT_MS = 3000;

/**
 * Registers the global tracer provider, context manager (AsyncLocalStorage, so stage
 * spans find their request's span) and W3C trace-context propagator, when configured.
 */
export function startTracing(
  config: Config['tracing'],
  serviceVersion: string,
  modelVersion: string,
): Tracing | undefined {
  if (!config.enabled) return undefined;
  const provider = new NodeTracerProvider({
    // OTEL_RESOURCE_ATTRIBUTES adds to these (the operator marks each rollout track so).
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(
        resourceFromAttributes({
          [ATTR_SERVICE_NAME]: config.serviceName,
          [ATTR_SERVICE_VERSION]: serviceVersion,
          'silentid.model_version': modelVersion,
        }),
      ),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return {
    shutdown: () =>
      Promise.race([
        provider.shutdown().catch(() => undefined),
        new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_EXPORT_MS).unref()),
      ]),
  };
}
