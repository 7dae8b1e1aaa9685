import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object-meta.js';
import type {
  VerificationService,
  VerificationServiceSpec,
} from '../../src/api/verification-service.js';
import { Resources } from '../../src/kube/resource-types.js';
import { service as serviceFixture } from '../fixtures.js';
import {
  applyService as applyServiceAs,
  runOperator,
  ScriptedMetrics,
  startEnvironment,
  waitFor,
  type Environment,
  type RunningOperator,
} from './environment.js';

let env: Environment;
let operator: RunningOperator;
const metrics = new ScriptedMetrics();
const healthy = { ok: 200, errors: 0, passed: 150, failed: 50, meanScore: 0.8 };
const failing = { ok: 150, errors: 50, passed: 150, failed: 50, meanScore: 0.8 };
const VERSION = '1.0.0';

before(async () => {
  env = await startEnvironment();
  for (const name of ['fm-a', 'fm-b', 'fm-c']) {
    await env.user.apply(Resources.FaceModel, {
      apiVersion: 'silentid.dev/v1alpha1',
      kind: 'FaceModel',
      metadata: { name, namespace: env.namespace },
      spec: { version: VERSION, builtin: { name: 'faceplugin', version: VERSION } },
    });
  }
  operator = runOperator(env, metrics);
});

after(async () => {
  await operator?.stop();
  await env?.close();
});

test('the suite runs on a real API server', (t) => {
  if (env.standInReason) t.skip(`on the stand-in: ${env.standInReason}`);
});

/** The shared fixture's spec, with the image this suite's environment runs. */
function spec(
  modelRef: string,
  overrides: Partial<VerificationServiceSpec> = {},
): VerificationServiceSpec {
  return serviceFixture('unused', modelRef, { image: env.image, ...overrides }).spec;
}

function applyService(name: string, body: VerificationServiceSpec): Promise<KubeObject> {
  return applyServiceAs(env.user, env.namespace, name, body);
}

async function service(name: string): Promise<VerificationService | undefined> {
  return (await env.user.get(Resources.VerificationService, env.namespace, name)) as unknown as
    VerificationService | undefined;
}

function condition(
  vs: VerificationService | undefined,
  type: string,
): { status: string; reason: string } | undefined {
  return vs?.status?.conditions?.find((c) => c.type === type);
}

async function serving(name: string, model: string): Promise<VerificationService> {
  return waitFor(env, `${name} serving ${model}`, async () => {
    const vs = await service(name);
    return (
      vs?.status?.stableModel === model &&
      !vs.status.canaryModel &&
      condition(vs, 'Ready')?.status === 'True' &&
      vs.status.observedGeneration === vs.metadata.generation &&
      vs
    );
  });
}

async function deploymentModel(
  name: string,
  track: 'stable' | 'canary',
): Promise<string | undefined> {
  const deployment = await env.user.get(Resources.Deployment, env.namespace, `${name}-${track}`);
  return (
    deployment?.spec as { template: { metadata: { labels: Record<string, string> } } } | undefined
  )?.template.metadata.labels['silentid.dev/model'];
}

async function eventReasons(name: string): Promise<string[]> {
  const { items } = await env.user.list(Resources.Event, env.namespace);
  return items
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => e.reason as string);
}

test('creating a VerificationService creates owned children and reports status', async () => {
  const created = await applyService('svc-create', spec('fm-a'));
  const vs = await serving('svc-create', 'fm-a');
  assert.equal(condition(vs, 'Degraded')?.status, 'False');
  assert.equal(vs.status?.stableVersion, VERSION);
  for (const [type, name] of [
    [Resources.Deployment, 'svc-create-stable'],
    [Resources.Service, 'svc-create'],
    [Resources.PodDisruptionBudget, 'svc-create'],
  ] as const) {
    const child = await env.user.get(type, env.namespace, name);
    assert.ok(child, `${type.kind} ${name} exists`);
    assert.deepEqual(
      child.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [['VerificationService', 'svc-create', created.metadata.uid, true]],
    );
  }
  const model = await env.user.get(Resources.FaceModel, env.namespace, 'fm-a');
  assert.equal(
    (model?.status as { conditions: Array<{ type: string; status: string }> }).conditions.find(
      (c) => c.type === 'Verified',
    )?.status,
    'True',
  );
  assert.ok((await eventReasons('svc-create')).includes('Serving'));
});

