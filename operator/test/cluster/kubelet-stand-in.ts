import type { KubeObject } from '../../src/api/object-meta.js';
import type { KubeClient } from '../../src/kube/kube-client.js';
import { Resources } from '../../src/kube/resource-types.js';

/** A kubelet's view of a pod: which conditions it reported. */
interface PodStatus {
  conditions?: Array<{ type: string; status: string }>;
}

function ready(pod: KubeObject): boolean {
  return (
    ((pod.status ?? {}) as PodStatus).conditions?.some(
      (c) => c.type === 'Ready' && c.status === 'True',
    ) === true
  );
}

/** How a Job's pod ends: its container's exit code, or undefined to leave it pending. */
export type JobPodExit = (pod: KubeObject) => number | undefined;

function ownedByJob(pod: KubeObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((ref) => ref.kind === 'Job');
}

function terminal(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * Stands in for the kubelet the test control plane lacks: every Pod created in
 * `namespace` is reported Running and Ready through the status subresource, as a kubelet
 * would once its containers passed their readiness probes. Nothing runs; the ReplicaSet
 * and Deployment controllers then count the pod, so rollouts progress as on a cluster.
 * A Job's pod instead terminates with the exit code `jobPodExit` gives its container
 * (the real Job controller then applies backoff and pod failure policy).
 */
export function standInForKubelet(
  client: KubeClient,
  namespace: string,
  signal: AbortSignal,
  jobPodExit: JobPodExit = () => undefined,
): Promise<void> {
  let podIp = 1;
  const report = (pod: KubeObject, status: object): Promise<unknown> =>
    client
      .applyStatus(Resources.Pod, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod.metadata.name, namespace },
        status,
      } as KubeObject)
      // A pod deleted meanwhile (a scale-down) needs no status.
      .catch(() => undefined);
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const terminate = (pod: KubeObject, exitCode: number) =>
    report(pod, {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: (
        pod.spec as { containers: Array<{ name: string; image: string }> }
      ).containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        state: {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? 'Completed' : 'Error',
            startedAt: now(),
            finishedAt: now(),
          },
        },
      })),
    });
  const markReady = async (pod: KubeObject): Promise<void> => {
    if (pod.metadata.deletionTimestamp || ready(pod) || terminal(pod)) return;
    if (ownedByJob(pod)) {
      const exitCode = jobPodExit(pod);
      if (exitCode !== undefined) await terminate(pod, exitCode);
      return;
    }
    await report(pod, {
      phase: 'Running',
      podIP: `10.244.0.${(podIp++ % 250) + 2}`,
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: now() },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now() },
      ],
    });
  };
  return (async () => {
    while (!signal.aborted) {
      try {
        const { items, resourceVersion } = await client.list(Resources.Pod, namespace);
        await Promise.all(items.map(markReady));
        await client.watch(
          Resources.Pod,
          namespace,
          resourceVersion,
          (event) => {
            if (event.type === 'ADDED' || event.type === 'MODIFIED') void markReady(event.object);
          },
          signal,
        );
      } catch {
        // A watch that expired: list again.
      }
    }
  })();
}
