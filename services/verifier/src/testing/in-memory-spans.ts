/**
 * Spans recorded in memory for tests: a tracer provider that keeps every finished span,
 * registered globally (as the service's own provider is) until `shutdown`.
 */
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';

export interface InMemorySpans {
  readonly exporter: InMemorySpanExporter;
  shutdown(): Promise<void>;
}

export function recordSpansInMemory(): InMemorySpans {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  return { exporter, shutdown: () => provider.shutdown() };
}
