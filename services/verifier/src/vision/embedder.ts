import type { RgbImage } from '../media/types.js';
import type { BundleManifest } from '../models/bundle-manifest.js';
import type { ModelRunner } from '../runtime/model-runner.js';
import { OnnxModel } from '../runtime/onnx-model.js';
import { estimateSimilarity } from './geometry/similarity-transform.js';
import { warpAffine, type WarpOptions } from './geometry/warp.js';
import type { FivePoints } from './face.js';
import { inputSize, toTensor } from './to-tensor.js';

type Spec = BundleManifest['components']['embedder'];

/** The standard ArcFace 112×112 five-point template (insightface's `arcface_dst`). */
export const ARCFACE_TEMPLATE = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
] as const;

/** A unit-length face embedding; compare two with `cosine`. */
export type Embedding = Float32Array;

export class Embedder {
  constructor(
    private readonly model: ModelRunner,
    private readonly spec: Spec,
  ) {}

  /** The face aligned onto the template, 112×112 RGB: also the face crop users see. */
  align(image: RgbImage, points: FivePoints, options?: WarpOptions): RgbImage {
    const { width, height } = inputSize(this.spec.input);
    const sx = width / 112;
    const sy = height / 112;
    const dst = ARCFACE_TEMPLATE.map((p) => ({ x: p.x * sx, y: p.y * sy }));
    return warpAffine(image, estimateSimilarity(points, dst), width, height, options);
  }

  async embed(aligned: RgbImage): Promise<Embedding> {
    const out = OnnxModel.output(
      await this.model.run(toTensor(aligned, this.spec.input)),
      this.spec.outputs.embedding,
    );
    return l2normalise(out);
  }
}

export function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

/** Cosine similarity of two unit vectors. */
export function cosine(a: Embedding, b: Embedding): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
