import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/config.js';
import { loadBundleManifest } from '../models/bundle-manifest.js';
import { ExecutionProviderError, ModelLoadError, OnnxModel } from './onnx-model.js';

const bundle = await loadBundleManifest(loadConfig({}).modelBundleDir);
const detector = bundle.manifest.components.detector;

test('asking for CUDA where it cannot run falls back to CPU and says why', async () => {
  const model = await OnnxModel.load('detector', bundle.files.detector, detector.input, {
    executionProvider: 'cuda',
    intraOpThreads: 1,
  });
  assert.equal(model.placement.requested, 'cuda');
  assert.equal(model.provider, model.placement.provider);
  // CI machines have no GPU: the CUDA provider library is absent, so CPU serves.
  if (model.provider === 'cpu') assert.match(model.placement.fallback ?? '', /\S/);
  else assert.deepEqual(model.placement, { requested: 'cuda', provider: 'cuda' });
  const out = await model.run(new Float32Array(3 * 240 * 320));
  assert.equal(OnnxModel.output(out, detector.outputs.scores).length, 4420 * 2);
  await model.release();
});

test('with fallback off, a provider that cannot load is an error naming it', async (t) => {
  const load = () =>
    OnnxModel.load('detector', bundle.files.detector, detector.input, {
      executionProvider: 'cuda',
      intraOpThreads: 1,
      allowFallback: false,
    });
  let model: OnnxModel;
  try {
    model = await load();
  } catch (e) {
    assert.ok(e instanceof ExecutionProviderError, String(e));
    assert.match(e.message, /^detector: the cuda execution provider cannot load it/);
    assert.match(e.message, /fallback to CPU is off/);
    return;
  }
  t.diagnostic('CUDA loaded here: nothing to refuse');
  assert.equal(model.provider, 'cuda');
  await model.release();
});

test('CPU asked for is CPU got, with no fallback', async () => {
  const model = await OnnxModel.load(
    'eyes',
    bundle.files.eyes,
    bundle.manifest.components.eyes.input,
    {
      executionProvider: 'cpu',
      intraOpThreads: 1,
      allowFallback: false,
    },
  );
  assert.deepEqual(model.placement, { requested: 'cpu', provider: 'cpu' });
  await model.release();
});

test('a session whose input does not match the manifest is refused at load', async () => {
  const wrong = { ...detector.input, shape: [1, 3, 128, 128] };
  await assert.rejects(
    OnnxModel.load('detector', bundle.files.detector, wrong, {
      executionProvider: 'cpu',
      intraOpThreads: 1,
    }),
    (e: unknown) => e instanceof ModelLoadError && /does not match the manifest/.test(e.message),
  );
  const renamed = { ...detector.input, name: 'pixels' };
  await assert.rejects(
    OnnxModel.load('detector', bundle.files.detector, renamed, {
      executionProvider: 'cpu',
      intraOpThreads: 1,
    }),
    /has no input "pixels"/,
  );
});

test('run refuses a tensor of the wrong size instead of reading past it', async () => {
  const model = await OnnxModel.load('detector', bundle.files.detector, detector.input, {
    executionProvider: 'cpu',
    intraOpThreads: 1,
  });
  await assert.rejects(model.run(new Float32Array(10)), /expected/);
  await model.release();
});
