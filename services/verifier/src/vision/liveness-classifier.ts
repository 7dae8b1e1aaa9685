import type { RgbImage } from '../media/types.js';
import type { BundleManifest } from '../models/bundle-manifest.js';
import type { ModelRunner } from '../runtime/model-runner.js';
import { OnnxModel } from '../runtime/onnx-model.js';
import type { Box } from './geometry/types.js';
import { cropResize } from './geometry/warp.js';
import { inputSize, softmax, toTensor } from './to-tensor.js';

type Spec = BundleManifest['components']['liveness'];

/** One presentation-attack model and how it sees the face. */
export interface AttackModel {
  readonly runner: ModelRunner;
  readonly spec: Spec;
}

/**
 * The per-frame presentation-attack model (MiniFASNet): it sees the face with a wide
 * margin (2.7 × the box), where screen edges and print texture show. A bundle may add a
 * second model on a wider crop; a frame's score is then the mean of both (minivision's
 * own ensemble). The pipeline aggregates it over frames and fuses it with temporal cues.
 */
export class LivenessClassifier {
  private readonly models: readonly AttackModel[];

  constructor(first: AttackModel, ...more: AttackModel[]) {
    this.models = [first, ...more];
  }

  /** Probability-like "real" score of one face in one frame. */
  async realScore(image: RgbImage, box: Box): Promise<number> {
    const scores = await Promise.all(this.models.map((m) => realScoreOf(m, image, box)));
    return scores.reduce((a, b) => a + b, 0) / scores.length;
  }
}

async function realScoreOf({ runner, spec }: AttackModel, image: RgbImage, box: Box) {
  const { width, height } = inputSize(spec.input);
  const crop = cropResize(image, scaledBoxInside(image, box, spec.params.cropScale), width, height);
  const logits = OnnxModel.output(
    await runner.run(toTensor(crop, spec.input)),
    spec.outputs.logits,
  );
  return softmax(logits)[spec.params.realClass] ?? 0;
}

/**
 * The box scaled about its centre, shrunk to fit the image and then shifted inside it —
 * the crop MiniFASNet was trained with (minivision's CropImage), not a padded one.
 */
export function scaledBoxInside(image: RgbImage, box: Box, scale: number): Box {
  const bw = box.x2 - box.x1;
  const bh = box.y2 - box.y1;
  const s = Math.min((image.height - 1) / bh, (image.width - 1) / bw, scale);
  const w = bw * s;
  const h = bh * s;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  let x1 = cx - w / 2;
  let y1 = cy - h / 2;
  x1 = Math.min(Math.max(0, x1), image.width - 1 - w);
  y1 = Math.min(Math.max(0, y1), image.height - 1 - h);
  return { x1, y1, x2: x1 + w, y2: y1 + h };
}