test('a model change rolls out through a canary in steps and promotes on healthy analysis', async () => {
  await applyService('svc-promote', spec('fm-a'));
  await serving('svc-promote', 'fm-a');
  metrics.set('svc-promote', 'stable', VERSION, healthy);
  metrics.set('svc-promote', 'canary', VERSION, healthy);
  await applyService('svc-promote', spec('fm-b'));
  const seenSteps = new Set<number>();
  // The operator applies the canary Deployment first and records it in status after.
  const canary = await waitFor(env, 'a canary Deployment of fm-b, recorded in status', async () => {
    const vs = await service('svc-promote');
    if (vs?.status?.rollout?.phase === 'Progressing') seenSteps.add(vs.status.rollout.step);
    return (
      vs?.status?.canaryModel === 'fm-b' &&
      (await deploymentModel('svc-promote', 'canary')) === 'fm-b' &&
      vs
    );
  });
  assert.equal(canary.status?.canaryModel, 'fm-b');
  assert.equal(condition(canary, 'Progressing')?.status, 'True');
  const promoted = await waitFor(env, 'promotion', async () => {
    const vs = await service('svc-promote');
    if (vs?.status?.rollout?.phase === 'Progressing') seenSteps.add(vs.status.rollout.step);
    return vs?.status?.rollout?.phase === 'Promoted' && vs;
  });
  assert.equal(promoted.status?.stableModel, 'fm-b');
  assert.equal(promoted.status?.rollout?.lastAnalysis?.verdict, 'Pass');
  assert.ok(seenSteps.has(0), 'the first step was observed');
  await waitFor(
    env,
    'the canary Deployment to go',
    async () =>
      (await env.user.get(Resources.Deployment, env.namespace, 'svc-promote-canary')) === undefined,
  );
  assert.equal(await deploymentModel('svc-promote', 'stable'), 'fm-b');
  const reasons = await eventReasons('svc-promote');
  for (const reason of ['RolloutStarted', 'StepAdvanced', 'Promoted'])
    assert.ok(reasons.includes(reason), `event ${reason}`);
});

test('a failing analysis rolls back to stable and marks the service Degraded', async () => {
  await applyService('svc-rollback', spec('fm-a'));
  await serving('svc-rollback', 'fm-a');
  metrics.set('svc-rollback', 'stable', VERSION, healthy);
  metrics.set('svc-rollback', 'canary', VERSION, failing);
  await applyService('svc-rollback', spec('fm-b'));
  const vs = await waitFor(env, 'rollback', async () => {
    const current = await service('svc-rollback');
    return current?.status?.rollout?.phase === 'RolledBack' && current;
  });
  assert.equal(vs.status?.stableModel, 'fm-a');
  assert.equal(vs.status?.rollout?.rejectedModel, 'fm-b');
  assert.equal(vs.status?.rollout?.lastAnalysis?.verdict, 'Fail');
  assert.match(vs.status?.rollout?.lastAnalysis?.reasons.join() ?? '', /error rate/);
  await waitFor(
    env,
    'Degraded=True',
    async () => condition(await service('svc-rollback'), 'Degraded')?.reason === 'RolledBack',
  );
  await waitFor(
    env,
    'the canary Deployment to go',
    async () =>
      (await env.user.get(Resources.Deployment, env.namespace, 'svc-rollback-canary')) ===
      undefined,
  );
  assert.equal(await deploymentModel('svc-rollback', 'stable'), 'fm-a');
  assert.ok((await eventReasons('svc-rollback')).includes('RolledBack'));
});

test('setting rollout.abort removes the canary and keeps stable', async () => {
  const slow = { ...spec('fm-a').rollout, pauseSeconds: 3600 };
  await applyService('svc-abort', spec('fm-a', { rollout: slow }));
  await serving('svc-abort', 'fm-a');
  await applyService('svc-abort', spec('fm-c', { rollout: slow }));
  await waitFor(
    env,
    'a canary',
    async () => (await deploymentModel('svc-abort', 'canary')) === 'fm-c',
  );
  await applyService('svc-abort', spec('fm-c', { rollout: { ...slow, abort: true } }));
  const vs = await waitFor(env, 'abort', async () => {
    const current = await service('svc-abort');
    return current?.status?.rollout?.phase === 'Aborted' && current;
  });
  assert.equal(vs.status?.stableModel, 'fm-a');
  assert.equal(vs.status?.canaryModel, undefined);
  await waitFor(
    env,
    'the canary Deployment to go',
    async () =>
      (await env.user.get(Resources.Deployment, env.namespace, 'svc-abort-canary')) === undefined,
  );
});

