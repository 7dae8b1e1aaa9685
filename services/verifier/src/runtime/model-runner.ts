/**
 * What the vision wrappers need of a model: where it runs and a way to run it. An
 * OnnxModel in this thread, or a frame thread's handle on the main thread's session
 * (remote-model.ts), so that the wrappers never care which.
 */
import type * as ort from 'onnxruntime-node';
import type { Placement } from './execution-provider.js';

export interface ModelRunner {
  readonly component: string;
  readonly placement: Placement;
  /** Runs `batch` images packed in `data` (the manifest's layout); outputs lead with `batch`. */
  run(data: Float32Array, batch?: number): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}
