import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FaceModelReconciler } from './face-model-reconciler.js';
import { EventRecorder } from './event-recorder.js';
import { RestKubeClient } from '../kube/rest-client.js';
import { Resources } from '../kube/resource-types.js';
import type { KubeObject } from '../api/object-meta.js';
import { startStandIn, type StandIn } from '../../test/standin/stand-in.js';
import { builtinModel, remoteModel } from '../../test/fixtures.js';

let standIn: StandIn;
let client: RestKubeClient;
let reconciler: FaceModelReconciler;

before(async () => {
  standIn = await startStandIn();
  client = new RestKubeClient(standIn.config);
  reconciler = new FaceModelReconciler(
    client,
    new EventRecorder(client, 'test'),
    'curlimages/curl:8.11.1',
  );
});
after(() => standIn.close());

async function verified(name: string): Promise<{ status: string; reason: string } | undefined> {
  const model = await client.get(Resources.FaceModel, 'default', name);
  return (
    model?.status as
      { conditions?: Array<{ type: string; status: string; reason: string }> } | undefined
  )?.conditions?.find((c) => c.type === 'Verified');
}

/** Plays the Job controller: the stand-in runs no pods. */
async function finishJob(name: string, status: Record<string, unknown>): Promise<void> {
  const job = await client.get(Resources.Job, 'default', `${name}-verify`);
  assert.ok(job, 'the verification Job exists');
  await new RestKubeClient(standIn.config, 'job-controller').applyStatus(Resources.Job, {
    ...job,
    metadata: { name: job.metadata.name, namespace: 'default' },
    status,
  } as KubeObject);
}

test('a built-in model is verified at once', async () => {
  await client.apply(Resources.FaceModel, builtinModel('builtin') as unknown as KubeObject);
  await reconciler.reconcile('default', 'builtin');
  const condition = await verified('builtin');
  assert.deepEqual([condition?.status, condition?.reason], ['True', 'Builtin']);
});

test('a remote model is verified by a Job running the fetch-and-check container', async () => {
  await client.apply(Resources.FaceModel, remoteModel('good') as unknown as KubeObject);
  await reconciler.reconcile('default', 'good');
  assert.equal((await verified('good'))?.reason, 'Verifying');
  const job = await client.get(Resources.Job, 'default', 'good-verify');
  const container = (
    job?.spec as {
      template: {
        spec: {
          containers: Array<{ command: string[]; env: Array<{ name: string; value?: string }> }>;
        };
      };
    }
  ).template.spec.containers[0]!;
  assert.match(container.command.join(' '), /sha256sum -c/);
  assert.ok(
    container.env.some(
      (e) => e.name === 'BUNDLE_URL' && e.value === 'https://models.example/good.tgz',
    ),
  );
  assert.equal(job?.metadata.ownerReferences?.[0]?.name, 'good');
  await finishJob('good', { succeeded: 1 });
  await reconciler.reconcile('default', 'good');
  assert.equal((await verified('good'))?.status, 'True');
  assert.equal((await verified('good'))?.reason, 'ChecksumMatched');
});

test('a failed Job marks the model not verified', async () => {
  await client.apply(Resources.FaceModel, remoteModel('bad') as unknown as KubeObject);
  await reconciler.reconcile('default', 'bad');
  await finishJob('bad', {
    failed: 3,
    conditions: [
      {
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'sha256 mismatch',
      },
    ],
  });
  await reconciler.reconcile('default', 'bad');
  assert.equal((await verified('bad'))?.status, 'False');
  assert.equal((await verified('bad'))?.reason, 'VerificationFailed');
});
