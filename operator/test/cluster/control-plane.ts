import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { RestKubeClient } from '../../src/kube/rest-client.js';
import type { ResourceType } from '../../src/kube/resource-types.js';
import { loadCrds } from '../support/kube-schema.js';

const run = promisify(execFile);

/** The repository's sibling folder holds the project's tools; a user's clone may not. */
const TOOLS =
  process.env.SILENTID_K8S_TOOLS ??
  new URL('../../../../shared/tools/k8s', import.meta.url).pathname;

/** A real API server to test against: the admin kubeconfig, and where it came from. */
export interface ControlPlane {
  kubeconfig: string;
  origin: string;
}

const CRD: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
};

let started: Promise<ControlPlane | string> | undefined;

/**
 * The cluster the suites run on: SILENTID_TEST_KUBECONFIG when given (KUBECONFIG alone is
 * never used, so a test cannot touch a cluster it was not pointed at), else the local
 * control plane of ../shared/tools/k8s, started if it is not running. Resolves to the
 * reason when there is neither, so callers can report the skip.
 */
export function controlPlane(): Promise<ControlPlane | string> {
  started ??= (async () => {
    const given = process.env.SILENTID_TEST_KUBECONFIG;
    if (given) return { kubeconfig: given, origin: `SILENTID_TEST_KUBECONFIG=${given}` };
    const up = `${TOOLS}/up.sh`;
    if (!existsSync(up))
      return `no API server: neither SILENTID_TEST_KUBECONFIG nor ${up} (set SILENTID_K8S_TOOLS)`;
    const { stdout } = await run('bash', [up], { timeout: 180_000 });
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(stdout)?.[1];
    if (!kubeconfig) throw new Error(`${up} printed no KUBECONFIG:\n${stdout}`);
    return { kubeconfig, origin: `the local control plane of ${TOOLS}` };
  })();
  return started;
}

/** A client of the control plane acting as `fieldManager`. */
export function adminClient(plane: ControlPlane, fieldManager: string): RestKubeClient {
  const config = new KubeConfig();
  config.loadFromFile(plane.kubeconfig);
  return new RestKubeClient(config, fieldManager);
}

/** Applies the chart's CRDs and waits until the API server serves them. */
export async function installCrds(plane: ControlPlane): Promise<void> {
  const client = adminClient(plane, 'silentid-test');
  const crds = loadCrds();
  for (const crd of crds) await client.apply(CRD, crd, { force: true });
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    for (;;) {
      const served = await client.get(CRD, '', crd.metadata.name);
      const conditions = (
        served?.status as { conditions?: Array<{ type: string; status: string }> }
      )?.conditions;
      if (conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} never established`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
