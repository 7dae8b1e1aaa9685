/**
 * Prometheus metrics on /metrics. Names and labels are a contract: the operator's
 * rollout analysis and concurrency autoscaler read them (operator/), so change them
 * together.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Stage } from '../pipeline/stage-timer.js';
import type { Placements } from '../runtime/execution-provider.js';

export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'code' | 'model_version'>;
  readonly requestDuration: Histogram<'route' | 'model_version'>;
  readonly stageDuration: Histogram<'stage' | 'model_version'>;
  readonly inflight: Gauge;
  readonly queueDepth: Gauge;
  readonly livenessDecisions: Counter<'model_version' | 'passed'>;
  readonly livenessScore: Histogram<'model_version'>;
  readonly blinkSearches: Counter<'model_version' | 'blink_found'>;
  observeStages(stages: Partial<Record<Stage, number>>): void;
  /** One batch of `size` images through `component` (batching across requests). */
  observeBatch(component: string, size: number): void;
  /** Sets silentid_model_execution_provider: 1 per session group, with what it got. */
  recordPlacements(placements: Placements): void;
}

export function createMetrics(modelVersion: string): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'silentid_process_' });
  const latency = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2.5, 5, 10];
  new Gauge({
    name: 'silentid_model_info',
    help: 'The model bundle this pod serves',
    labelNames: ['model_version'],
    registers: [registry],
  })
    .labels(modelVersion)
    .set(1);
  const executionProvider = new Gauge({
    name: 'silentid_model_execution_provider',
    help: 'Execution provider each model session runs on (provider), and the one configured (requested)',
    labelNames: ['model_version', 'threads', 'component', 'provider', 'requested'] as const,
    registers: [registry],
  });
  const stageDuration = new Histogram({
    name: 'silentid_stage_duration_seconds',
    help: 'Time per pipeline stage of a verification request',
    labelNames: ['stage', 'model_version'] as const,
    buckets: latency,
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'silentid_model_batch_size',
    help: 'Images per model run when runs are batched across requests (ORT_BATCH_MAX > 1)',
    labelNames: ['model_version', 'component'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  return {
    registry,
    requests: new Counter({
      name: 'silentid_requests_total',
      help: 'Requests by route and API response code',
      labelNames: ['route', 'code', 'model_version'] as const,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'silentid_request_duration_seconds',
      help: 'End-to-end request latency',
      labelNames: ['route', 'model_version'] as const,
      buckets: latency,
      registers: [registry],
    }),
    stageDuration,
    inflight: new Gauge({
      name: 'silentid_inflight_requests',
      help: 'Verification requests being processed',
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'silentid_queue_depth',
      help: 'Verification requests waiting for a slot',
      registers: [registry],
    }),
    livenessDecisions: new Counter({
      name: 'silentid_liveness_decisions_total',
      help: 'Liveness decisions by outcome',
      labelNames: ['model_version', 'passed'] as const,
      registers: [registry],
    }),
    livenessScore: new Histogram({
      name: 'silentid_liveness_score',
      help: 'Distribution of liveness_score (drift between model versions shows here)',
      labelNames: ['model_version'] as const,
      buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      registers: [registry],
    }),
    blinkSearches: new Counter({
      name: 'silentid_liveness_blink_searches_total',
      help: 'Clips whose first window showed a still face, searched on for a blink (decision 0028), by whether one was found',
      labelNames: ['model_version', 'blink_found'] as const,
      registers: [registry],
    }),
    observeStages(stages) {
      for (const [stage, ms] of Object.entries(stages))
        stageDuration.labels(stage, modelVersion).observe(ms / 1000);
    },
    observeBatch(component, size) {
      batchSize.labels(modelVersion, component).observe(size);
    },
    recordPlacements(placements) {
      executionProvider.reset();
      for (const [threads, byComponent] of Object.entries(placements))
        for (const [component, p] of Object.entries(byComponent))
          executionProvider
            .labels(modelVersion, threads, component, p.provider, p.requested)
            .set(1);
    },
  };
}
