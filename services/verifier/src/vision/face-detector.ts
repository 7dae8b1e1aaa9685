import type { RgbImage } from '../media/types.js';
import type { BundleManifest } from '../models/bundle-manifest.js';
import { OnnxModel } from '../runtime/onnx-model.js';
import { cropResize } from './geometry/warp.js';
import { iou, type Box } from './geometry/types.js';
import type { Detection } from './face.js';
import { inputSize, toTensor } from './to-tensor.js';

type Spec = BundleManifest['components']['detector'];

/**
 * Face boxes from the Ultra-Light-Fast RFB detector. The whole image is resized to the
 * model's 320×240 without keeping the aspect ratio, as the detector was trained.
 */
export class FaceDetector {
  constructor(
    private readonly model: OnnxModel,
    private readonly spec: Spec,
  ) {}

  /** All faces above the score threshold, best first, after non-maximum suppression. */
  async detect(image: RgbImage): Promise<Detection[]> {
    const { width, height } = inputSize(this.spec.input);
    const resized = cropResize(
      image,
      { x1: 0, y1: 0, x2: image.width, y2: image.height },
      width,
      height,
    );
    const out = await this.model.run(toTensor(resized, this.spec.input));
    const scores = OnnxModel.output(out, this.spec.outputs.scores);
    const boxes = OnnxModel.output(out, this.spec.outputs.boxes);
    const candidates: Detection[] = [];
    const n = scores.length / 2;
    for (let i = 0; i < n; i++) {
      const score = scores[i * 2 + 1]!;
      if (score < this.spec.params.scoreThreshold) continue;
      const box: Box = {
        x1: clamp(boxes[i * 4]!) * image.width,
        y1: clamp(boxes[i * 4 + 1]!) * image.height,
        x2: clamp(boxes[i * 4 + 2]!) * image.width,
        y2: clamp(boxes[i * 4 + 3]!) * image.height,
      };
      if (box.x2 - box.x1 >= 2 && box.y2 - box.y1 >= 2) candidates.push({ box, score });
    }
    return nonMaxSuppression(candidates, this.spec.params.nmsIou);
  }
}

const clamp = (v: number): number => Math.min(1, Math.max(0, v));

/** Greedy NMS by score. */
export function nonMaxSuppression(dets: readonly Detection[], maxIou: number): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.every((k) => iou(k.box, d.box) <= maxIou)) kept.push(d);
  }
  return kept;
}
