/**
 * Every model of the default bundle on WebGPU against CPU, loaded by the service's own
 * loader (the dlib descriptor built in memory included) and fed real faces through the
 * service's own preprocessing (decision 0018). It needs a Vulkan device: on CI that is
 * Mesa's software one (lavapipe); where there is none, the test is skipped, saying why.
 *
 * Each model gets the same input on both providers: the upstream step (detection,
 * landmarks, alignment) always comes from CPU, so differences do not compound.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import type { RgbImage } from '../media/types.js';
import { loadBundleManifest, type ResolvedBundle } from '../models/bundle-manifest.js';
import { FrameWorkers } from '../pipeline/frame-workers.js';
import { findSubject } from '../pipeline/find-subject.js';
import { DEFAULT_BUNDLE_COMPONENTS } from '../testing/default-bundle.js';
import { loadRgb, samplePhoto } from '../testing/sample-faces.js';
import { cosine } from '../vision/embedder.js';
import { fivePoints, type LandmarkedFace } from '../vision/face.js';
import { loadFaceModels, type FaceModels } from '../vision/face-models.js';
import { OnnxModel, WEBGPU_MAIN_THREAD_ONLY } from './onnx-model.js';

/**
 * The largest difference allowed in any output, each in its own unit: probabilities,
 * components of unit-length embeddings and of descriptors, and coordinates as fractions
 * of the image (boxes) or of the face box (landmarks). Measured on lavapipe: at most
 * ~2e-6 (liveness logits), so this leaves a margin of about 50× for other drivers,
 * while a wrong kernel moves these by 1e-2 or more.
 */
const MAX_ABS = 1e-4;
/** Identity vectors must point the same way: 1 − 1e-5 is far tighter than any threshold. */
const MIN_COSINE = 0.99999;

// The Vulkan loader wants a private, writable runtime folder (XDG_RUNTIME_DIR).
const ownRuntimeDir =
  process.env.XDG_RUNTIME_DIR === undefined
    ? mkdtempSync(path.join(os.tmpdir(), 'silentid-xdg-'))
    : undefined;
if (ownRuntimeDir !== undefined) process.env.XDG_RUNTIME_DIR = ownRuntimeDir;

const config = loadConfig({});
const runtime = { ...config.runtime, intraOpThreads: 1 };
let bundle: ResolvedBundle;
/** Why there is no WebGPU here; undefined when a WebGPU session loads. */
let noDevice: string | undefined;
let cpu: FaceModels;
let gpu: FaceModels;
let photos: RgbImage[];

before(async () => {
  bundle = await loadBundleManifest(config.modelBundleDir);
  const eyes = bundle.manifest.components.eyes;
  const probe = await OnnxModel.load('eyes', bundle.files.eyes, eyes.input, {
    ...runtime,
    executionProvider: 'webgpu',
  });
  await probe.release();
  if (probe.provider !== 'webgpu') {
    // ORT prefixes its reason with a source location; its last sentence says it.
    const reason = (probe.placement.fallback ?? 'unknown')
      .trim()
      .split(/(?<=\.) /)
      .at(-1);
    noDevice =
      `no Vulkan device (${reason}): on Debian ` +
      'bookworm install libvulkan1 and mesa-vulkan-drivers from bookworm-backports (docs/decisions/0018)';
    return;
  }
  cpu = await loadFaceModels(bundle, { ...runtime, executionProvider: 'cpu' });
  // Fallback off: a session that cannot run on WebGPU fails here instead of comparing CPU with CPU.
  gpu = await loadFaceModels(bundle, {
    ...runtime,
    executionProvider: 'webgpu',
    allowFallback: false,
  });
  photos = await Promise.all(([1, 2, 3] as const).map((n) => loadRgb(samplePhoto(n))));
});

after(async () => {
  await cpu?.release();
  await gpu?.release();
  if (ownRuntimeDir !== undefined) rmSync(ownRuntimeDir, { recursive: true, force: true });
});

/** Largest absolute difference of two equally long lists, `scale` dividing each. */
function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>, scale = 1): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / scale);
  return m;
}

/** Asserts the difference is within MAX_ABS and reports it in the test output. */
function within(t: TestContext, what: string, diff: number): void {
  t.diagnostic(`${what}: max abs diff ${diff.toExponential(2)}`);
  assert.ok(diff <= MAX_ABS, `${what}: ${diff} > ${MAX_ABS}`);
}

