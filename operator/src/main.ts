import http from 'node:http';
import { hostname } from 'node:os';
import { LeaderElector } from './controller/leader-election.js';
import { podIpMetricsSource, proxyMetricsSource } from './controller/metrics-source.js';
import { RestKubeClient } from './kube/rest-client.js';
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

// Liveness answers as long as the process runs; readiness once it leads or stands by.
http
  .createServer((req, res) => {
    res.writeHead(req.url === '/healthz' || req.url === '/readyz' ? 200 : 404, {
      'content-type': 'text/plain',
    });
    res.end(leading ? 'leader\n' : 'standby\n');
  })
  .listen(config.healthPort);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    log('info', `${signal}: stopping`);
    abort.abort();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

const elector = new LeaderElector(client, {
  namespace: config.leaseNamespace,
  name: config.leaseName,
  identity: config.identity,
  leaseDurationSeconds: 15,
  renewIntervalMs: 5000,
});
await elector.run(abort.signal, () => {
  // Another replica may already act: stop at once rather than race it.
  log('error', 'leadership lost; exiting');
  process.exit(1);
});
if (!abort.signal.aborted) {
  leading = true;
  log('info', `${config.identity} leads`);
  const operator = createOperator({
    client,
    metrics:
      config.metricsVia === 'proxy' ? proxyMetricsSource(client) : podIpMetricsSource(client),
    settings: { fetcherImage: config.fetcherImage },
    autoscaleIntervalMs: 2000,
    workers: config.workers,
    log: (message) => log('warn', message),
  });
  await operator.run(abort.signal);
}
