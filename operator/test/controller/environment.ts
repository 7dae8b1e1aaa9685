import type { KubeObject } from '../../src/api/object-meta.js';
import type { VerificationServiceSpec } from '../../src/api/verification-service.js';
import type { MetricsSource, ScrapeTarget } from '../../src/controller/metrics-source.js';
import type { KubeClient } from '../../src/kube/kube-client.js';
import { RestKubeClient } from '../../src/kube/rest-client.js';
import { Resources, type ResourceType } from '../../src/kube/resource-types.js';
import { createOperator } from '../../src/operator.js';
import { parsePrometheusText, type Sample } from '../../src/rollout/prometheus-text.js';
import { FIELD_MANAGER } from '../../src/api/group.js';
import { adminClient, controlPlane, installCrds } from '../cluster/control-plane.js';
import { standInForKubelet } from '../cluster/kubelet-stand-in.js';
import { startStandIn } from '../standin/stand-in.js';
import { metricsText } from '../fixtures.js';

/** Where the suite runs: a real API server when one is at hand, else the stand-in. */
export interface Environment {
  mode: 'stand-in' | 'cluster';
  /** Why the suite is not on a real API server; undefined when it is. */
  standInReason?: string;
  namespace: string;
  /** The verifier image the suite's services name; no pod runs it in either mode. */
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
const NAMESPACE: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
};

/**
 * A namespace of its own per run (a deleted one lingers while the cluster empties it),
 * enforcing the restricted Pod Security Standard: the API server's admission then refuses
 * any pod the chart or the operator specifies with less than the restricted profile.
 */
export async function createTestNamespace(client: KubeClient, prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${process.pid}`;
  await client.create(NAMESPACE, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'silentid.dev/test': 'true',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  });
  // The pods read the key ring by reference; a real API server admits them without it.
  await client.create(SECRET, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'silentid-keys', namespace: name },
    stringData: { key: 'dcbbad6765e14139a07d34b92292a672', nonce: 'df25d188a061' },
  } as KubeObject);
  return name;
}

/** Deletes a test namespace; the cluster's controllers collect what it held. */
export async function deleteTestNamespace(client: KubeClient, name: string): Promise<void> {
  await client.delete(NAMESPACE, '', name);
}

/**
 * A real API server (SILENTID_TEST_KUBECONFIG, or ../shared/tools/k8s started on demand)
 * unless SILENTID_TEST_STANDIN=1; the stand-in when there is none, saying why. Under
 * `npm run test:cluster` (SILENTID_TEST_CLUSTER=1) a missing API server is an error.
 */
export async function startEnvironment(): Promise<Environment> {
  const plane =
    process.env.SILENTID_TEST_STANDIN === '1'
      ? 'SILENTID_TEST_STANDIN=1 asks for the stand-in'
      : await controlPlane();
  if (typeof plane === 'string') {
    if (process.env.SILENTID_TEST_CLUSTER === '1') throw new Error(plane);
    return standInEnvironment(plane);
  }
  await installCrds(plane);
  const admin = adminClient(plane, 'silentid-test');
  const namespace = await createTestNamespace(admin, 'silentid-test');
  const stop = new AbortController();
  const kubelet = standInForKubelet(adminClient(plane, 'kubelet-stand-in'), namespace, stop.signal);
  return {
    mode: 'cluster',
    namespace,
    image: 'ghcr.io/silentid/verifier:test',
    user: admin,
    human: adminClient(plane, 'kubectl-edit'),
    newOperatorClient: () => adminClient(plane, FIELD_MANAGER),
    patienceMs: 60_000,
    close: async () => {
      stop.abort();
      await kubelet;
      await deleteTestNamespace(admin, namespace);
    },
  };
}

async function standInEnvironment(reason: string): Promise<Environment> {
  const standIn = await startStandIn();
  return {
    mode: 'stand-in',
    standInReason: reason,
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

/** What a test may change about the operator it runs. */
export interface OperatorOverrides {
  /** The operator's API client, e.g. one acting as the chart's ServiceAccount. */
  client?: KubeClient;
  /** Where the operator's warnings go (reconcile failures, event write errors). */
  log?: (message: string) => void;
}

export function runOperator(
  env: Environment,
  metrics: MetricsSource,
  overrides: OperatorOverrides = {},
): RunningOperator {
  const abort = new AbortController();
  const operator = createOperator({
    client: overrides.client ?? env.newOperatorClient(),
    metrics,
    settings: { fetcherImage: 'curlimages/curl:8.11.1' },
    autoscaleIntervalMs: 500,
    workers: 2,
    backoff: { baseMs: 50, maxMs: 2000 },
    ...(overrides.log ? { log: overrides.log } : {}),
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

/** Applies a VerificationService as `client`'s field manager, taking over what it sets. */
export function applyService(
  client: KubeClient,
  namespace: string,
  name: string,
  spec: VerificationServiceSpec,
): Promise<KubeObject> {
  return client.apply(
    Resources.VerificationService,
    {
      apiVersion: 'silentid.dev/v1alpha1',
      kind: 'VerificationService',
      metadata: { name, namespace },
      spec,
    } as unknown as KubeObject,
    { force: true },
  );
}