/** Each photo's subject, found on CPU: the same face feeds both providers. */
async function subjects(): Promise<{ image: RgbImage; face: LandmarkedFace }[]> {
  return Promise.all(
    photos.map(async (image) => {
      const face = await findSubject(cpu, image);
      assert.ok(face !== undefined, 'each demo photo has a subject');
      return { image, face };
    }),
  );
}

test('every model of the default bundle gives on WebGPU what it gives on CPU', async (t) => {
  if (noDevice !== undefined) return t.skip(noDevice);
  for (const [component, p] of Object.entries(gpu.placements))
    assert.deepEqual(p, { requested: 'webgpu', provider: 'webgpu' }, component);
  assert.deepEqual(Object.keys(gpu.placements).sort(), [...DEFAULT_BUNDLE_COMPONENTS]);
  const faces = await subjects();

  await t.test('detector: the same faces, boxes and scores', async (t) => {
    let boxes = 0;
    let scores = 0;
    for (const image of photos) {
      const [a, b] = [await cpu.detector.detect(image), await gpu.detector.detect(image)];
      assert.equal(a.length, b.length);
      const side = Math.max(image.width, image.height);
      const coords = (d: typeof a) => d.flatMap(({ box }) => [box.x1, box.y1, box.x2, box.y2]);
      boxes = Math.max(boxes, maxAbs(coords(a), coords(b), side));
      scores = Math.max(
        scores,
        maxAbs(
          a.map((d) => d.score),
          b.map((d) => d.score),
        ),
      );
    }
    within(t, 'boxes (fraction of the image)', boxes);
    within(t, 'scores', scores);
  });

  await t.test('landmarks: the same 68 points', async (t) => {
    let worst = 0;
    for (const { image, face } of faces) {
      const [a, b] = [
        await cpu.landmarker.landmarks(image, face),
        await gpu.landmarker.landmarks(image, face),
      ];
      const xy = (f: LandmarkedFace) => f.landmarks.flatMap((p) => [p.x, p.y]);
      worst = Math.max(worst, maxAbs(xy(a), xy(b), face.box.x2 - face.box.x1));
    }
    within(t, 'points (fraction of the face box)', worst);
  });

  await t.test('embedder and descriptor: the same identity vectors', async (t) => {
    let [embedding, descriptor, cos] = [0, 0, 1];
    assert.ok(cpu.descriptor !== undefined && gpu.descriptor !== undefined);
    for (const { image, face } of faces) {
      const aligned = cpu.embedder.align(image, fivePoints(face.landmarks));
      const [a, b] = [await cpu.embedder.embed(aligned), await gpu.embedder.embed(aligned)];
      embedding = Math.max(embedding, maxAbs(a, b));
      cos = Math.min(cos, cosine(a, b));
      const crop = cpu.descriptor.crop(image, face.landmarks);
      const [c, d] = [await cpu.descriptor.describe(crop), await gpu.descriptor.describe(crop)];
      descriptor = Math.max(descriptor, maxAbs(c, d));
      cos = Math.min(cos, cosine(c, d) / Math.sqrt(cosine(c, c) * cosine(d, d)));
    }
    within(t, 'embedding', embedding);
    within(t, 'descriptor', descriptor);
    t.diagnostic(`lowest cosine ${cos.toFixed(9)}`);
    assert.ok(cos >= MIN_COSINE, `cosine ${cos} < ${MIN_COSINE}`);
  });

  await t.test('liveness and eyes: the same probabilities', async (t) => {
    let [live, eyes] = [0, 0];
    for (const { image, face } of faces) {
      const scores = await Promise.all(
        [cpu, gpu].map((m) => m.liveness.realScore(image, face.box)),
      );
      live = Math.max(live, maxAbs([scores[0]!], [scores[1]!]));
      const [a, b] = [
        await cpu.eyes.openness(image, face.landmarks),
        await gpu.eyes.openness(image, face.landmarks),
      ];
      eyes = Math.max(eyes, maxAbs([a.left, a.right], [b.left, b.right]));
    }
    within(t, 'liveness real score', live);
    within(t, 'eye openness', eyes);
  });
});

