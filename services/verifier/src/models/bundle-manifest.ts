/**
 * The model bundle manifest (models/<name>/<version>/bundle.yaml): what each component
 * is, where its file comes from, its sha256 and input spec, and the calibration.
 * Parsing is strict: a typo is an error at start-up, never an undefined at request time.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const source = z.union([
  z.object({ npm: z.string().min(1), path: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);

const input = z
  .object({
    name: z.string(),
    shape: z.array(z.number().int().positive()).length(4),
    channels: z.enum(['RGB', 'BGR', 'GRAY']),
    /** Tensor value = (pixel − mean) × scale. */
    mean: z.number(),
    scale: z.number().positive(),
  })
  .strict();

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const component = <P extends z.ZodType, O extends z.ZodType>(task: string, outputs: O, params: P) =>
  z
    .object({
      task: z.literal(task),
      source,
      sha256,
      input,
      outputs,
      params,
    })
    .strict();

/** Impostor statistics of one model's similarity, which put both models on one scale. */
const impostorStats = z.object({ mean: z.number(), sd: z.number().positive() }).strict();

/**
 * The liveness decision's constants (pipeline/liveness/): each cue's evidence is a
 * logistic curve, 0.5 at its centre and `width` wide; `score ≥ threshold` passes. They
 * belong to the bundle because they are measured on what its models see: another
 * landmark model jitters differently, another attack model reads on another scale.
 */
const unit = z.number().min(0).max(1);
const positive = z.number().positive();
const livenessCalibration = z
  .object({
    threshold: unit,
    /** Non-rigid landmark motion, in inter-ocular distances (temporal-cues.ts). */
    motion: z
      .object({
        /** Smoothed residual of moving flat pictures: the landmark jitter. */
        jitterFloor: positive,
        /** Evidence is 0.5 at jitterFloor × factor… */
        factor: positive,
        /** …and its curve is width × that centre wide. */
        width: positive,
        /** Consecutive frames averaged before the residual is measured. */
        smoothingFrames: z.number().int().min(1),
      })
      .strict(),
    blink: z
      .object({
        /** Fall of the eye model's openness at which blink evidence is 0.5. */
        depth: unit,
        width: positive,
        /** The eye model reads below this as closed… */
        eyesClosed: unit,
        /** …and must read at least this open most of the time (75th percentile). */
        eyesUsuallyOpen: unit,
        /** The landmarks' eye aspect ratio must fall by this share of its median. */
        earDrop: unit,
        /**
         * Only frames whose face keeps its proportions (nose length over inter-ocular
         * distance within this share of the median of the frames around it) are read for
         * a blink: a blink moves the eyelids, not the face. Absent: every frame (bundles
         * before 1.3.0).
         */
        maxProportionChange: unit.optional(),
      })
      .strict(),
    presentationAttack: z
      .object({
        /** Trimmed mean "real" probability at which direct-view evidence is 0.5. */
        centre: unit,
        /** In probability, or with `scale: logit` in log-odds. */
        width: positive,
        /**
         * Where the curve is drawn. A sharp model's scores crowd against 0 and 1, where a
         * width in probability cannot tell a replay's 0.004 from a live face's 0.03: its
         * bundle draws the curve on the log-odds (docs/decisions/0026).
         */
        scale: z.enum(['probability', 'logit']).default('probability'),
        /** Share of frames trimmed at each end before averaging. */
        trim: z.number().min(0).max(0.45),
      })
      .strict(),
    /**
     * Capture conditions under which a failed clip gets a hint (liveness_details.hints):
     * they never change the decision, they say why it may be wrong.
     */
    capture: z
      .object({
        /** Face skin luma (0–255) under which live clips start failing: `low_light`. */
        minFaceBrightness: z.number().min(0).max(255),
      })
      .strict(),
    /** A clip with fewer usable faces than this is refused (4007), not judged. */
    usableFace: z
      .object({
        minInterOcularPx: positive,
        minTrackedFrames: z.number().int().min(2),
        /**
         * A face less saturated than this (median over frames of Σ(max − min) / Σ max of
         * R, G, B in its centre, 0–1) is refused: an attack model trained on colour reads
         * a monochrome camera's face as a print (decision 0027). 0: no such gate.
         */
        minFaceSaturation: unit.default(0),
      })
      .strict(),
  })
  .strict();

export type LivenessCalibration = z.infer<typeof livenessCalibration>;

const presentationAttack = component(
  'presentation-attack',
  z.object({ logits: z.string() }).strict(),
  z.object({ cropScale: z.number().positive(), realClass: z.number().int().min(0) }).strict(),
);

