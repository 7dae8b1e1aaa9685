import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { BundleError, loadBundleManifest } from './bundle-manifest.js';
import { createRequire } from 'node:module';
import { descriptorModel } from './converted-model.js';
import { verifyChecksums } from './verify-checksums.js';

const require = createRequire(import.meta.url);

const builtin = loadConfig({}).modelBundleDir;

test('the built-in bundle parses, resolves its npm files and matches its checksums', async () => {
  const b = await loadBundleManifest(builtin);
  assert.equal(b.id, 'faceplugin-dlib@1.3.0');
  assert.match(b.files.detector, /faceplugin-face-recognition-js\/model\/fr_detect\.onnx$/);
  await verifyChecksums(b);
});

test('a checksum mismatch or a malformed manifest refuses to load', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bundle-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const real = await loadBundleManifest(builtin);
  const pkgDir = path.dirname(path.dirname(real.files.detector));
  // A user bundle: the same files named by path, one checksum wrong.
  const text = (await readFile(path.join(builtin, 'bundle.yaml'), 'utf8'))
    .replace(/\{ file: ([^ ]+) \}/g, (_m, rel: string) => `{ file: ${path.resolve(builtin, rel)} }`)
    .replace(
      /\{ npm: faceplugin-face-recognition-js, path: (model\/[a-z_]+\.onnx) \}/g,
      (_m, rel: string) => `{ file: ${path.join(pkgDir, rel)} }`,
    )
    .replace(
      /\{ npm: '@vladmandic\/face-api', path: ([^ ]+) \}/,
      `{ file: ${real.files.descriptor} }`,
    );
  await writeFile(
    path.join(dir, 'bundle.yaml'),
    text.replace(/6c0256ccd3164f84[0-9a-f]{48}/, 'f'.repeat(64)),
  );
  const b = await loadBundleManifest(dir);
  assert.equal(b.files.detector, real.files.detector);
  await assert.rejects(verifyChecksums(b), /checksum mismatch.*detector/s);
  await writeFile(
    path.join(dir, 'bundle.yaml'),
    text.replace('task: face-detection', 'task: face-detectoin'),
  );
  await assert.rejects(loadBundleManifest(dir), BundleError);
});

test('the descriptor is checked on the model built from its weights', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bundle-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const real = await loadBundleManifest(builtin);
  assert.match(real.files.descriptor ?? '', /face_recognition_model-weights_manifest\.json$/);
  const model = await descriptorModel(real);
  assert.ok(model !== undefined && model.length > 20e6);
  const text = (await readFile(path.join(builtin, 'bundle.yaml'), 'utf8'))
    .replace(/\{ file: ([^ ]+) \}/g, (_m, rel: string) => `{ file: ${path.resolve(builtin, rel)} }`)
    .replace(
      /\{ npm: ([^,]+), path: ([^ ]+) \}/g,
      (_m, pkg: string, rel: string) =>
        `{ file: ${path.join(path.dirname(require.resolve(`${pkg.replace(/'/g, '')}/package.json`)), rel)} }`,
    );
  await writeFile(
    path.join(dir, 'bundle.yaml'),
    text.replace(real.manifest.components.descriptor!.sha256, 'a'.repeat(64)),
  );
  await assert.rejects(
    descriptorModel(await loadBundleManifest(dir)),
    /checksum mismatch.*descriptor: the model built from/s,
  );
  // A descriptor without fusion statistics (or the reverse) cannot be scored: refused.
  await writeFile(path.join(dir, 'bundle.yaml'), text.replace(/\n {4}fusion:\n( {6}.*\n)+/, '\n'));
  await assert.rejects(loadBundleManifest(dir), /descriptor component and calibration/);
});
