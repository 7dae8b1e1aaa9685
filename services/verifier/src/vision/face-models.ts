/**
 * Every model of a bundle, loaded once and shared. The pipeline talks to these typed
 * wrappers; it never branches on a model's name.
 */
import type { ResolvedBundle } from '../models/bundle-manifest.js';
import { descriptorModel } from '../models/converted-model.js';
import { verifyChecksums } from '../models/verify-checksums.js';
import type { Placement } from '../runtime/execution-provider.js';
import type { ModelRunner } from '../runtime/model-runner.js';
import { OnnxModel, type Batching, type RuntimeOptions } from '../runtime/onnx-model.js';
import { DlibDescriptor } from './dlib-descriptor.js';
import { Embedder } from './embedder.js';
import { EyeState } from './eye-state.js';
import { FaceDetector } from './face-detector.js';
import { Landmarker } from './landmarker.js';
import { LivenessClassifier } from './liveness-classifier.js';
import type { RgbImage } from '../media/types.js';
import { fivePoints } from './face.js';
import { FaceMatcher } from './face-matcher.js';

export interface FaceModels {
  readonly bundle: ResolvedBundle;
  readonly detector: FaceDetector;
  readonly landmarker: Landmarker;
  readonly embedder: Embedder;
  readonly liveness: LivenessClassifier;
  readonly eyes: EyeState;
  /** The second identity model, when the bundle fuses one (and this thread loaded it). */
  readonly descriptor?: DlibDescriptor;
  /** Face templates and their similarity: what verification compares. */
  readonly matcher: FaceMatcher;
  /** The sessions (or handles on another thread's) behind the wrappers. */
  readonly runners: ModelRunners;
  /** Each session's execution provider, requested and actual, by component. */
  readonly placements: Readonly<Record<string, Placement>>;
  release(): Promise<void>;
}

export interface LoadOptions {
  /**
   * Load the descriptor (when the bundle has one). Frame threads only track faces and
   * never compare them, so they skip it: a 22 MB model built at load, per thread.
   */
  readonly descriptor?: boolean;
  /**
   * Batch single-image runs across requests. Only where requests' frames meet, on the
   * main thread: a frame thread runs one step at a time, so it would only wait.
   */
  readonly batching?: Batching;
}

/** Verifies checksums, then creates every session. */
export async function loadFaceModels(
  bundle: ResolvedBundle,
  opts: RuntimeOptions,
  load: LoadOptions = {},
): Promise<FaceModels> {
  await verifyChecksums(bundle);
  const c = bundle.manifest.components;
  const b = load.batching;
  // First, so that weights failing their checksum stop the start before any session exists.
  const descriptor = load.descriptor === false ? undefined : await loadDescriptor(bundle, opts, b);
  const wide = bundle.files.livenessWide;
  const [detector, landmarks, embedder, liveness, eyes, livenessWide] = await Promise.all([
    OnnxModel.load('detector', bundle.files.detector, c.detector.input, opts, b),
    OnnxModel.load('landmarks', bundle.files.landmarks, c.landmarks.input, opts, b),
    OnnxModel.load('embedder', bundle.files.embedder, c.embedder.input, opts, b),
    OnnxModel.load('liveness', bundle.files.liveness, c.liveness.input, opts, b),
    OnnxModel.load('eyes', bundle.files.eyes, c.eyes.input, opts, b),
    wide === undefined || c.livenessWide === undefined
      ? undefined
      : OnnxModel.load('livenessWide', wide, c.livenessWide.input, opts, b),
  ]);
  return faceModelsFrom(bundle, {
    detector,
    landmarks,
    embedder,
    liveness,
    livenessWide,
    eyes,
    descriptor,
  });
}

/**
 * A runner for each component of the bundle; the descriptor only where it is compared.
 * A type, not an interface, so that it can be looked up by a component's name.
 */
export type ModelRunners = {
  readonly detector: ModelRunner;
  readonly landmarks: ModelRunner;
  readonly embedder: ModelRunner;
  readonly liveness: ModelRunner;
  /** The second attack model, when the bundle has one. */
  readonly livenessWide?: ModelRunner | undefined;
  readonly eyes: ModelRunner;
  readonly descriptor?: ModelRunner | undefined;
};

/** The typed wrappers over runners, wherever the sessions live (runtime/remote-model.ts). */
export function faceModelsFrom(bundle: ResolvedBundle, runners: ModelRunners): FaceModels {
  const c = bundle.manifest.components;
  const all = Object.values(runners).filter((r): r is ModelRunner => r !== undefined);
  const embedder = new Embedder(runners.embedder, c.embedder);
  const descriptor =
    runners.descriptor === undefined || c.descriptor === undefined
      ? undefined
      : new DlibDescriptor(runners.descriptor, c.descriptor);
  return {
    bundle,
    detector: new FaceDetector(runners.detector, c.detector),
    landmarker: new Landmarker(runners.landmarks, c.landmarks),
    embedder,
    liveness: new LivenessClassifier(
      { runner: runners.liveness, spec: c.liveness },
      ...(runners.livenessWide === undefined || c.livenessWide === undefined
        ? []
        : [{ runner: runners.livenessWide, spec: c.livenessWide }]),
    ),
    eyes: new EyeState(runners.eyes, c.eyes),
    ...(descriptor === undefined ? {} : { descriptor }),
    matcher: new FaceMatcher(embedder, descriptor, bundle.manifest.calibration.verification.fusion),
    runners,
    placements: Object.fromEntries(all.map((m) => [m.component, m.placement])),
    release: async () => {
      await Promise.all(all.map((m) => m.release()));
    },
  };
}

/** The bundle's descriptor, built from its weights and checked (models/converted-model.ts). */
async function loadDescriptor(
  bundle: ResolvedBundle,
  opts: RuntimeOptions,
  batching: Batching | undefined,
): Promise<OnnxModel | undefined> {
  const spec = bundle.manifest.components.descriptor;
  const bytes = await descriptorModel(bundle);
  if (spec === undefined || bytes === undefined) return undefined;
  return OnnxModel.load('descriptor', bytes, spec.input, opts, batching);
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
  if (models.matcher.canDescribe) await models.matcher.template(image, face);
  else await models.embedder.embed(models.embedder.align(image, fivePoints(face.landmarks)));
}
