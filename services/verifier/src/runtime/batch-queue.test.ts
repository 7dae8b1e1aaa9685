/**
 * Batching across requests with a real model (the bundle's eye-state model, on CPU):
 * single-image runs from concurrent callers go through the session as one batch, and
 * each caller gets exactly its own outputs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { loadConfig } from '../config/config.js';
import { loadBundleManifest, type ResolvedBundle } from '../models/bundle-manifest.js';
import { splitBatch } from './batch-queue.js';
import { OnnxModel, type Batching } from './onnx-model.js';

const runtime = { executionProvider: 'cpu', intraOpThreads: 1 } as const;
let bundle: ResolvedBundle;
let single: OnnxModel;
const SIZE = 24 * 24;

/** Distinct inputs: image k is a ramp with its own slope. */
const image = (k: number) =>
  Float32Array.from({ length: SIZE }, (_, i) => ((i * (k + 3)) % 97) / 97);

async function batchedEyes(
  policy: Omit<Batching, 'onBatch'>,
): Promise<{ model: OnnxModel; sizes: number[] }> {
  const sizes: number[] = [];
  const eyes = bundle.manifest.components.eyes;
  const model = await OnnxModel.load('eyes', bundle.files.eyes, eyes.input, runtime, {
    ...policy,
    onBatch: (component, size) => {
      assert.equal(component, 'eyes');
      sizes.push(size);
    },
  });
  return { model, sizes };
}

before(async () => {
  bundle = await loadBundleManifest(loadConfig({}).modelBundleDir);
  single = await OnnxModel.load(
    'eyes',
    bundle.files.eyes,
    bundle.manifest.components.eyes.input,
    runtime,
  );
});
after(() => single.release());

const logits = (out: Record<string, ort.Tensor>) => Array.from(OnnxModel.output(out, 'output'));

test('concurrent single runs become one batch, each with its own outputs', async () => {
  const { model, sizes } = await batchedEyes({ maxBatch: 4, maxWaitMs: 60_000 });
  // A full batch runs at once: the minute-long wait is never reached.
  const outs = await Promise.all([0, 1, 2, 3].map((k) => model.run(image(k))));
  assert.deepEqual(sizes, [4]);
  for (const [k, out] of outs.entries()) {
    assert.deepEqual(out.output!.dims, [1, 2]);
    const alone = logits(await single.run(image(k)));
    logits(out).forEach((v, i) =>
      assert.ok(Math.abs(v - alone[i]!) < 1e-6, `image ${k}: ${v} vs ${alone[i]}`),
    );
  }
  assert.notDeepEqual(logits(outs[0]!), logits(outs[1]!), 'distinct inputs, distinct outputs');
  await model.release();
});

test('a batch that does not fill runs once its first image has waited', async () => {
  const { model, sizes } = await batchedEyes({ maxBatch: 16, maxWaitMs: 5 });
  const outs = await Promise.all([0, 1, 2].map((k) => model.run(image(k))));
  assert.deepEqual(sizes, [3]);
  assert.equal(outs.length, 3);
  // And a lone run later is a batch of one.
  await model.run(image(4));
  assert.deepEqual(sizes, [3, 1]);
  await model.release();
});

test('more images than a batch holds are split into full batches and a rest', async () => {
  const { model, sizes } = await batchedEyes({ maxBatch: 4, maxWaitMs: 5 });
  await Promise.all(Array.from({ length: 10 }, (_, k) => model.run(image(k))));
  assert.deepEqual(sizes, [4, 4, 2]);
  await model.release();
});

test('an input of the wrong size is refused alone; the others still run', async () => {
  const { model, sizes } = await batchedEyes({ maxBatch: 2, maxWaitMs: 5 });
  const [bad, good] = await Promise.allSettled([
    model.run(new Float32Array(10)),
    model.run(image(0)),
  ]);
  assert.equal(bad.status, 'rejected');
  assert.match(String((bad as PromiseRejectedResult).reason), /expected 576/);
  assert.equal(good.status, 'fulfilled');
  assert.deepEqual(sizes, [1]);
  await model.release();
});

test('a run of several images at once bypasses the queue', async () => {
  const { model, sizes } = await batchedEyes({ maxBatch: 8, maxWaitMs: 60_000 });
  const data = new Float32Array(3 * SIZE);
  [0, 1, 2].forEach((k) => data.set(image(k), k * SIZE));
  const out = await model.run(data, 3);
  assert.deepEqual(out.output!.dims, [3, 2]);
  assert.deepEqual(sizes, [], 'not queued');
  await model.release();
});

test('splitBatch refuses outputs that do not lead with the batch', () => {
  const t = new ort.Tensor('float32', new Float32Array(6), [2, 3]);
  assert.equal(splitBatch({ t }, 2).length, 2);
  assert.deepEqual(splitBatch({ t }, 2)[1]!.t!.dims, [1, 3]);
  assert.throws(() => splitBatch({ t }, 3), /shape \[2,3\], not 3 first/);
});
