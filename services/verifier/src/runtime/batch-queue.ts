/**
 * Batching across requests: single-image runs of one model, from whichever requests
 * are in flight, are held until `maxBatch` have come or the first has waited
 * `maxWaitMs`, then go through the model as one batch (decision 0024). A batch shares a
 * run's fixed cost, which is most of a small model's run on a GPU; on one CPU thread it
 * is not, and batching stays off there (measured: docs/benchmarks.md).
 */
import * as ort from 'onnxruntime-node';

export interface BatchPolicy {
  /** Most images in one run; 1 turns batching off. */
  readonly maxBatch: number;
  /** Longest the first image of a batch waits for others. */
  readonly maxWaitMs: number;
}

export const NO_BATCHING: BatchPolicy = { maxBatch: 1, maxWaitMs: 0 };

type Outputs = Record<string, ort.Tensor>;

interface Waiting {
  readonly data: Float32Array;
  readonly resolve: (outputs: Outputs) => void;
  readonly reject: (err: unknown) => void;
}

export class BatchQueue {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;

  /**
   * `run` takes the images packed one after another and their count; every output it
   * returns must lead with that count.
   */
  constructor(
    private readonly imageSize: number,
    private readonly policy: BatchPolicy,
    private readonly run: (data: Float32Array, batch: number) => Promise<Outputs>,
    private readonly onBatch?: (size: number) => void,
  ) {}

  /** Runs one image (`imageSize` values) in the next batch; resolves to its own outputs. */
  submit(data: Float32Array): Promise<Outputs> {
    if (data.length !== this.imageSize) {
      return Promise.reject(
        new Error(`input of ${data.length} values, expected ${this.imageSize}`),
      );
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ data, resolve, reject });
      if (this.waiting.length >= this.policy.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.policy.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    void this.execute(batch);
  }

  private async execute(batch: readonly Waiting[]): Promise<void> {
    const input = new Float32Array(batch.length * this.imageSize);
    batch.forEach((w, k) => input.set(w.data, k * this.imageSize));
    this.onBatch?.(batch.length);
    try {
      const outputs = await this.run(input, batch.length);
      const parts = splitBatch(outputs, batch.length);
      batch.forEach((w, k) => w.resolve(parts[k]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}

/** Each output cut along its leading dimension: one set of outputs per image, each of batch 1. */
export function splitBatch(outputs: Outputs, batch: number): Outputs[] {
  const parts: Outputs[] = Array.from({ length: batch }, () => ({}));
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.dims[0] !== batch) {
      throw new Error(`output ${name} has shape [${tensor.dims.join(',')}], not ${batch} first`);
    }
    const data = tensor.data;
    if (!(data instanceof Float32Array)) throw new Error(`output ${name} is not float32`);
    const per = data.length / batch;
    const dims = [1, ...tensor.dims.slice(1)];
    parts.forEach((part, k) => {
      part[name] = new ort.Tensor('float32', data.subarray(k * per, (k + 1) * per), dims);
    });
  }
  return parts;
}
