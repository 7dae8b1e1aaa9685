import { test } from 'node:test';
import { desiredState } from './desired-state.js';
import { validateObject } from '../../test/support/kube-schema.js';
import { builtinModel, OWNER, remoteModel, resolved } from '../../test/fixtures.js';

test('every object the builders produce is valid against its Kubernetes schema', async () => {
  const spec = resolved({
    accelerator: {
      gpus: 1,
      nodeSelector: { gpu: 'yes' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
    },
    autoscaling: {
      mode: 'hpa',
      min: 1,
      max: 3,
      podsMetric: { name: 'silentid_inflight_requests', averageValue: '2' },
    },
    exposure: {
      ingress: { host: 'face.example', className: 'nginx', tlsSecretName: 'tls' },
      httpRoute: { parentRefs: [{ name: 'gw' }], hostnames: ['face.example'] },
    },
  });
  const { apply } = desiredState({
    namespace: 'default',
    service: 'face',
    owner: OWNER,
    spec,
    stableModel: builtinModel('v1'),
    canaryModel: remoteModel('v2'),
    stableReplicas: 3,
    canaryReplicas: 1,
    canaryWeight: 25,
    stableDeploymentExists: false,
    settings: { fetcherImage: 'curlimages/curl:8.11.1' },
  });
  for (const object of apply) await validateObject(object);
});
