import http from 'node:http';
import { hostname } from 'node:os';
import { LeaderElector } from './controller/leader-election.js';
import { podIpMetricsSource, proxyMetricsSource } from './controller/metrics-source.js';
import { RestKubeClient } from './kube/rest-client.js';
import { createOperatorMetrics } from './observability/metrics.js';
import { createOperator } from './operator.js';

/** Operator configuration, from the environment the chart sets. */
const env = process.env;
const config = {
  fetcherImage: env.FETCHER_IMAGE ?? 'curlimages/curl:8.11.1',
  leaseNamespace: env.LEADER_ELECTION_NAMESPACE ?? 'default',
  leaseName: env.LEADER_ELECTION_LEASE ?? 'silentid-operator',
  identity: env.POD_NAME ?? `${hostname()}-${process.pid}`,
  healthPort: Number(env.HEALTH_PORT ?? 8081),
  // Outside the cluster pod IPs are unreachable; the API server's proxy is the way in.
  metricsVia: env.METRICS_VIA ?? (env.KUBERNETES_SERVICE_HOST ? 'pod-ip' : 'proxy'),
  workers: Number(env.WORKERS ?? 4),
};

function log(level: string, message: string): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, message })}\n`);
}

const client = RestKubeClient.fromDefault();
const abort = new AbortController();
let leading = false;

const metrics = createOperatorMetrics();

// Liveness answers as long as the process runs; readiness once it leads or stands by.
// /metrics on the same port: the operator's own counters, for the chart's alerts.
const health = http
  .createServer((req, res) => {
    if (req.url === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    res.writeHead(req.url === '/healthz' || req.url === '/readyz' ? 200 : 404, {
      'content-type': 'text/plain',
    });
    res.end(leading ? 'leader\n' : 'standby\n');
  })
  .listen(config.healthPort, () => {
    const address = health.address();
    const port = typeof address === 'object' && address ? address.port : config.healthPort;
    log('info', `health and metrics on :${port}`);
  });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (abort.signal.aborted) {
      log('warn', `${signal} again: exiting without releasing the Lease`);
      process.exit(1);
    }
    log('info', `${signal}: stopping`);
    abort.abort();
  });
}

// client-go's defaults: a leader that cannot renew for 10 s stops before a standby,
// which waits 15 s from the last renewal it saw, may take over.
const elector = new LeaderElector(client, {
  namespace: config.leaseNamespace,
  name: config.leaseName,
  identity: config.identity,
  leaseDurationSeconds: 15,
  renewDeadlineMs: 10_000,
  renewIntervalMs: 2000,
});
await elector.run(abort.signal, () => {
  // Another replica may act soon: stop at once rather than race it.
  log('error', 'leadership lost; exiting');
  process.exit(1);
});
if (!abort.signal.aborted) {
  leading = true;
  metrics.leading(true);
  log('info', `${config.identity} leads`);
  const operator = createOperator({
    client,
    metrics:
      config.metricsVia === 'proxy' ? proxyMetricsSource(client) : podIpMetricsSource(client),
    settings: { fetcherImage: config.fetcherImage },
    autoscaleIntervalMs: 2000,
    workers: config.workers,
    log: (message) => log('warn', message),
    operatorMetrics: metrics,
  });
  await operator.run(abort.signal);
}
// Only now that no reconcile runs: hand the Lease over at once instead of letting it expire.
await elector.release();
metrics.leading(false);
health.close();
log('info', 'stopped');
process.exit(0);