const manifestSchema = z
  .object({
    apiVersion: z.literal('silentid.dev/v1alpha1'),
    kind: z.literal('ModelBundle'),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    version: z.string().min(1),
    components: z
      .object({
        detector: component(
          'face-detection',
          z.object({ scores: z.string(), boxes: z.string() }).strict(),
          z
            .object({ scoreThreshold: z.number().min(0).max(1), nmsIou: z.number().min(0).max(1) })
            .strict(),
        ),
        landmarks: component(
          'landmarks-68',
          z.object({ points: z.string() }).strict(),
          z.object({}).strict().default({}),
        ),
        embedder: component(
          'face-embedding',
          z.object({ embedding: z.string() }).strict(),
          z.object({}).strict().default({}),
        ),
        liveness: presentationAttack,
        /**
         * Optional second presentation-attack model, on its own crop: a frame's "real"
         * score is the mean of both models' (minivision's ensemble of a 2.7× and a 4×
         * crop, docs/decisions/0026).
         */
        livenessWide: presentationAttack.optional(),
        eyes: component(
          'eye-state',
          z.object({ logits: z.string() }).strict(),
          z
            .object({ cropScale: z.number().positive(), closedClass: z.number().int().min(0) })
            .strict(),
        ),
        /**
         * Optional second identity model, fused with the embedder's score. Its file is
         * a TF.js weights manifest rebuilt as ONNX at load (models/dlib-resnet-onnx.ts);
         * the sha256 is that of the ONNX model built, so it covers the weights and the
         * conversion.
         */
        descriptor: z
          .object({
            task: z.literal('face-descriptor'),
            format: z.literal('tfjs-dlib-resnet'),
            source,
            sha256,
            input,
            outputs: z.object({ descriptor: z.string() }).strict(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    calibration: z
      .object({
        verification: z
          .object({
            method: z.string(),
            /**
             * (similarity, score) knots, increasing in both; interpolated linearly. The
             * similarity is the embedder's cosine, or with a descriptor the fused score.
             */
            points: z.array(z.tuple([z.number(), z.number().min(0).max(1)])),
            /** With a descriptor: each model's impostor statistics (vision/face-matcher.ts). */
            fusion: z
              .object({ embedder: impostorStats, descriptor: impostorStats })
              .strict()
              .optional(),
          })
          .strict()
          .refine((v) => v.fusion !== undefined || v.points.every(([x]) => x >= -1 && x <= 1), {
            message: 'without fusion the knots are cosines: they must lie in [-1, 1]',
          }),
        liveness: livenessCalibration,
      })
      .strict(),
  })
  .strict()
  .refine(
    (m) =>
      (m.components.descriptor === undefined) === (m.calibration.verification.fusion === undefined),
    { message: 'a descriptor component and calibration.verification.fusion come together' },
  );

export type BundleManifest = z.infer<typeof manifestSchema>;
export type ComponentName = keyof BundleManifest['components'];
export type InputSpec = z.infer<typeof input>;
type OptionalComponent = 'descriptor' | 'livenessWide';

/** A manifest whose component files have been located (not yet verified). */
export interface ResolvedBundle {
  readonly manifest: BundleManifest;
  readonly dir: string;
  /** Absolute file path of each component the bundle has. */
  readonly files: Readonly<Record<Exclude<ComponentName, OptionalComponent>, string>> & {
    readonly [C in OptionalComponent]?: string;
  };
  /** `name@version`, as reported in X-Model-Version, /readyz and metric labels. */
  readonly id: string;
}

export class BundleError extends Error {
  override name = 'BundleError';
}

/** Reads and validates `<dir>/bundle.yaml` and locates every component's file. */
export async function loadBundleManifest(dir: string): Promise<ResolvedBundle> {
  const file = path.join(dir, 'bundle.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new BundleError(`cannot read model bundle manifest ${file}`, { cause });
  }
  const parsed = manifestSchema.safeParse(parseYaml(text));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new BundleError(`invalid model bundle manifest ${file}:\n  ${lines.join('\n  ')}`);
  }
  const manifest = parsed.data;
  const require = createRequire(file);
  const locate = (s: z.infer<typeof source>): string => {
    if ('file' in s) return path.resolve(dir, s.file);
    // The npm package is resolved from the bundle's own folder, as Node resolves imports.
    const pkgJson = require.resolve(`${s.npm}/package.json`);
    return path.join(path.dirname(pkgJson), s.path);
  };
  const files = Object.fromEntries(
    Object.entries(manifest.components)
      .filter(([, c]) => c !== undefined)
      .map(([name, c]) => [name, locate(c.source)]),
  ) as ResolvedBundle['files'];
  return { manifest, dir, files, id: `${manifest.name}@${manifest.version}` };
}
