import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/config.js';
import { loadBundleManifest } from '../models/bundle-manifest.js';
import { findSubject } from '../pipeline/find-subject.js';
import { verificationScore } from '../pipeline/verification-score.js';
import { loadRgb, samplePhoto } from '../testing/sample-faces.js';
import { cosine } from './embedder.js';
import { euclidean } from './dlib-descriptor.js';
import { loadFaceModels, type FaceModels } from './face-models.js';
import { fuse } from './face-matcher.js';

let models: FaceModels;
before(async () => {
  const config = loadConfig({});
  models = await loadFaceModels(await loadBundleManifest(config.modelBundleDir), config.runtime);
});
after(() => models.release());

const templateOf = async (n: 1 | 2 | 3 | 4 | 5 | 6) => {
  const image = await loadRgb(samplePhoto(n));
  const face = await findSubject(models, image);
  assert.ok(face);
  return models.matcher.template(image, face);
};

test('the fused similarity is the mean of both models’ impostor z-scores', () => {
  const f = { embedder: { mean: 0, sd: 0.1 }, descriptor: { mean: -0.8, sd: 0.2 } };
  // Embedder 3 spreads above its impostors, descriptor 1 spread above: mean 2.
  assert.ok(Math.abs(fuse(f, 0.3, -0.6) - 2) < 1e-12);
  assert.ok(Math.abs(fuse(f, 0, -0.8)) < 1e-12);
});

test('the built-in bundle fuses both models: a face matches itself, not another person', async () => {
  assert.equal(models.matcher.fused, true);
  const a = await templateOf(2);
  const b = await templateOf(5);
  assert.equal(a.descriptor?.length, 128);
  const knots = models.bundle.manifest.calibration.verification.points;
  const self = models.matcher.similarity(a, a);
  const other = models.matcher.similarity(a, b);
  assert.equal(verificationScore(self, knots), 1);
  assert.ok(verificationScore(other, knots) < 0.4, `another person scores ${other}`);
  // Each half moves the same way: the fusion does not hide one model's disagreement.
  assert.ok(cosine(a.embedding, b.embedding) < 0.3);
  assert.ok(euclidean(a.descriptor!, b.descriptor!) > 0.6);
  const repeat = await templateOf(2);
  assert.deepEqual(repeat, a, 'templates are deterministic');
});

test('a fused bundle refuses to compare a template that has no descriptor', async () => {
  const a = await templateOf(2);
  assert.throws(() => models.matcher.similarity(a, { embedding: a.embedding }), /descriptor/);
});
