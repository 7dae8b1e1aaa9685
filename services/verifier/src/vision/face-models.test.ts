import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
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
import { cropResize } from './geometry/warp.js';

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

test('open eyes read open on a head tilted by up to 30°', async () => {
  // sample6's subject, cut out with room around it, levelled, then turned in the image plane.
  const file = samplePhoto(6);
  const image = await loadRgb(file);
  const face = await findSubject(models, image);
  assert.ok(face);
  const [le, re] = fivePoints(face.landmarks);
  const level = (-Math.atan2(re.y - le.y, re.x - le.x) * 180) / Math.PI;
  const { x1, y1, x2, y2 } = face.box;
  const [w, h] = [x2 - x1, y2 - y1];
  const left = Math.max(0, Math.round(x1 - w));
  const top = Math.max(0, Math.round(y1 - h));
  const region = {
    left,
    top,
    width: Math.min(image.width - left, Math.round(3 * w)),
    height: Math.min(image.height - top, Math.round(3 * h)),
  };
  for (const degrees of [-30, -20, 20, 30]) {
    const { data, info } = await sharp(file)
      .rotate()
      .extract(region)
      .rotate(level + degrees, { background: '#000' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const tilted = { width: info.width, height: info.height, data: new Uint8Array(data) };
    const turned = await findSubject(models, tilted);
    assert.ok(turned, `${degrees}°`);
    const eyes = await models.eyes.openness(tilted, turned.landmarks);
    // An axis-aligned eye crop read one of these eyes 0.63 at 20°.
    assert.ok(Math.min(eyes.left, eyes.right) > 0.9, `${degrees}°: ${JSON.stringify(eyes)}`);
  }
});

test('a face that fills the frame (an ID-style crop cut at the forehead) is still found', async () => {
  let missedWithoutBorder = 0;
  for (const n of [1, 2, 3, 4, 5, 6] as const) {
    const image = await loadRgb(samplePhoto(n));
    const largest = (await models.detector.detect(image)).reduce((a, b) =>
      b.box.x2 - b.box.x1 > a.box.x2 - a.box.x1 ? b : a,
    );
    // Inside the detector's own box: sides cut by 15%, the forehead at 35% of its height;
    // grey and 150 px wide, as ID crops come.
    const { x1, y1, x2, y2 } = largest.box;
    const w = x2 - x1;
    const h = y2 - y1;
    const box = { x1: x1 + 0.15 * w, y1: y1 + 0.35 * h, x2: x2 - 0.15 * w, y2: y2 - 0.1 * h };
    const crop = grey(
      cropResize(image, box, 150, Math.round((150 * (box.y2 - box.y1)) / (box.x2 - box.x1))),
    );
    if ((await models.detector.detect(crop)).length === 0) missedWithoutBorder++;
    const found = await analysePhoto(
      models,
      crop,
      { autoRotate: false, checkQuality: false },
      new StageTimer(),
    );
    assert.ok(isPlausibleFace(found.face), `sample${n}`);
  }
  // The border is what finds them: most of these crops have no face without it.
  assert.ok(missedWithoutBorder >= 4, `${missedWithoutBorder} of 6 missed without the border`);
});

const grey = (img: RgbImage): RgbImage => {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i += 3) {
    const y = Math.round(
      0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!,
    );
    data[i] = data[i + 1] = data[i + 2] = y;
  }
  return { ...img, data };
};
