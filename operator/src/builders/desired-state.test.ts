import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  V1Deployment,
  V1PodDisruptionBudget,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { desiredState, type DesiredInput } from './desired-state.js';
import { builtinModel, OWNER, remoteModel, resolved } from '../../test/fixtures.js';
import type { KubeObject } from '../api/object-meta.js';
import type { VerificationService } from '../api/verification-service.js';

function input(
  overrides: Partial<VerificationService['spec']> = {},
  extra: Partial<DesiredInput> = {},
): DesiredInput {
  return {
    namespace: 'default',
    service: 'face',
    owner: OWNER,
    spec: resolved(overrides),
    stableModel: builtinModel('v1'),
    canaryModel: undefined,
    stableReplicas: 4,
    canaryReplicas: 0,
    canaryWeight: 0,
    stableDeploymentExists: false,
    settings: { fetcherImage: 'curlimages/curl:8.11.1' },
    ...extra,
  };
}

function find<T>(objects: KubeObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} is desired`);
  return found as unknown as T;
}

test('every child carries a controller owner reference to the VerificationService', () => {
  const { apply } = desiredState(input());
  for (const object of apply)
    assert.deepEqual(
      object.metadata.ownerReferences,
      [OWNER],
      `${object.kind} ${object.metadata.name}`,
    );
});

test('GPU count becomes nvidia.com/gpu limits with node selector, tolerations and runtime class', () => {
  const accelerator = {
    gpus: 1,
    nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    tolerations: [
      { key: 'nvidia.com/gpu', operator: 'Exists' as const, effect: 'NoSchedule' as const },
    ],
    runtimeClassName: 'nvidia',
  };
  const pod = find<V1Deployment>(
    desiredState(input({ accelerator })).apply,
    'Deployment',
    'face-stable',
  ).spec!.template.spec!;
  assert.equal(pod.containers[0]!.resources!.limits!['nvidia.com/gpu'], '1');
  assert.deepEqual(pod.nodeSelector, accelerator.nodeSelector);
  assert.deepEqual(pod.tolerations, accelerator.tolerations);
  assert.equal(pod.runtimeClassName, 'nvidia');
  assert.ok(
    pod.containers[0]!.env!.some((e) => e.name === 'ORT_EXECUTION_PROVIDER' && e.value === 'cuda'),
  );
});

test('a CPU service asks for no GPU and no GPU placement', () => {
  const pod = find<V1Deployment>(desiredState(input()).apply, 'Deployment', 'face-stable').spec!
    .template.spec!;
  assert.equal(pod.containers[0]!.resources!.limits?.['nvidia.com/gpu'], undefined);
  assert.equal(pod.nodeSelector, undefined);
  assert.equal(pod.runtimeClassName, undefined);
});

test('the execution provider: cuda with GPUs, cpu without, webgpu when asked with its runtime folder', () => {
  const env = (accelerator: VerificationService['spec']['accelerator']) =>
    Object.fromEntries(
      find<V1Deployment>(desiredState(input({ accelerator })).apply, 'Deployment', 'face-stable')
        .spec!.template.spec!.containers[0]!.env!.filter((e) => e.value !== undefined)
        .map((e) => [e.name, e.value]),
    );
  assert.equal(env({ gpus: 1 }).ORT_EXECUTION_PROVIDER, 'cuda');
  assert.equal(env({ gpus: 0 }).ORT_EXECUTION_PROVIDER, 'cpu');
  const webgpu = env({ gpus: 1, executionProvider: 'webgpu' });
  assert.equal(webgpu.ORT_EXECUTION_PROVIDER, 'webgpu');
  assert.equal(webgpu.XDG_RUNTIME_DIR, '/tmp');
  assert.equal(webgpu.VISION_WORKERS, undefined, "frame workers run the main thread's sessions");
  assert.equal(env({ gpus: 1 }).XDG_RUNTIME_DIR, undefined);
});

test('spec.env reaches the pods, but never over a variable the operator sets', () => {
  const env = (accelerator: VerificationService['spec']['accelerator']) =>
    find<V1Deployment>(
      desiredState(
        input({
          accelerator,
          env: [
            { name: 'TRUST_PROXY', value: '10.0.0.0/8' },
            { name: 'ORT_EXECUTION_PROVIDER', value: 'cpu' },
            { name: 'OTEL_SERVICE_NAME', value: 'x' },
            { name: 'VISION_WORKERS', value: '2' },
          ],
        }),
      ).apply,
      'Deployment',
      'face-stable',
    ).spec!.template.spec!.containers[0]!.env!.map((e) => `${e.name}=${e.value ?? '<ref>'}`);
  const gpu = env({ gpus: 1 });
  assert.ok(gpu.includes('TRUST_PROXY=10.0.0.0/8'));
  assert.ok(gpu.includes('VISION_WORKERS=2'));
  assert.deepEqual(
    gpu.filter((e) => e.startsWith('ORT_EXECUTION_PROVIDER=')),
    ['ORT_EXECUTION_PROVIDER=cuda'],
  );
  assert.ok(!gpu.some((e) => e.startsWith('OTEL_')));
  const webgpu = env({ gpus: 1, executionProvider: 'webgpu' });
  assert.deepEqual(
    webgpu.filter((e) => e.startsWith('VISION_WORKERS=')),
    ['VISION_WORKERS=2'],
  );
});

test('probes are wired to /healthz and /readyz on the named http port', () => {
  const container = find<V1Deployment>(desiredState(input()).apply, 'Deployment', 'face-stable')
    .spec!.template.spec!.containers[0]!;
  assert.equal(container.livenessProbe!.httpGet!.path, '/healthz');
  assert.equal(container.readinessProbe!.httpGet!.path, '/readyz');
  assert.equal(container.startupProbe!.httpGet!.path, '/readyz');
  assert.equal(container.readinessProbe!.httpGet!.port, 'http');
  assert.deepEqual(container.ports, [{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
});

test('a remote bundle is fetched and sha256-checked by an init container into an emptyDir mounted read-only', () => {
  const pod = find<V1Deployment>(
    desiredState(input({}, { stableModel: remoteModel('v2') })).apply,
    'Deployment',
    'face-stable',
  ).spec!.template.spec!;
  const init = pod.initContainers![0]!;
  assert.match(init.command!.join(' '), /sha256sum -c -/);
  assert.ok(init.env!.some((e) => e.name === 'BUNDLE_SHA256' && e.value === 'a'.repeat(64)));
  assert.ok(pod.volumes!.some((v) => v.name === 'model' && v.emptyDir));
  const mount = pod.containers[0]!.volumeMounts!.find((m) => m.name === 'model')!;
  assert.equal(mount.readOnly, true);
  assert.ok(
    pod.containers[0]!.env!.some(
      (e) => e.name === 'MODEL_BUNDLE_DIR' && e.value === mount.mountPath,
    ),
  );
});

test('a built-in bundle needs no init container and points into the image', () => {
  const pod = find<V1Deployment>(desiredState(input()).apply, 'Deployment', 'face-stable').spec!
    .template.spec!;
  assert.equal(pod.initContainers, undefined);
  assert.ok(
    pod.containers[0]!.env!.some(
      (e) => e.name === 'MODEL_BUNDLE_DIR' && e.value === '/app/models/faceplugin/v1',
    ),
  );
});

test('every container runs under the restricted security profile with a read-only root', () => {
  const pod = find<V1Deployment>(
    desiredState(input({}, { stableModel: remoteModel('v2') })).apply,
    'Deployment',
    'face-stable',
  ).spec!.template.spec!;
  assert.equal(pod.securityContext!.runAsNonRoot, true);
  assert.equal(pod.securityContext!.seccompProfile!.type, 'RuntimeDefault');
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    assert.equal(c.securityContext!.readOnlyRootFilesystem, true, c.name);
    assert.equal(c.securityContext!.allowPrivilegeEscalation, false, c.name);
    assert.deepEqual(c.securityContext!.capabilities!.drop, ['ALL'], c.name);
  }
});

test('a PodDisruptionBudget and topology spread protect the stable track', () => {
  const { apply } = desiredState(input());
  const pdb = find<V1PodDisruptionBudget>(apply, 'PodDisruptionBudget', 'face');
  assert.deepEqual(pdb.spec!.selector!.matchLabels, {
    'silentid.dev/service': 'face',
    'silentid.dev/track': 'stable',
  });
  const spread = find<V1Deployment>(apply, 'Deployment', 'face-stable').spec!.template.spec!
    .topologySpreadConstraints!;
  assert.deepEqual(
    spread.map((s) => s.topologyKey),
    ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'],
  );
});

test('HPA mode leaves Deployment replicas to the HPA; other modes prune the HPA', () => {
  const hpaMode = desiredState(
    input({ autoscaling: { mode: 'hpa', min: 2, max: 8, cpuUtilization: 60 } }),
  );
  assert.equal(
    find<V1Deployment>(hpaMode.apply, 'Deployment', 'face-stable').spec!.replicas,
    undefined,
  );
  const hpa = find<V2HorizontalPodAutoscaler>(hpaMode.apply, 'HorizontalPodAutoscaler', 'face');
  assert.equal(hpa.spec!.scaleTargetRef.name, 'face-stable');
  assert.equal(hpa.spec!.metrics![0]!.resource!.target.averageUtilization, 60);
  // …but a new one starts at the HPA's minimum, not at 1 until the HPA first syncs.
  assert.deepEqual(hpaMode.initialReplicas, { 'face-stable': 2 });
  const fixed = desiredState(input());
  assert.equal(find<V1Deployment>(fixed.apply, 'Deployment', 'face-stable').spec!.replicas, 4);
  assert.ok(fixed.prune.some((r) => r.kind === 'HorizontalPodAutoscaler'));
  assert.deepEqual(fixed.initialReplicas, {});
});

test('a canary gets its own Deployment; without a route it shares the main Service', () => {
  const { apply, prune } = desiredState(
    input({}, { canaryModel: builtinModel('v2'), stableReplicas: 3, canaryReplicas: 1 }),
  );
  const canary = find<V1Deployment>(apply, 'Deployment', 'face-canary');
  assert.equal(canary.spec!.replicas, 1);
  assert.equal(canary.spec!.template.metadata!.labels!['silentid.dev/model'], 'v2');
  assert.ok(prune.some((r) => r.kind === 'HTTPRoute'));
  assert.ok(prune.some((r) => r.kind === 'Service' && r.name === 'face-canary'));
});

test('a stable track whose FaceModel is gone keeps its Deployment: neither rendered nor pruned', () => {
  const { apply, prune } = desiredState(
    input({}, { stableModel: undefined, canaryModel: builtinModel('v2'), canaryReplicas: 1 }),
  );
  const names = (list: Array<{ kind: string; metadata?: { name: string }; name?: string }>) =>
    list.filter((o) => o.kind === 'Deployment').map((o) => o.metadata?.name ?? o.name);
  assert.deepEqual(names(apply), ['face-canary']);
  assert.deepEqual(names(prune), []);
});

test('with an HTTPRoute the canary weight splits traffic between track Services', () => {
  const exposure = { httpRoute: { parentRefs: [{ name: 'public' }], hostnames: ['face.example'] } };
  const { apply } = desiredState(
    input({ exposure }, { canaryModel: builtinModel('v2'), canaryReplicas: 1, canaryWeight: 25 }),
  );
  const route = find<{
    spec: { rules: Array<{ backendRefs: Array<{ name: string; weight: number }> }> };
  }>(apply, 'HTTPRoute', 'face');
  assert.deepEqual(
    route.spec.rules[0]!.backendRefs.map((b) => [b.name, b.weight]),
    [
      ['face-stable', 75],
      ['face-canary', 25],
    ],
  );
  find(apply, 'Service', 'face-canary');
});

test('an Ingress with class and TLS points at the main Service', () => {
  const exposure = {
    ingress: { className: 'nginx', host: 'face.example', tlsSecretName: 'face-tls' },
  };
  const ingress = find<{
    spec: { ingressClassName: string; tls: unknown[]; rules: Array<{ host: string }> };
  }>(desiredState(input({ exposure })).apply, 'Ingress', 'face');
  assert.equal(ingress.spec.ingressClassName, 'nginx');
  assert.deepEqual(ingress.spec.tls, [{ hosts: ['face.example'], secretName: 'face-tls' }]);
});

test('the key ring comes from the Secret, previous key optional', () => {
  const env = find<V1Deployment>(desiredState(input()).apply, 'Deployment', 'face-stable').spec!
    .template.spec!.containers[0]!.env!;
  const key = env.find((e) => e.name === 'SILENTID_KEY')!;
  assert.deepEqual(key.valueFrom!.secretKeyRef, {
    name: 'silentid-keys',
    key: 'key',
    optional: false,
  });
  assert.equal(
    env.find((e) => e.name === 'SILENTID_PREVIOUS_KEY')!.valueFrom!.secretKeyRef!.optional,
    true,
  );
});

test('tracing sends each track’s spans to the collector under the service’s name', () => {
  const { apply } = desiredState(
    input(
      { tracing: { otlpEndpoint: 'http://otel-collector.observability:4318' } },
      { canaryModel: builtinModel('v2'), stableReplicas: 3, canaryReplicas: 1 },
    ),
  );
  for (const track of ['stable', 'canary']) {
    const env = find<V1Deployment>(apply, 'Deployment', `face-${track}`).spec!.template.spec!
      .containers[0]!.env!;
    const value = (name: string) => env.find((e) => e.name === name)?.value;
    assert.equal(value('OTEL_EXPORTER_OTLP_ENDPOINT'), 'http://otel-collector.observability:4318');
    assert.equal(value('OTEL_SERVICE_NAME'), 'face');
    assert.equal(value('OTEL_RESOURCE_ATTRIBUTES'), `silentid.track=${track}`);
  }
  const untraced = find<V1Deployment>(desiredState(input()).apply, 'Deployment', 'face-stable');
  assert.ok(
    !untraced.spec!.template.spec!.containers[0]!.env!.some((e) => e.name.startsWith('OTEL_')),
  );
});
