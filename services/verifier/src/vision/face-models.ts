/**
 * Every model of a bundle, loaded once and shared. The pipeline talks to these typed
 * wrappers; it never branches on a model's name.
 */
import type { ResolvedBundle } from '../models/bundle-manifest.js';
import { verifyChecksums } from '../models/verify-checksums.js';
import { OnnxModel, type RuntimeOptions } from '../runtime/onnx-model.js';
import { Embedder } from './embedder.js';
import { EyeState } from './eye-state.js';
import { FaceDetector } from './face-detector.js';
import { Landmarker } from './landmarker.js';
import { LivenessClassifier } from './liveness-classifier.js';
import type { RgbImage } from '../media/types.js';
import { fivePoints } from './face.js';

export interface FaceModels {
  readonly bundle: ResolvedBundle;
  readonly detector: FaceDetector;
  readonly landmarker: Landmarker;
  readonly embedder: Embedder;
  readonly liveness: LivenessClassifier;
  readonly eyes: EyeState;
  /** The execution provider each session actually got. */
  readonly providers: Readonly<Record<string, string>>;
  release(): Promise<void>;
}

/** Verifies checksums, then creates every session. */
export async function loadFaceModels(
  bundle: ResolvedBundle,
  opts: RuntimeOptions,
): Promise<FaceModels> {
  await verifyChecksums(bundle);
  const c = bundle.manifest.components;
  const [detector, landmarks, embedder, liveness, eyes] = await Promise.all([
    OnnxModel.load('detector', bundle.files.detector, c.detector.input, opts),
    OnnxModel.load('landmarks', bundle.files.landmarks, c.landmarks.input, opts),
    OnnxModel.load('embedder', bundle.files.embedder, c.embedder.input, opts),
    OnnxModel.load('liveness', bundle.files.liveness, c.liveness.input, opts),
    OnnxModel.load('eyes', bundle.files.eyes, c.eyes.input, opts),
  ]);
  const all = [detector, landmarks, embedder, liveness, eyes];
  return {
    bundle,
    detector: new FaceDetector(detector, c.detector),
    landmarker: new Landmarker(landmarks, c.landmarks),
    embedder: new Embedder(embedder, c.embedder),
    liveness: new LivenessClassifier(liveness, c.liveness),
    eyes: new EyeState(eyes, c.eyes),
    providers: Object.fromEntries(all.map((m) => [m.component, m.provider])),
    release: async () => {
      await Promise.all(all.map((m) => m.release()));
    },
  };
}

/**
 * Runs every model once on a synthetic image so the first real request does not pay
 * for lazy allocations; /readyz turns ready only after this.
 */
export async function warmUp(models: FaceModels): Promise<void> {
  const w = 320,
    h = 240;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const image: RgbImage = { width: w, height: h, data };
  const box = { x1: 100, y1: 60, x2: 220, y2: 200 };
  await models.detector.detect(image);
  const face = await models.landmarker.landmarks(image, { box, score: 1 });
  await models.eyes.openness(image, face.landmarks);
  await models.liveness.realScore(image, box);
  await models.embedder.embed(models.embedder.align(image, fivePoints(face.landmarks)));
}
