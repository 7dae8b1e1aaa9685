import type { KubeObject } from '../../src/api/object-meta.js';
import type { MetricsSource, ScrapeTarget } from '../../src/controller/metrics-source.js';
import type { KubeClient } from '../../src/kube/kube-client.js';
import { RestKubeClient } from '../../src/kube/rest-client.js';
import type { ResourceType } from '../../src/kube/resource-types.js';
import { createOperator } from '../../src/operator.js';
import { parsePrometheusText, type Sample } from '../../src/rollout/prometheus-text.js';
import { startStandIn } from '../standin/stand-in.js';
import { metricsText } from '../fixtures.js';

/** Where the suite runs: the stand-in by default, a real cluster under `npm run test:cluster`. */
export interface Environment {
  mode: 'stand-in' | 'cluster';
  namespace: string;
  /** The verifier image the suite's services run; on a real cluster it must become ready. */
  image: string;
  /** A client acting as a user (field manager `silentid-test`), not as the operator. */
  user: KubeClient;
  /** A client acting as someone editing objects by hand. */
  human: KubeClient;
  newOperatorClient(): KubeClient;
  /** How long a scenario may wait for the operator before failing. */
  patienceMs: number;
  close(): Promise<void>;
}

const SECRET: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' };

/** Starts the environment named by SILENTID_TEST_CLUSTER. */
export async function startEnvironment(): Promise<Environment> {
  if (process.env.SILENTID_TEST_CLUSTER === '1') {
    if (!process.env.KUBECONFIG)
      throw new Error(
        'test:cluster needs KUBECONFIG pointing at a cluster with the chart CRDs applied',
      );
    const namespace = process.env.SILENTID_TEST_NAMESPACE ?? 'silentid-test';
    const user = RestKubeClient.fromDefault('silentid-test');
    // The pods read the key ring by reference; without the Secret they never start.
    await user.apply(
      SECRET,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'silentid-keys', namespace },
        stringData: { key: 'dcbbad6765e14139a07d34b92292a672', nonce: 'df25d188a061' },
      } as KubeObject,
      { force: true },
    );
    return {
      mode: 'cluster',
      namespace,
      image: process.env.SILENTID_TEST_IMAGE ?? 'ghcr.io/silentid/verifier:0.1.0',
      user,
      human: RestKubeClient.fromDefault('kubectl-edit'),
      newOperatorClient: () => RestKubeClient.fromDefault(),
      patienceMs: 600_000,
      close: async () => {},
    };
  }
  const standIn = await startStandIn();
  return {
    mode: 'stand-in',
    namespace: 'silentid-test',
    image: 'ghcr.io/silentid/verifier:test',
    user: new RestKubeClient(standIn.config, 'silentid-test'),
    human: new RestKubeClient(standIn.config, 'kubectl-edit'),
    newOperatorClient: () => new RestKubeClient(standIn.config),
    patienceMs: 30_000,
    close: () => standIn.close(),
  };
}

/** Traffic one scrape adds to a track: the counters grow by this much every time. */
export type TrafficProfile = Parameters<typeof metricsText>[1];

/**
 * Metrics the suite decides per service and track, standing in for the pods' /metrics.
 * Counters grow with every scrape, as a serving pod's do; on a real cluster the pods
 * exist, but their traffic is not the suite's to control.
 */
export class ScriptedMetrics implements MetricsSource {
  private readonly tracks = new Map<
    string,
    { version: string; profile: TrafficProfile; scrapes: number }
  >();

  set(service: string, track: 'stable' | 'canary', version: string, profile: TrafficProfile): void {
    const key = `${service}/${track}`;
    this.tracks.set(key, { version, profile, scrapes: this.tracks.get(key)?.scrapes ?? 0 });
  }

  async scrape(target: ScrapeTarget): Promise<Sample[]> {
    const entry = this.tracks.get(`${target.service}/${target.track}`);
    if (!entry) return [];
    entry.scrapes += 1;
    const n = entry.scrapes;
    const p = entry.profile;
    const grown = {
      ...p,
      ok: p.ok * n,
      errors: p.errors * n,
      passed: p.passed * n,
      failed: p.failed * n,
    };
    return parsePrometheusText(metricsText(entry.version, grown));
  }
}

/** A running operator and the means to stop it, as a pod termination would. */
export interface RunningOperator {
  stop(): Promise<void>;
}

export function runOperator(env: Environment, metrics: MetricsSource): RunningOperator {
  const abort = new AbortController();
  const operator = createOperator({
    client: env.newOperatorClient(),
    metrics,
    settings: { fetcherImage: 'curlimages/curl:8.11.1' },
    autoscaleIntervalMs: 500,
    workers: 2,
    backoff: { baseMs: 50, maxMs: 2000 },
  });
  const running = operator.run(abort.signal);
  return {
    async stop() {
      abort.abort();
      await running;
    },
  };
}

/** Polls until `probe` returns a value, or fails after the environment's patience. */
export async function waitFor<T>(
  env: Environment,
  what: string,
  probe: () => Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + env.patienceMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
