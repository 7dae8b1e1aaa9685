import type { RgbImage } from '../media/types.js';
import type { BundleManifest } from '../models/bundle-manifest.js';
import type { ModelRunner } from '../runtime/model-runner.js';
import { OnnxModel } from '../runtime/onnx-model.js';
import type { Point } from './geometry/types.js';
import { warpAffine } from './geometry/warp.js';
import { inputSize, softmax, toTensor } from './to-tensor.js';

type Spec = BundleManifest['components']['eyes'];

/** How open each eye looks, 0 (closed or covered) … 1 (open). */
export interface EyeOpenness {
  readonly left: number;
  readonly right: number;
}

/**
 * Eye open/closed model on a square grey crop of 1.6 × the eye's corner-to-corner width,
 * turned so that the eye's corners lie level. The model learned upright eyes: a head or
 * phone tilted by 20° made it read one open eye as shut for whole seconds and lose most
 * blinks, which the levelled crop reads as in the upright clip (docs/liveness.md,
 * "Ordinary capture variations").
 */
export class EyeState {
  constructor(
    private readonly model: ModelRunner,
    private readonly spec: Spec,
  ) {}

  async openness(image: RgbImage, landmarks: readonly Point[]): Promise<EyeOpenness> {
    const [left, right] = await Promise.all([
      this.eye(image, landmarks, 36),
      this.eye(image, landmarks, 42),
    ]);
    return { left, right };
  }

  private async eye(image: RgbImage, l: readonly Point[], first: number): Promise<number> {
    const { width, height } = inputSize(this.spec.input);
    const c = {
      x: (l[first + 1]!.x + l[first + 2]!.x + l[first + 4]!.x + l[first + 5]!.x) / 4,
      y: (l[first + 1]!.y + l[first + 2]!.y + l[first + 4]!.y + l[first + 5]!.y) / 4,
    };
    const dx = l[first + 3]!.x - l[first]!.x;
    const dy = l[first + 3]!.y - l[first]!.y;
    const side = Math.max(4, Math.hypot(dx, dy) * this.spec.params.cropScale);
    // Eye-line coordinates about the centre, scaled so that `side` spans the model's input.
    const angle = Math.atan2(dy, dx);
    const cos = (Math.cos(angle) * width) / side;
    const sin = (Math.sin(angle) * width) / side;
    const crop = warpAffine(
      image,
      {
        a: cos,
        b: sin,
        c: width / 2 - (cos * c.x + sin * c.y),
        d: -sin,
        e: cos,
        f: height / 2 - (-sin * c.x + cos * c.y),
      },
      width,
      height,
    );
    const logits = OnnxModel.output(
      await this.model.run(toTensor(crop, this.spec.input)),
      this.spec.outputs.logits,
    );
    return 1 - (softmax(logits)[this.spec.params.closedClass] ?? 0);
  }
}
