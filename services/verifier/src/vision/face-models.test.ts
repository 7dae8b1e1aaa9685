import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/config.js';
import { loadBundleManifest } from '../models/bundle-manifest.js';
import { findSubject } from '../pipeline/find-subject.js';
import { analysePhoto } from '../pipeline/analyse-photo.js';
import { StageTimer } from '../pipeline/stage-timer.js';
import { loadRgb, samplePhoto } from '../testing/sample-faces.js';
import type { RgbImage } from '../media/types.js';
import { cosine } from './embedder.js';
import { fivePoints } from './face.js';
import { loadFaceModels, warmUp, type FaceModels } from './face-models.js';
import { isPlausibleFace } from './face-selection.js';
import { rotateQuarter } from './geometry/rotate.js';

let models: FaceModels;
let photo: RgbImage;
before(async () => {
  const config = loadConfig({});
  models = await loadFaceModels(await loadBundleManifest(config.modelBundleDir), config.runtime);
  await warmUp(models);
  photo = await loadRgb(samplePhoto(1));
});
after(() => models.release());

const mirror = (img: RgbImage): RgbImage => {
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      out.set(
        img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3),
        (y * img.width + img.width - 1 - x) * 3,
      );
  return { ...img, data: out };
};

test('every demo photo has a plausible subject with landmarks inside its box', async () => {
  for (const n of [1, 2, 3, 4, 5, 6] as const) {
    const img = await loadRgb(samplePhoto(n));
    const face = await findSubject(models, img);
    assert.ok(face, `sample${n}: no subject`);
    assert.ok(isPlausibleFace(face));
    const [le, re, nose] = fivePoints(face.landmarks);
    assert.ok(le.x < re.x, 'the image-left eye is left of the other');
    for (const p of [le, re, nose]) {
      assert.ok(p.x > face.box.x1 && p.x < face.box.x2 && p.y > face.box.y1 && p.y < face.box.y2);
    }
  }
});

test('embeddings are unit length, deterministic, and a mirrored photo is still the same person', async () => {
  const face = await findSubject(models, photo);
  assert.ok(face);
  const e1 = await models.embedder.embed(models.embedder.align(photo, fivePoints(face.landmarks)));
  const e2 = await models.embedder.embed(models.embedder.align(photo, fivePoints(face.landmarks)));
  assert.ok(Math.abs(cosine(e1, e1) - 1) < 1e-5);
  assert.deepEqual(e1, e2);
  const flipped = mirror(photo);
  const mface = await findSubject(models, flipped);
  assert.ok(mface);
  const em = await models.embedder.embed(
    models.embedder.align(flipped, fivePoints(mface.landmarks)),
  );
  assert.ok(cosine(e1, em) > 0.5, `mirror cosine ${cosine(e1, em)}`);
});

test('auto_rotate finds the upright orientation of a photo turned in its pixels', async () => {
  const upright = await analysePhoto(
    models,
    photo,
    { autoRotate: false, checkQuality: false },
    new StageTimer(),
  );
  for (const turns of [1, 2, 3] as const) {
    const turned = rotateQuarter(photo, turns);
    const found = await analysePhoto(
      models,
      turned,
      { autoRotate: true, checkQuality: false },
      new StageTimer(),
    );
    assert.equal((found.turns + turns) % 4, 0, `turned ${turns}: chose ${found.turns}`);
    assert.ok(cosine(found.template.embedding, upright.template.embedding) > 0.9);
  }
});

test('the presentation-attack and eye models give probabilities', async () => {
  const face = await findSubject(models, photo);
  assert.ok(face);
  const real = await models.liveness.realScore(photo, face.box);
  const eyes = await models.eyes.openness(photo, face.landmarks);
  for (const v of [real, eyes.left, eyes.right]) assert.ok(v >= 0 && v <= 1);
});
