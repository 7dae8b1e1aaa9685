import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ControlPlane } from './control-plane.js';

/**
 * A kubeconfig that authenticates as a ServiceAccount with a short-lived token from the
 * TokenRequest API, as a pod's projected token does: what the chart's RBAC grants that
 * account is all the holder may do. Written to a file (mode 600) for child processes.
 */
export async function serviceAccountKubeconfig(
  plane: ControlPlane,
  namespace: string,
  name: string,
): Promise<{ config: KubeConfig; file: string }> {
  const admin = new KubeConfig();
  admin.loadFromFile(plane.kubeconfig);
  const { status } = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  if (!status?.token || !cluster) throw new Error(`no token for ${namespace}/${name}`);
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token: status.token }],
    contexts: [{ name, cluster: cluster.name, user: name, namespace }],
    currentContext: name,
  });
  const file = join(tmpdir(), `silentid-${namespace}-${name}.kubeconfig`);
  writeFileSync(file, config.exportConfig(), { mode: 0o600 });
  return { config, file };
}
