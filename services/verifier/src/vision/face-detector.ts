import type { RgbImage } from '../media/types.js';
import type { BundleManifest } from '../models/bundle-manifest.js';
import type { ModelRunner } from '../runtime/model-runner.js';
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
    private readonly model: ModelRunner,
    private readonly spec: Spec,
  ) {}

  /**
   * All faces above the score threshold, best first, after non-maximum suppression. The
   * detector sees `region` of the image (default: all of it); parts of the region outside
   * the image are black. `resized`: the region already resized to the detector's input
   * (a decoder's second output), which saves resizing it here.
   */
  async detect(
    image: RgbImage,
    region: Box = wholeImage(image),
    resized?: RgbImage,
  ): Promise<Detection[]> {
    const { width, height } = inputSize(this.spec.input);
    const input = resized ?? cropResize(image, region, width, height);
    if (input.width !== width || input.height !== height)
      throw new Error(`the detector takes ${width}×${height}, not ${input.width}×${input.height}`);
    const out = await this.model.run(toTensor(input, this.spec.input));
    const scores = OnnxModel.output(out, this.spec.outputs.scores);
    const boxes = OnnxModel.output(out, this.spec.outputs.boxes);
    const rw = region.x2 - region.x1;
    const rh = region.y2 - region.y1;
    const candidates: Detection[] = [];
    const n = scores.length / 2;
    for (let i = 0; i < n; i++) {
      const score = scores[i * 2 + 1]!;
      if (score < this.spec.params.scoreThreshold) continue;
      const box: Box = {
        x1: Math.max(0, region.x1 + clamp(boxes[i * 4]!) * rw),
        y1: Math.max(0, region.y1 + clamp(boxes[i * 4 + 1]!) * rh),
        x2: Math.min(image.width, region.x1 + clamp(boxes[i * 4 + 2]!) * rw),
        y2: Math.min(image.height, region.y1 + clamp(boxes[i * 4 + 3]!) * rh),
      };
      if (box.x2 - box.x1 >= 2 && box.y2 - box.y1 >= 2) candidates.push({ box, score });
    }
    return nonMaxSuppression(candidates, this.spec.params.nmsIou);
  }

  /** The detector's input size: what a decoder should resize frames to for `detect`. */
  get inputSize(): { width: number; height: number } {
    return inputSize(this.spec.input);
  }

  /**
   * Detection on the image set in a black border as wide and as tall as itself on each
   * side, as insightface pads: the detector learned faces with context around them, and
   * misses a face that fills the frame (an ID-style crop cut at the forehead): measured
   * on tight grey crops of photos, without a border it found none in most, with it
   * every one (docs/models.md).
   */
  detectWithBorder(image: RgbImage): Promise<Detection[]> {
    const { width: w, height: h } = image;
    return this.detect(image, { x1: -w, y1: -h, x2: 2 * w, y2: 2 * h });
  }
}

const wholeImage = (image: RgbImage): Box => ({ x1: 0, y1: 0, x2: image.width, y2: image.height });

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