test('batched on WebGPU, each image gets what CPU gives it alone (decision 0024)', async (t) => {
  if (noDevice !== undefined) return t.skip(noDevice);
  const sizes: string[] = [];
  const batched = await loadFaceModels(
    bundle,
    { ...runtime, executionProvider: 'webgpu', allowFallback: false },
    { batching: { maxBatch: 3, maxWaitMs: 1000, onBatch: (c, n) => sizes.push(`${c}×${n}`) } },
  );
  try {
    const faces = await subjects();
    // Three requests' images at once: each model runs them as one batch of three.
    const [found, live, embeddings] = await Promise.all([
      Promise.all(photos.map((image) => batched.detector.detect(image))),
      Promise.all(faces.map(({ image, face }) => batched.liveness.realScore(image, face.box))),
      Promise.all(
        faces.map(({ image, face }) =>
          batched.embedder.embed(cpu.embedder.align(image, fivePoints(face.landmarks))),
        ),
      ),
    ]);
    assert.deepEqual(sizes.sort(), ['detector×3', 'embedder×3', 'livenessWide×3', 'liveness×3']);
    let [boxes, scores, embedding] = [0, 0, 0];
    for (const [k, { image, face }] of faces.entries()) {
      const alone = await cpu.detector.detect(image);
      assert.equal(found[k]!.length, alone.length);
      const side = Math.max(image.width, image.height);
      const coords = (d: typeof alone) => d.flatMap(({ box }) => [box.x1, box.y1, box.x2, box.y2]);
      boxes = Math.max(boxes, maxAbs(coords(found[k]!), coords(alone), side));
      scores = Math.max(
        scores,
        maxAbs([live[k]!], [await cpu.liveness.realScore(image, face.box)]),
      );
      const aligned = cpu.embedder.align(image, fivePoints(face.landmarks));
      embedding = Math.max(embedding, maxAbs(embeddings[k]!, await cpu.embedder.embed(aligned)));
    }
    within(t, 'batched boxes (fraction of the image)', boxes);
    within(t, 'batched liveness real score', scores);
    within(t, 'batched embedding', embedding);
  } finally {
    await batched.release();
  }
});

test('WebGPU on the main thread runs beside frame workers, which stay on CPU', async (t) => {
  if (noDevice !== undefined) return t.skip(noDevice);
  const pool = await FrameWorkers.start({
    threads: 1,
    bundleDir: config.modelBundleDir,
    runtime: { ...runtime, executionProvider: 'webgpu' },
  });
  try {
    for (const p of Object.values(pool.placements))
      assert.deepEqual(p, {
        requested: 'webgpu',
        provider: 'cpu',
        fallback: WEBGPU_MAIN_THREAD_ONLY,
      });
    // Both at once, repeatedly: two threads on onnxruntime's one WebGPU device would crash.
    const image = photos[0]!;
    const rounds = await Promise.all([
      Promise.all([1, 2, 3].map(() => pool.detect(image))),
      Promise.all([1, 2, 3].map(() => gpu.detector.detect(image))),
    ]);
    const expected = await cpu.detector.detect(image);
    for (const found of rounds.flat()) assert.equal(found.length, expected.length);
  } finally {
    await pool.close();
  }
});

test("frame workers run the main thread's WebGPU sessions, in parallel, without a crash", async (t) => {
  if (noDevice !== undefined) return t.skip(noDevice);
  const pool = await FrameWorkers.start({
    threads: 2,
    bundleDir: config.modelBundleDir,
    runtime: { ...runtime, executionProvider: 'webgpu', allowFallback: false },
    mainModels: gpu,
  });
  try {
    for (const p of Object.values(pool.placements))
      assert.deepEqual(p, { requested: 'webgpu', provider: 'webgpu' });
    // Two threads' steps at once, beside the main thread's own runs: one device, one thread.
    const [pooled] = await Promise.all([
      Promise.all([...photos, ...photos].map((image) => pool.detect(image))),
      Promise.all(photos.map((image) => gpu.detector.detect(image))),
    ]);
    let boxes = 0;
    for (const [k, found] of pooled.entries()) {
      const image = photos[k % photos.length]!;
      const alone = await cpu.detector.detect(image);
      assert.equal(found.length, alone.length);
      const coords = (d: typeof alone) => d.flatMap(({ box }) => [box.x1, box.y1, box.x2, box.y2]);
      boxes = Math.max(
        boxes,
        maxAbs(coords(found), coords(alone), Math.max(image.width, image.height)),
      );
    }
    within(t, 'boxes from the threads (fraction of the image)', boxes);
  } finally {
    await pool.close();
  }
});