test('an operator restarted mid-rollout resumes at the same step', async () => {
  await applyService('svc-restart', spec('fm-a'));
  await serving('svc-restart', 'fm-a');
  metrics.set('svc-restart', 'stable', VERSION, healthy);
  metrics.set('svc-restart', 'canary', VERSION, healthy);
  const threeSteps = { ...spec('fm-a').rollout, steps: [20, 40, 60] };
  await applyService('svc-restart', spec('fm-b', { rollout: threeSteps }));
  await waitFor(
    env,
    'step 2',
    async () => ((await service('svc-restart'))?.status?.rollout?.step ?? -1) >= 1,
  );
  await applyService('svc-restart', spec('fm-b', { rollout: { ...threeSteps, paused: true } }));
  const paused = await waitFor(env, 'pause', async () => {
    const vs = await service('svc-restart');
    return vs?.status?.rollout?.phase === 'Paused' && vs;
  });
  await operator.stop();
  operator = runOperator(env, metrics);
  // A spec change the new operator must act on proves it has reconciled this service.
  await applyService(
    'svc-restart',
    spec('fm-b', { replicas: 5, rollout: { ...threeSteps, paused: true } }),
  );
  const resumed = await waitFor(env, 'the new operator to observe the change', async () => {
    const vs = await service('svc-restart');
    return (
      vs?.status?.observedGeneration === vs?.metadata.generation && vs?.status?.replicas === 5 && vs
    );
  });
  assert.equal(resumed.status?.canaryModel, 'fm-b');
  assert.equal(resumed.status?.rollout?.step, paused.status?.rollout?.step);
  assert.equal(resumed.status?.rollout?.stepStartedAt, paused.status?.rollout?.stepStartedAt);
  await applyService('svc-restart', spec('fm-b', { replicas: 5, rollout: threeSteps }));
  await serving('svc-restart', 'fm-b');
});

test('a conflicting manual edit of an owned field is reverted', async () => {
  await applyService('svc-edit', spec('fm-a'));
  await serving('svc-edit', 'fm-a');
  const edit = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'svc-edit-stable', namespace: env.namespace },
    spec: {
      replicas: 9,
      template: {
        spec: { containers: [{ name: 'verifier', image: 'example.com/not-silentid:1' }] },
      },
    },
  } as KubeObject;
  await assert.rejects(
    env.human.apply(Resources.Deployment, edit),
    /conflict/i,
    'without force the API refuses fields the operator owns',
  );
  await env.human.apply(Resources.Deployment, edit, { force: true });
  await waitFor(env, 'the operator to take its fields back', async () => {
    const deployment = await env.user.get(Resources.Deployment, env.namespace, 'svc-edit-stable');
    const deploymentSpec = deployment?.spec as
      | { replicas: number; template: { spec: { containers: Array<{ image: string }> } } }
      | undefined;
    return (
      deploymentSpec?.replicas === 4 &&
      deploymentSpec.template.spec.containers[0]?.image === env.image
    );
  });
  await env.human.delete(Resources.Service, env.namespace, 'svc-edit');
  await waitFor(
    env,
    'the deleted Service to come back',
    async () => (await env.user.get(Resources.Service, env.namespace, 'svc-edit')) !== undefined,
  );
});

test('an HPA-scaled Deployment starts at the HPA minimum and keeps what the HPA sets', async () => {
  const autoscaling = { mode: 'hpa', min: 3, max: 6, cpuUtilization: 70 } as const;
  await applyService('svc-hpa', spec('fm-a', { autoscaling }));
  await serving('svc-hpa', 'fm-a');
  const replicas = async () =>
    (
      (await env.user.get(Resources.Deployment, env.namespace, 'svc-hpa-stable'))?.spec as {
        replicas?: number;
      }
    )?.replicas;
  assert.equal(await replicas(), 3, 'created at the minimum, not at 1');
  // The HPA scales through /scale; later applies of the operator leave its value alone.
  await env.human.apply(
    Resources.Deployment,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'svc-hpa-stable', namespace: env.namespace },
      spec: { replicas: 5 },
    },
    { force: true },
  );
  await applyService('svc-hpa', spec('fm-a', { autoscaling, env: [{ name: 'X', value: '1' }] }));
  await waitFor(env, 'the operator to apply the change', async () => {
    const d = await env.user.get(Resources.Deployment, env.namespace, 'svc-hpa-stable');
    const container = (
      d?.spec as { template: { spec: { containers: { env?: { name: string }[] }[] } } }
    )?.template.spec.containers[0];
    return container?.env?.some((e) => e.name === 'X') === true;
  });
  assert.equal(await replicas(), 5);
});

