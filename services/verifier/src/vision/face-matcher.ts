/**
 * Whether two faces are the same person: each face becomes a template (the embedder's
 * ArcFace embedding and, when the bundle has one, the dlib descriptor), and two templates
 * get one similarity that the bundle's knots turn into verification_score.
 *
 * With both models the similarity is the mean of their z-scores against impostor pairs:
 * each model's score, minus its impostor mean, over its impostor spread. The two models
 * were trained apart and err on different pairs, so their mean separates identities
 * better than either (docs/eval: TAR at the strictest bound 95.7% → 99.5%); equal weights,
 * because a weight fitted on a corpus this small would be fitted to its few hard pairs.
 */
import type { BundleManifest } from '../models/bundle-manifest.js';
import type { DlibDescriptor, Descriptor } from './dlib-descriptor.js';
import { euclidean } from './dlib-descriptor.js';
import { cosine, type Embedder, type Embedding } from './embedder.js';
import { fivePoints, type LandmarkedFace } from './face.js';
import type { RgbImage } from '../media/types.js';

type Fusion = NonNullable<BundleManifest['calibration']['verification']['fusion']>;

export interface FaceTemplate {
  readonly embedding: Embedding;
  readonly descriptor?: Descriptor;
}

export class FaceMatcher {
  constructor(
    private readonly embedder: Embedder,
    private readonly descriptor: DlibDescriptor | undefined,
    private readonly fusion: Fusion | undefined,
  ) {}

  /** Whether similarities are fused scores (else cosines). */
  get fused(): boolean {
    return this.fusion !== undefined;
  }

  /** Whether this instance can make templates its similarity accepts. */
  get canDescribe(): boolean {
    return this.fusion === undefined || this.descriptor !== undefined;
  }

  async template(image: RgbImage, face: LandmarkedFace): Promise<FaceTemplate> {
    const embedding = this.embedder.embed(this.embedder.align(image, fivePoints(face.landmarks)));
    if (this.fusion === undefined) return { embedding: await embedding };
    if (this.descriptor === undefined)
      throw new Error('the bundle fuses a descriptor that this thread did not load');
    const d = this.descriptor;
    const [e, descriptor] = await Promise.all([
      embedding,
      d.describe(d.crop(image, face.landmarks)),
    ]);
    return { embedding: e, descriptor };
  }

  /** The similarity the calibration knots are measured on. */
  similarity(a: FaceTemplate, b: FaceTemplate): number {
    const cos = cosine(a.embedding, b.embedding);
    if (this.fusion === undefined) return cos;
    if (a.descriptor === undefined || b.descriptor === undefined)
      throw new Error('a template without its descriptor cannot be compared by a fused bundle');
    return fuse(this.fusion, cos, -euclidean(a.descriptor, b.descriptor));
  }
}

/** The ends of the cosine scale: the outermost calibration knots. */
export const COSINE_RANGE = [-1, 1] as const;
/**
 * The outermost knots of a fused scale, well beyond any face pair: a photo compared with
 * itself scores about +10 (ten impostor spreads on each model), a cosine of −1 about −5
 * on the embedder's half. Beyond the knots the score is clamped to 0 or 1 anyway.
 */
export const FUSED_RANGE = [-20, 20] as const;

/** Mean z-score of the two models' similarities (higher = more alike for both). */
export function fuse(f: Fusion, cosine: number, negDistance: number): number {
  const z = (v: number, s: { mean: number; sd: number }) => (v - s.mean) / s.sd;
  return (z(cosine, f.embedder) + z(negDistance, f.descriptor)) / 2;
}
