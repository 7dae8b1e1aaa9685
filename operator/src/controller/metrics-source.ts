import { LABEL_SERVICE, LABEL_TRACK } from '../api/group.js';
import type { Track } from '../builders/labels.js';
import { HTTP_PORT } from '../builders/pod-template.js';
import type { KubeClient } from '../kube/kube-client.js';
import { Resources } from '../kube/resource-types.js';
import { parsePrometheusText, type Sample } from '../rollout/prometheus-text.js';

/** Which pods to scrape. */
export interface ScrapeTarget {
  namespace: string;
  service: string;
  track: Track;
}

/** Reads the Prometheus samples of every ready pod of a track, concatenated. */
export interface MetricsSource {
  scrape(target: ScrapeTarget): Promise<Sample[]>;
}

interface PodView {
  metadata: { name: string };
  status?: { podIP?: string; conditions?: Array<{ type: string; status: string }> };
}

async function readyPods(client: KubeClient, target: ScrapeTarget): Promise<PodView[]> {
  const { items } = await client.list(
    Resources.Pod,
    target.namespace,
    `${LABEL_SERVICE}=${target.service},${LABEL_TRACK}=${target.track}`,
  );
  return (items as unknown as PodView[]).filter((pod) =>
    pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}

/**
 * Scrapes pods at their IPs, as in-cluster autoscalers do, keeping load off the API
 * server. A pod that fails to answer is skipped: its absence shows up as fewer requests.
 */
export function podIpMetricsSource(client: KubeClient, timeoutMs = 3000): MetricsSource {
  return {
    async scrape(target) {
      const pods = await readyPods(client, target);
      const texts = await Promise.all(
        pods.map(async (pod) => {
          if (!pod.status?.podIP) return '';
          try {
            const response = await fetch(`http://${pod.status.podIP}:${HTTP_PORT}/metrics`, {
              signal: AbortSignal.timeout(timeoutMs),
            });
            return response.ok ? await response.text() : '';
          } catch {
            return '';
          }
        }),
      );
      return texts.flatMap(parsePrometheusText);
    },
  };
}

/** Scrapes through the API server's pod proxy, for an operator running outside the cluster. */
export function proxyMetricsSource(client: KubeClient): MetricsSource {
  return {
    async scrape(target) {
      const pods = await readyPods(client, target);
      const texts = await Promise.all(
        pods.map((pod) =>
          client
            .proxyPod(target.namespace, pod.metadata.name, HTTP_PORT, '/metrics')
            .catch(() => ''),
        ),
      );
      return texts.flatMap(parsePrometheusText);
    },
  };
}