test("concurrency autoscaling follows the pods' in-flight requests", async () => {
  const autoscaling = {
    mode: 'concurrency' as const,
    min: 1,
    max: 6,
    target: 2,
    stableWindowSeconds: 6,
    panicWindowSeconds: 1,
    scaleDownDelaySeconds: 0,
  };
  metrics.set('svc-scale', 'stable', VERSION, { ...healthy, inflight: 10 });
  await applyService('svc-scale', spec('fm-a', { autoscaling }));
  await waitFor(env, 'five replicas for ten in-flight requests at two per pod', async () => {
    const deployment = await env.user.get(Resources.Deployment, env.namespace, 'svc-scale-stable');
    const vs = await service('svc-scale');
    return (
      (deployment?.spec as { replicas?: number } | undefined)?.replicas === 5 &&
      vs?.status?.autoscaler?.desiredReplicas === 5
    );
  });
  metrics.set('svc-scale', 'stable', VERSION, { ...healthy, inflight: 0 });
  await waitFor(env, 'scale-down to the minimum once demand is gone', async () => {
    const deployment = await env.user.get(Resources.Deployment, env.namespace, 'svc-scale-stable');
    return (deployment?.spec as { replicas?: number } | undefined)?.replicas === 1;
  });
});

test('with an HTTPRoute the rollout shifts traffic by route weights', async (t) => {
  if (
    env.mode === 'cluster' &&
    !(await env.user.list(Resources.HTTPRoute, env.namespace).then(
      () => true,
      () => false,
    ))
  ) {
    t.skip('the cluster does not serve Gateway API HTTPRoutes');
    return;
  }
  const exposure = {
    httpRoute: { parentRefs: [{ name: 'public' }], hostnames: ['verify.example.com'] },
  };
  const held = { ...spec('fm-a').rollout, pauseSeconds: 3600 };
  metrics.set('svc-route', 'stable', VERSION, healthy);
  metrics.set('svc-route', 'canary', VERSION, healthy);
  await applyService('svc-route', spec('fm-a', { exposure, rollout: held }));
  await serving('svc-route', 'fm-a');
  const weights = async (): Promise<string> => {
    const route = await env.user.get(Resources.HTTPRoute, env.namespace, 'svc-route');
    const rules = (
      route?.spec as
        { rules: Array<{ backendRefs: Array<{ name: string; weight: number }> }> } | undefined
    )?.rules;
    return (rules?.[0]?.backendRefs ?? []).map((b) => `${b.name}=${b.weight}`).join(',');
  };
  assert.equal(await weights(), 'svc-route-stable=100');
  await applyService('svc-route', spec('fm-b', { exposure, rollout: held }));
  // The route is applied before status records the share it carries.
  await waitFor(
    env,
    'a 25% canary weight, recorded in status',
    async () =>
      (await weights()) === 'svc-route-stable=75,svc-route-canary=25' &&
      (await service('svc-route'))?.status?.rollout?.trafficPercent === 25,
  );
  assert.ok(await env.user.get(Resources.Service, env.namespace, 'svc-route-canary'));
  await applyService('svc-route', spec('fm-b', { exposure }));
  await serving('svc-route', 'fm-b');
  await waitFor(
    env,
    'all traffic back on the stable backend',
    async () => (await weights()) === 'svc-route-stable=100',
  );
});

test('deleting a VerificationService removes everything it created', async () => {
  await serving('svc-create', 'fm-a');
  await env.user.delete(Resources.VerificationService, env.namespace, 'svc-create');
  await waitFor(env, 'the children to be collected', async () => {
    for (const type of [Resources.Deployment, Resources.Service, Resources.PodDisruptionBudget]) {
      const { items } = await env.user.list(type, env.namespace, 'silentid.dev/service=svc-create');
      if (items.length > 0) return false;
    }
    return true;
  });
});
