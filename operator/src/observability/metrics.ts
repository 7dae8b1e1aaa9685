/**
 * The operator's own Prometheus metrics on its health port's /metrics. Names are a
 * contract with the chart's PrometheusRule (charts/silentid/templates/monitoring.yaml)
 * and dashboard: change them together.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** What kind of object a reconcile was for. */
export type ReconcileKind = 'VerificationService' | 'FaceModel';

export interface OperatorMetrics {
  readonly registry: Registry;
  /** One reconcile finished, well or not. */
  reconciled(kind: ReconcileKind, ok: boolean): void;
  /** A status write was sent (one per change; an idle service causes none). */
  statusWritten(kind: ReconcileKind): void;
  /** This replica leads (1) or stands by (0). */
  leading(value: boolean): void;
}

export function createOperatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'silentid_operator_process_' });
  const reconciles = new Counter({
    name: 'silentid_operator_reconcile_total',
    help: 'Reconciles by kind and result (ok, error)',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  const statusWrites = new Counter({
    name: 'silentid_operator_status_writes_total',
    help: 'Status writes by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const leader = new Gauge({
    name: 'silentid_operator_leader',
    help: '1 when this replica holds the leader Lease',
    registers: [registry],
  });
  leader.set(0);
  for (const kind of ['VerificationService', 'FaceModel'])
    for (const result of ['ok', 'error']) reconciles.labels(kind, result).inc(0);
  return {
    registry,
    reconciled: (kind, ok) => reconciles.labels(kind, ok ? 'ok' : 'error').inc(),
    statusWritten: (kind) => statusWrites.labels(kind).inc(),
    leading: (value) => leader.set(value ? 1 : 0),
  };
}
