import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/config.js';
import { WEBGPU_MAIN_THREAD_ONLY, type Batching } from '../runtime/onnx-model.js';
import type { RgbImage } from '../media/types.js';
import { loadBundleManifest } from '../models/bundle-manifest.js';
import { loadRgb, samplePhoto } from '../testing/sample-faces.js';
import { loadFaceModels, type FaceModels } from '../vision/face-models.js';
import { FrameWorkers } from './frame-workers.js';
import { localObserver, type FrameObserver, type LocateTask } from './observe-frame.js';
import { FaceTracker, trackFace } from './track-face.js';

const config = loadConfig({});
let models: FaceModels;
let local: FrameObserver;
let pool: FrameWorkers;
let photos: RgbImage[];
before(async () => {
  models = await loadFaceModels(await loadBundleManifest(config.modelBundleDir), config.runtime);
  local = localObserver(models);
  pool = await FrameWorkers.start({
    threads: 2,
    bundleDir: config.modelBundleDir,
    runtime: config.runtime,
  });
  photos = await Promise.all(([1, 2, 3] as const).map((n) => loadRgb(samplePhoto(n))));
});
after(async () => {
  await pool.close();
  await models.release();
});

test('every step on a worker thread gives what it gives on this thread', async () => {
  assert.equal(pool.size, 2);
  for (const image of photos) {
    const detections = await pool.detect(image);
    assert.deepEqual(detections, await local.detect(image));
    const first: LocateTask = { image, detections, previous: undefined };
    const face = await local.locate(first);
    assert.ok(face !== undefined, 'the demo photo has a subject');
    assert.deepEqual(await pool.locate(first), face);
    // Following the previous box takes the tracking path instead of the subject search.
    const next: LocateTask = { image, detections, previous: face.box };
    assert.deepEqual(await pool.locate(next), await local.locate(next));
    for (const withPad of [true, false]) {
      const described = await pool.describe({ image, face, withPad });
      assert.deepEqual(described, await local.describe({ image, face, withPad }));
      assert.equal(described.realScore === undefined, !withPad);
    }
  }
});

test('concurrent tasks are spread over the threads and each answer reaches its caller', async () => {
  const tasks = await Promise.all(
    photos.map(async (image): Promise<LocateTask> => ({
      image,
      detections: await local.detect(image),
      previous: undefined,
    })),
  );
  const [pooled, here] = await Promise.all([
    Promise.all([...tasks, ...tasks].map((t) => pool.locate(t))),
    Promise.all([...tasks, ...tasks].map((t) => local.locate(t))),
  ]);
  assert.deepEqual(pooled, here);
});

test('a tracker fed by the pool follows the face as the in-thread tracker does', async () => {
  const frames = [...photos, ...photos].map((image, i) => ({ image, timestamp: i / 8 }));
  const tracker = new FaceTracker(pool);
  for (const f of frames) tracker.push(f);
  assert.deepEqual(await tracker.done(), await trackFace(models, frames));
});

test('a frame without a face is an answer, not an error', async () => {
  const blank: RgbImage = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3) };
  assert.deepEqual(await pool.detect(blank), []);
  assert.equal(await pool.locate({ image: blank, detections: [], previous: undefined }), undefined);
});

test('a closed pool refuses work instead of hanging', async () => {
  const spare = await FrameWorkers.start({
    threads: 1,
    bundleDir: config.modelBundleDir,
    runtime: config.runtime,
  });
  await spare.close();
  await assert.rejects(spare.detect(photos[0]!), /closed/);
});

test('a pool whose bundle cannot load fails to start and leaves no thread behind', async () => {
  await assert.rejects(
    FrameWorkers.start({ threads: 1, bundleDir: '/nonexistent-bundle', runtime: config.runtime }),
  );
});

test('each thread reports where its sessions run: CPU here, as configured', () => {
  // Every model but the descriptor, which frame threads do not load.
  const { descriptor: _, ...here } = models.placements;
  assert.deepEqual(pool.placements, here);
  for (const p of Object.values(pool.placements))
    assert.deepEqual(p, { requested: 'cpu', provider: 'cpu' });
});

test('a pool asked for WebGPU keeps its sessions on CPU and says why', async () => {
  const gpu = await FrameWorkers.start({
    threads: 1,
    bundleDir: config.modelBundleDir,
    runtime: { ...config.runtime, executionProvider: 'webgpu' },
  });
  try {
    assert.deepEqual(Object.keys(gpu.placements).sort(), Object.keys(pool.placements).sort());
    for (const p of Object.values(gpu.placements))
      assert.deepEqual(p, {
        requested: 'webgpu',
        provider: 'cpu',
        fallback: WEBGPU_MAIN_THREAD_ONLY,
      });
    assert.deepEqual(await gpu.detect(photos[0]!), await local.detect(photos[0]!));
  } finally {
    await gpu.close();
  }
});

test('with fallback off, a thread whose provider cannot load stops the pool, naming it', async () => {
  // The service never starts threads this way (their sessions would be the main
  // thread's, decision 0024); the runtime still refuses on its own.
  const start = FrameWorkers.start({
    threads: 1,
    bundleDir: config.modelBundleDir,
    runtime: { ...config.runtime, executionProvider: 'webgpu', allowFallback: false },
  });
  await assert.rejects(start, (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'ExecutionProviderError');
    assert.match(e.message, /the webgpu execution provider cannot load it .*main thread only/);
    return true;
  });
});

/** A pool whose threads run the main thread's sessions, as on a GPU node (decision 0024). */
async function sharedPool(threads: number, batching?: Batching) {
  const main = await loadFaceModels(
    await loadBundleManifest(config.modelBundleDir),
    config.runtime,
    batching === undefined ? {} : { batching },
  );
  const pool = await FrameWorkers.start({
    threads,
    bundleDir: config.modelBundleDir,
    runtime: config.runtime,
    mainModels: main,
  });
  return { main, pool };
}

test("threads that run the main thread's sessions give the same answers, batched together", async () => {
  // On CPU here, which computes the same per image batched or not.
  const detectorBatches: number[] = [];
  const { main, pool } = await sharedPool(2, {
    maxBatch: 8,
    // Long enough that a busy machine still gathers the frames in flight.
    maxWaitMs: 100,
    onBatch: (component, n) => component === 'detector' && detectorBatches.push(n),
  });
  try {
    const { descriptor: _, ...mainPlacements } = main.placements;
    assert.deepEqual(pool.placements, mainPlacements, "the threads report the main thread's");
    detectorBatches.length = 0; // the threads' warm-up ran through here too
    const frames = [...photos, ...photos].map((image, i) => ({ image, timestamp: i / 8 }));
    const tracker = new FaceTracker(pool);
    for (const f of frames) tracker.push(f);
    assert.deepEqual(await tracker.done(), await trackFace(models, frames));
    // Six frames' detections were in flight at once on two threads: they ran together.
    assert.equal(
      detectorBatches.reduce((a, b) => a + b, 0),
      6,
    );
    assert.ok(detectorBatches.length < 6, `detector batches: ${detectorBatches.join(', ')}`);
  } finally {
    await pool.close();
    await main.release();
  }
});

test('a failing run on the main thread fails that step only, with the reason', async () => {
  const { main, pool: shared } = await sharedPool(1);
  try {
    await main.release(); // every later run on the main thread fails
    await assert.rejects(
      shared.detect(photos[0]!),
      (e: unknown) => e instanceof Error && e.name === 'FrameWorkerError',
    );
    assert.equal(shared.size, 1, 'the thread lives on');
  } finally {
    await shared.close();
  }
});
