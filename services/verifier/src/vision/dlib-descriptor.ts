import type { RgbImage } from '../media/types.js';
import type { BundleManifest } from '../models/bundle-manifest.js';
import type { ModelRunner } from '../runtime/model-runner.js';
import { OnnxModel } from '../runtime/onnx-model.js';
import { LANDMARKS } from './face.js';
import type { Point } from './geometry/types.js';
import { mean } from './geometry/types.js';
import { warpAffine } from './geometry/warp.js';
import { inputSize, toTensor } from './to-tensor.js';

type Spec = NonNullable<BundleManifest['components']['descriptor']>;

/**
 * face-api's "dlib" face box, from 68 landmarks: a square of side
 * (mean eye-to-mouth distance) / 0.45, placed so the centroid of the eyes and the mouth
 * sits at (0.5, 0.43) of it, upright (not rotated), the crop the descriptor was used with.
 */
const REL_SCALE = 0.45;
const REL_X = 0.5;
const REL_Y = 0.43;

/** A 128-d dlib ResNet face descriptor; compare two by euclidean distance. */
export type Descriptor = Float32Array;

export class DlibDescriptor {
  constructor(
    private readonly model: ModelRunner,
    private readonly spec: Spec,
  ) {}

  /** The face cropped as face-api crops it, at the model's input size. */
  crop(image: RgbImage, landmarks: readonly Point[]): RgbImage {
    const { width } = inputSize(this.spec.input);
    const range = (r: readonly [number, number]) => landmarks.slice(r[0], r[1] + 1);
    const leftEye = mean(range(LANDMARKS.leftEye));
    const rightEye = mean(range(LANDMARKS.rightEye));
    const mouth = mean(range(LANDMARKS.mouth));
    const toMouth = (p: Point) => Math.hypot(mouth.x - p.x, mouth.y - p.y);
    const side = (toMouth(leftEye) + toMouth(rightEye)) / 2 / REL_SCALE;
    const centre = mean([leftEye, rightEye, mouth]);
    const k = width / side;
    // Outside the image is black, as face-api's zero padding to a square is.
    return warpAffine(
      image,
      {
        a: k,
        b: 0,
        c: (REL_X * side - centre.x) * k,
        d: 0,
        e: k,
        f: (REL_Y * side - centre.y) * k,
      },
      width,
      width,
    );
  }

  async describe(crop: RgbImage): Promise<Descriptor> {
    const out = OnnxModel.output(
      await this.model.run(toTensor(crop, this.spec.input)),
      this.spec.outputs.descriptor,
    );
    return Float32Array.from(out);
  }
}

/** Euclidean distance of two descriptors: face-api's and human's own comparison. */
export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
