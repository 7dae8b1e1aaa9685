import type { RgbImage } from '../media/types.js';
import type { BundleManifest } from '../models/bundle-manifest.js';
import type { ModelRunner } from '../runtime/model-runner.js';
import { OnnxModel } from '../runtime/onnx-model.js';
import type { Point } from './geometry/types.js';
import { cropResize } from './geometry/warp.js';
import type { Detection, LandmarkedFace } from './face.js';
import { inputSize, toTensor } from './to-tensor.js';

type Spec = BundleManifest['components']['landmarks'];

/**
 * 68 landmarks from a grey crop of the detector's box, resized to 64×64 as the
 * package's own preprocessing does; outputs are fractions of the crop.
 */
export class Landmarker {
  constructor(
    private readonly model: ModelRunner,
    private readonly spec: Spec,
  ) {}

  async landmarks(image: RgbImage, face: Detection): Promise<LandmarkedFace> {
    const { width, height } = inputSize(this.spec.input);
    const { box } = face;
    const crop = cropResize(image, box, width, height);
    const out = OnnxModel.output(
      await this.model.run(toTensor(crop, this.spec.input)),
      this.spec.outputs.points,
    );
    const bw = box.x2 - box.x1;
    const bh = box.y2 - box.y1;
    const points: Point[] = [];
    for (let i = 0; i < 68; i++)
      points.push({ x: box.x1 + out[i * 2]! * bw, y: box.y1 + out[i * 2 + 1]! * bh });
    return { ...face, landmarks: points };
  }
}
