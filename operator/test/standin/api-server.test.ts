import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RestKubeClient } from '../../src/kube/rest-client.js';
import { KubeError } from '../../src/kube/kube-error.js';
import { Resources } from '../../src/kube/resource-types.js';
import type { KubeObject } from '../../src/api/object-meta.js';
import type { WatchEvent } from '../../src/kube/kube-client.js';
import { startStandIn, type StandIn } from './stand-in.js';
import { builtinModel } from '../fixtures.js';

let standIn: StandIn;
let client: RestKubeClient;
let other: RestKubeClient;

before(async () => {
  standIn = await startStandIn({ maxWatchSeconds: 2, bookmarkIntervalMs: 100 });
  client = new RestKubeClient(standIn.config, 'operator');
  other = new RestKubeClient(standIn.config, 'kubectl');
});
after(() => standIn.close());

const cm = (name: string, data: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'ns' },
  spec: { ports: [{ port: 80 }], ...data },
});

function code(error: unknown): number {
  return error instanceof KubeError ? error.status : -1;
}

test('get of a missing object is 404 (undefined), a second create is 409 AlreadyExists', async () => {
  assert.equal(await client.get(Resources.Service, 'ns', 'nope'), undefined);
  await client.create(Resources.Service, cm('twice'));
  await assert.rejects(client.create(Resources.Service, cm('twice')), (e) => code(e) === 409);
  assert.equal(await client.delete(Resources.Service, 'ns', 'nope'), false);
});

test('a PUT with a stale resourceVersion is a 409 conflict', async () => {
  const created = await client.create(Resources.Service, cm('stale'));
  await client.replace(Resources.Service, { ...created, spec: { ports: [{ port: 81 }] } });
  await assert.rejects(
    client.replace(Resources.Service, { ...created, spec: { ports: [{ port: 82 }] } }),
    (e) => code(e) === 409,
  );
});

test('server-side apply tracks field owners: another manager conflicts unless forced', async () => {
  await client.apply(Resources.Service, cm('owned', { type: 'ClusterIP' }));
  await assert.rejects(
    other.apply(Resources.Service, cm('owned', { type: 'NodePort' })),
    (e) => code(e) === 409,
  );
  const taken = await other.apply(Resources.Service, cm('owned', { type: 'NodePort' }), {
    force: true,
  });
  assert.equal((taken.spec as { type: string }).type, 'NodePort');
  const managers = (
    taken.metadata as unknown as { managedFields: Array<{ manager: string }> }
  ).managedFields
    .map((m) => m.manager)
    .sort();
  assert.deepEqual(managers, ['kubectl', 'operator']);
});

test('writes to the main resource ignore status; the status subresource ignores spec', async () => {
  const model = await client.apply(Resources.FaceModel, {
    ...builtinModel('m1'),
    metadata: { name: 'm1', namespace: 'ns' },
    status: { observedGeneration: 9 },
  } as unknown as KubeObject);
  assert.equal(model.status, undefined);
  assert.equal(model.metadata.generation, 1);
  const withStatus = await client.applyStatus(Resources.FaceModel, {
    apiVersion: model.apiVersion,
    kind: model.kind,
    metadata: { name: 'm1', namespace: 'ns' },
    spec: { version: 'x' },
    status: { observedGeneration: 1 },
  });
  assert.equal((withStatus.spec as { version: string }).version, 'm1');
  assert.equal(withStatus.metadata.generation, 1);
});

test('custom resources are validated against the CRD schema (422)', async () => {
  const bad = {
    ...builtinModel('bad'),
    metadata: { name: 'bad', namespace: 'ns' },
    spec: { version: 'x', source: { uri: 'ftp://x', sha256: 'short' } },
  };
  await assert.rejects(
    client.apply(Resources.FaceModel, bad as unknown as KubeObject),
    (e) => code(e) === 422,
  );
});

test('watch resumes from a resourceVersion, sends bookmarks, and answers 410 after compaction', async () => {
  const { resourceVersion } = await client.list(Resources.Service, 'ns');
  await client.create(Resources.Service, cm('watched'));
  const events: WatchEvent[] = [];
  const abort = new AbortController();
  const watching = client.watch(
    Resources.Service,
    'ns',
    resourceVersion,
    (e) => {
      events.push(e);
      if (
        events.some((x) => x.type === 'BOOKMARK') &&
        events.some((x) => x.object.metadata.name === 'watched')
      )
        abort.abort();
    },
    abort.signal,
  );
  await watching;
  assert.equal(events.find((e) => e.object.metadata.name === 'watched')?.type, 'ADDED');
  assert.ok(events.some((e) => e.type === 'BOOKMARK'));
  standIn.server.store.compact();
  await assert.rejects(
    client.watch(Resources.Service, 'ns', resourceVersion, () => {}, new AbortController().signal),
    (e) => code(e) === 410,
  );
});

test('deleting an owner garbage-collects its dependents', async () => {
  const owner = await client.create(Resources.Service, cm('owner'));
  const ref = {
    apiVersion: 'v1',
    kind: 'Service',
    name: 'owner',
    uid: owner.metadata.uid!,
    controller: true,
  };
  await client.create(Resources.Service, {
    ...cm('dependent'),
    metadata: { name: 'dependent', namespace: 'ns', ownerReferences: [ref] },
  });
  await client.delete(Resources.Service, 'ns', 'owner');
  for (let i = 0; i < 50 && (await client.get(Resources.Service, 'ns', 'dependent')); i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(await client.get(Resources.Service, 'ns', 'dependent'), undefined);
});
