import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helm } from '../support/helm.js';
import { loadCrds, validateObject } from '../support/kube-schema.js';
import type { KubeObject } from '../../src/api/object-meta.js';

const CHART = new URL('../../../charts/silentid/', import.meta.url).pathname;
const valuesFiles = [
  '',
  ...readdirSync(join(CHART, 'ci'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(CHART, 'ci', f)),
];

function render(valuesFile: string): KubeObject[] {
  const args = [
    'template',
    'silentid',
    CHART,
    '--namespace',
    'silentid',
    '--include-crds',
    ...(valuesFile ? ['-f', valuesFile] : []),
  ];
  return parseAllDocuments(helm(args))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

function byKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

for (const valuesFile of valuesFiles) {
  const label = valuesFile ? valuesFile.slice(CHART.length) : 'default values';

  test(`helm lint --strict passes with ${label}`, () => {
    helm(['lint', '--strict', CHART, ...(valuesFile ? ['-f', valuesFile] : [])]);
  });

  test(`every object rendered with ${label} is valid against its Kubernetes schema`, async () => {
    const objects = render(valuesFile);
    assert.ok(objects.length > 0);
    for (const object of objects) await validateObject(object);
  });
}

test('the CRDs are valid apiextensions/v1 objects with a status subresource and printer columns', async () => {
  for (const crd of loadCrds()) {
    await validateObject(crd);
    const version = (
      crd.spec as {
        versions: Array<{
          subresources?: { status?: object };
          additionalPrinterColumns?: unknown[];
        }>;
      }
    ).versions[0]!;
    assert.ok(version.subresources?.status, `${crd.metadata.name} has a status subresource`);
    assert.ok(
      (version.additionalPrinterColumns ?? []).length > 0,
      `${crd.metadata.name} has printer columns`,
    );
  }
});

test('the operator never gets access to Secrets', () => {
  for (const role of [...byKind(render(''), 'ClusterRole'), ...byKind(render(''), 'Role')]) {
    for (const rule of role.rules as Array<{ resources: string[] }>)
      assert.ok(!rule.resources.includes('secrets'), role.metadata.name);
  }
});

test('the default values ask for a GPU; the CPU values file asks for none', () => {
  const gpu = byKind(render(''), 'VerificationService')[0]!.spec as {
    accelerator: { gpus: number; tolerations: unknown[] };
    image: string;
  };
  assert.equal(gpu.accelerator.gpus, 1);
  assert.ok(gpu.accelerator.tolerations.length > 0);
  assert.match(gpu.image, /-gpu$/);
  const cpu = byKind(render(join(CHART, 'ci', 'cpu-values.yaml')), 'VerificationService')[0]!
    .spec as { accelerator: { gpus: number; nodeSelector?: object }; image: string };
  assert.equal(cpu.accelerator.gpus, 0);
  assert.doesNotMatch(cpu.image, /-gpu$/);
});

test('the operator-only values install no VerificationService and no key ring', () => {
  const objects = render(join(CHART, 'ci', 'operator-only-values.yaml'));
  assert.equal(byKind(objects, 'VerificationService').length, 0);
  assert.equal(byKind(objects, 'Secret').length, 0);
  assert.equal(byKind(objects, 'Deployment').length, 1);
});

test('the operator pod runs non-root with a read-only root filesystem', () => {
  const deployment = byKind(render(''), 'Deployment')[0]!;
  const pod = (
    deployment.spec as {
      template: {
        spec: {
          securityContext: { runAsNonRoot: boolean };
          containers: Array<{ securityContext: { readOnlyRootFilesystem: boolean } }>;
        };
      };
    }
  ).template.spec;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.containers[0]!.securityContext.readOnlyRootFilesystem, true);
});

test('values.schema.json rejects a malformed key', () => {
  assert.throws(() => helm(['template', 'x', CHART, '--set', 'keyRing.key=short']), /key/);
});

test('tracing values reach the VerificationService and open egress to the collector', () => {
  const objects = render(join(CHART, 'ci', 'cpu-values.yaml'));
  const spec = byKind(objects, 'VerificationService')[0]!.spec as {
    tracing?: { otlpEndpoint: string };
  };
  assert.deepEqual(spec.tracing, { otlpEndpoint: 'http://otel-collector.observability:4318' });
  const verifierPolicy = byKind(objects, 'NetworkPolicy').find((p) =>
    (p.metadata as { name: string }).name.endsWith('-verifier'),
  )!.spec as { egress: Array<{ ports?: Array<{ port: number }> }> };
  assert.ok(verifierPolicy.egress.some((rule) => rule.ports?.some((p) => p.port === 4318)));
  // The default values send no traces.
  const plain = byKind(render(''), 'VerificationService')[0]!.spec as { tracing?: unknown };
  assert.equal(plain.tracing, undefined);
  assert.throws(
    () =>
      helm(['template', 'x', CHART, '--set', 'defaultService.tracing.otlpEndpoint=collector:4318']),
    /otlpEndpoint/,
  );
});

test('defaultService.env reaches the VerificationService as name/value pairs', () => {
  const spec = byKind(render('') /* defaults: none */, 'VerificationService')[0]!.spec as {
    env?: unknown;
  };
  assert.equal(spec.env, undefined);
  const objects = parseAllDocuments(
    helm([
      'template',
      'silentid',
      CHART,
      '--set',
      'defaultService.env.TRUST_PROXY=10.0.0.0/8',
      '--set',
      'defaultService.env.RATE_LIMIT_PER_MINUTE=30',
    ]),
  )
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
  const withEnv = byKind(objects, 'VerificationService')[0]!.spec as {
    env: Array<{ name: string; value: string }>;
  };
  assert.deepEqual(withEnv.env, [
    { name: 'RATE_LIMIT_PER_MINUTE', value: '30' },
    { name: 'TRUST_PROXY', value: '10.0.0.0/8' },
  ]);
  assert.throws(
    () => helm(['template', 'x', CHART, '--set', 'defaultService.env.bad-name=1']),
    /env/,
  );
});

test('two operator replicas get a PodDisruptionBudget that keeps one; one replica gets none', () => {
  const budgets = (replicas: number) =>
    parseAllDocuments(
      helm(['template', 'silentid', CHART, '--set', `operator.replicas=${replicas}`]),
    )
      .map((d) => d.toJS() as KubeObject | null)
      .filter(
        (o): o is KubeObject =>
          o?.kind === 'PodDisruptionBudget' && o.metadata.name.endsWith('-operator'),
      );
  assert.equal(budgets(1).length, 0);
  const [pdb] = budgets(2);
  assert.equal((pdb?.spec as { minAvailable: number }).minAvailable, 1);
});
