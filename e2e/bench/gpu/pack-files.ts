/**
 * The node_modules files the benchmark and the compiled verifier need at run time, one
 * path a line relative to the repository root: what run-on-device.sh packs for a machine
 * that has neither Node nor `npm ci` (the lent device takes 64 MiB per call, and the whole
 * node_modules is 1.6 GiB).
 *
 * Packages: the production dependency closure of the verifier and the client, plus tsx
 * (the bench runs from source). Where a package is only a store of model weights, only
 * the weights the default bundle reads are taken (models/faceplugin-dlib/1.3.0/bundle.yaml);
 * their own dependencies (TF.js, onnxruntime-web, webpack…) are never loaded by the service.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../support/verifier-process.js';

/** Packages read for weights alone: the files kept, nothing of their dependencies. */
const WEIGHTS_ONLY: Readonly<Record<string, readonly string[]>> = {
  'faceplugin-face-recognition-js': [
    'package.json',
    'model/fr_detect.onnx',
    'model/fr_landmark.onnx',
    'model/fr_feature.onnx',
    'model/fr_liveness.onnx',
    'model/fr_eye.onnx',
  ],
  '@vladmandic/face-api': [
    'package.json',
    'model/face_recognition_model-weights_manifest.json',
    'model/face_recognition_model.bin',
  ],
};

/** Never needed on linux-x64 at run time: other platforms' binaries, maps, types, docs. */
const SKIP =
  /(\.map|\.d\.ts|\.d\.mts|\.md|\.markdown|LICENSE[^/]*)$|\/bin\/napi-v\d+\/(darwin|win32|linux\/arm64)\/|\/(test|tests|docs|example|examples)\//;

const ROOTS = [
  'services/verifier/package.json',
  'services/client/package.json',
  'services/web-sdk/package.json',
];
/**
 * Beyond the services' dependencies: what runs the bench itself, and `long`, which
 * protobufjs 6 (onnx-proto) loads by a dynamic require from the top-level node_modules.
 */
const EXTRA = ['tsx', '@esbuild/linux-x64', 'long'];

interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

const readManifest = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

/** Node's lookup: the nearest node_modules/<name> from `from` up to the repository root. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; dir.startsWith(repoRoot); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    try {
      if (statSync(path.join(candidate, 'package.json')).isFile()) return candidate;
    } catch {
      // not here: one level up
    }
    if (dir === repoRoot) break;
  }
  return undefined;
}

function filesUnder(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // Nested node_modules are packages of their own, reached through the closure.
    if (entry.isDirectory() && entry.name !== 'node_modules') filesUnder(full, out);
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(full);
  }
}

export function packFiles(): string[] {
  const seen = new Set<string>();
  const files: string[] = [];
  const visit = (name: string, from: string): void => {
    const dir = resolvePackage(name, from);
    if (dir === undefined || seen.has(dir)) return; // an optional dependency not installed
    seen.add(dir);
    const weights = WEIGHTS_ONLY[name];
    if (weights !== undefined) {
      files.push(...weights.map((f) => path.join(dir, f)));
      return;
    }
    // Workspace packages are links to services/*: their dist travels on its own.
    if (!path.relative(repoRoot, dir).startsWith('node_modules/@silentid/')) filesUnder(dir, files);
    const m = readManifest(path.join(dir, 'package.json'));
    for (const dep of Object.keys({ ...m.dependencies, ...m.optionalDependencies }))
      visit(dep, dir);
  };
  for (const root of ROOTS) {
    const m = readManifest(path.join(repoRoot, root));
    for (const dep of Object.keys({ ...m.dependencies, ...m.optionalDependencies }))
      if (!dep.startsWith('@ffmpeg-installer/') && !dep.startsWith('@ffprobe-installer/'))
        visit(dep, path.join(repoRoot, path.dirname(root)));
  }
  for (const name of EXTRA) visit(name, repoRoot);
  return files.map((f) => path.relative(repoRoot, f)).filter((f) => !SKIP.test(f));
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename)
  console.log(packFiles().join('\n'));
