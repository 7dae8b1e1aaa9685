import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/config.js';
import type { VideoFrame } from '../media/types.js';
import { loadBundleManifest } from '../models/bundle-manifest.js';
import { loadRgb, samplePhoto } from '../testing/sample-faces.js';
import { loadFaceModels, type FaceModels } from '../vision/face-models.js';
import { localObserver, type FrameObserver } from './observe-frame.js';
import { FaceTracker } from './track-face.js';

const config = loadConfig({});
let models: FaceModels;
let frames: VideoFrame[];
before(async () => {
  models = await loadFaceModels(await loadBundleManifest(config.modelBundleDir), config.runtime);
  const image = await loadRgb(samplePhoto(1));
  frames = Array.from({ length: 7 }, (_, k) => ({ image, timestamp: k / 12 }));
});
after(() => models.release());

/** The thread's own observer, counting what it is asked to do. */
function counting(): { observer: FrameObserver; detected: number; described: number } {
  const local = localObserver(models);
  const counts = { detected: 0, described: 0 };
  const observer: FrameObserver = {
    detect: (image, resized) => (counts.detected++, local.detect(image, resized)),
    locate: (task) => local.locate(task),
    describe: (task) => local.describe(task).finally(() => counts.described++),
  };
  return Object.assign(counts, { observer });
}

test('a blink-search tracker: the detector on every n-th frame, no attack model, no pixels kept', async () => {
  const c = counting();
  const tracker = new FaceTracker(c.observer, undefined, {
    detectEvery: 3,
    presentationAttack: false,
    keepPixels: false,
  });
  for (const frame of frames) await tracker.push(frame);
  const observed = await tracker.done();
  assert.equal(c.detected, 3, 'frames 0, 3 and 6');
  assert.equal(observed.length, 7, 'the frames between are landmarked in the last box');
  assert.ok(observed.every((o) => o.realScore === undefined));
  assert.ok(observed.every((o) => o.frame.image.data.length === 0 && o.frame.image.width === 0));
  assert.deepEqual(
    observed.map((o) => o.frame.timestamp),
    frames.map((f) => f.timestamp),
  );
});

test("a frame's push settles once the frame is described", async () => {
  const c = counting();
  const tracker = new FaceTracker(c.observer);
  await tracker.push(frames[0]!);
  assert.equal(c.described, 1);
  await tracker.push(frames[1]!);
  assert.equal(c.described, 2);
  const observed = await tracker.done();
  assert.equal(c.detected, 2, 'by default the detector runs on every frame');
  assert.ok(observed[0]!.realScore !== undefined, 'and the attack model on the first');
  assert.equal(observed[0]!.frame, frames[0], 'with its pixels');
});
