/**
 * The dlib descriptor the service runs (rebuilt as ONNX from face-api's TF.js weights,
 * services/verifier/src/models/dlib-resnet-onnx.ts) must compute what face-api computes:
 * the same real face crops through both, descriptor by descriptor.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../services/verifier/src/models/bundle-manifest.js';
import { findSubject } from '../../services/verifier/src/pipeline/find-subject.js';
import { loadRgb, samplePhoto } from '../../services/verifier/src/testing/sample-faces.js';
import { loadFaceModels, type FaceModels } from '../../services/verifier/src/vision/face-models.js';
import { initTfjsWasm, require, rgbTensor } from './peers/tfjs-wasm.js';
import path from 'node:path';

interface FaceRecognitionNet {
  loadFromDisk(dir: string): Promise<void>;
  computeFaceDescriptor(input: unknown): Promise<Float32Array>;
}

let models: FaceModels;
let net: FaceRecognitionNet;
before(async () => {
  const config = loadConfig({});
  models = await loadFaceModels(await loadBundleManifest(config.modelBundleDir), config.runtime);
  await initTfjsWasm();
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as {
    nets: { faceRecognitionNet: FaceRecognitionNet };
  };
  net = faceapi.nets.faceRecognitionNet;
  await net.loadFromDisk(
    path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'),
  );
});
after(() => models.release());

test('the ONNX descriptor equals face-api’s TF.js descriptor on real face crops', async () => {
  const { descriptor } = models;
  assert.ok(descriptor, 'the built-in bundle has a descriptor');
  for (const n of [1, 2, 3, 4, 5, 6] as const) {
    const image = await loadRgb(samplePhoto(n));
    const face = await findSubject(models, image);
    assert.ok(face);
    const crop = descriptor.crop(image, face.landmarks);
    const ours = await descriptor.describe(crop);
    const input = rgbTensor(crop.data, crop.width, crop.height);
    const theirs = await net.computeFaceDescriptor(input);
    input.dispose();
    let worst = 0;
    for (let i = 0; i < 128; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
    assert.ok(worst < 1e-4, `sample${n}: largest difference ${worst}`);
  }
});
