/**
 * One ONNX model behind onnxruntime-node. Sessions are created once at start-up and
 * shared by all requests; the runtime checks each session against the manifest's input
 * spec at load and fails loudly, instead of guessing a model's meaning from its shape.
 */
import { readFile } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { InputSpec } from '../models/bundle-manifest.js';
import { freeBatchDimension } from '../models/free-batch-dimension.js';
import { BatchQueue, type BatchPolicy } from './batch-queue.js';
import type { ModelRunner } from './model-runner.js';
import type { ExecutionProvider, Placement } from './execution-provider.js';

export interface RuntimeOptions {
  readonly executionProvider: ExecutionProvider;
  /**
   * Threads per session. On a small CPU several sessions with default threads fight
   * each other (3–7× slower on 2 cores, MODELS.md): concurrency comes from requests.
   */
  readonly intraOpThreads: number;
  /**
   * When the requested provider cannot serve a session: true (the default) loads it on
   * CPU and records why in its placement; false refuses to load it.
   */
  readonly allowFallback?: boolean;
}

/**
 * onnxruntime's WebGPU context is one per process, and two threads using it at once
 * crash the process (measured with 1.29.0: a segfault, or Dawn's "encoder is already
 * finished" errors). WebGPU sessions are therefore kept to the main thread (decision 0018).
 */
export const WEBGPU_MAIN_THREAD_ONLY =
  'WebGPU sessions run on the main thread only: onnxruntime-node shares one WebGPU device per process and it is not thread-safe';

/** Batching across requests for one session, and who to tell each batch's size. */
export interface Batching extends BatchPolicy {
  readonly onBatch?: (component: string, size: number) => void;
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** The requested execution provider cannot serve a session and falling back is off. */
export class ExecutionProviderError extends ModelLoadError {
  override name = 'ExecutionProviderError';
}

export class OnnxModel implements ModelRunner {
  /** Present when single-image runs are batched across requests. */
  private readonly queue: BatchQueue | undefined;

  private constructor(
    readonly component: string,
    private readonly session: ort.InferenceSession,
    readonly input: InputSpec,
    readonly placement: Placement,
    batching: Batching | undefined,
  ) {
    if (batching !== undefined && batching.maxBatch > 1) {
      const [, c, h, w] = input.shape as [number, number, number, number];
      const onBatch = batching.onBatch;
      this.queue = new BatchQueue(
        c * h * w,
        batching,
        (data, batch) => this.runNow(data, batch),
        onBatch === undefined ? undefined : (size) => onBatch(component, size),
      );
    }
  }

  /** The execution provider the session actually got. */
  get provider(): ExecutionProvider {
    return this.placement.provider;
  }

  /**
   * Loads the model (a file, or the bytes of one built in memory) on the requested
   * execution provider, else on CPU with the reason in `placement` (or an
   * ExecutionProviderError when fallback is off), and checks the input spec. With
   * `batching` (maxBatch > 1) the graph's batch dimension is freed first, and single
   * runs wait to be batched with other requests' (runtime/batch-queue.ts).
   */
  static async load(
    component: string,
    model: string | Uint8Array,
    input: InputSpec,
    opts: RuntimeOptions,
    batching?: Batching,
  ): Promise<OnnxModel> {
    const batched = batching !== undefined && batching.maxBatch > 1;
    const file = batched
      ? freeBatchDimension(typeof model === 'string' ? await readFile(model) : model)
      : model;
    const base: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: opts.intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    };
    const requested = opts.executionProvider;
    let session: ort.InferenceSession | undefined;
    let fallback: string | undefined;
    if (requested === 'webgpu' && !isMainThread) {
      fallback = WEBGPU_MAIN_THREAD_ONLY;
    } else if (requested !== 'cpu') {
      try {
        // CPU listed last serves any operator the requested provider lacks.
        session = await createSession(file, { ...base, executionProviders: [requested, 'cpu'] });
      } catch (err) {
        fallback = err instanceof Error ? err.message : String(err);
      }
    }
    if (fallback !== undefined && opts.allowFallback === false) {
      throw new ExecutionProviderError(
        `${component}: the ${requested} execution provider cannot load it and fallback to CPU is off: ${fallback}`,
      );
    }
    session ??= await createCpu(file, base, component);
    const placement: Placement =
      fallback === undefined
        ? { requested, provider: requested }
        : { requested, provider: 'cpu', fallback };
    checkInput(component, session, input);
    return new OnnxModel(component, session, input, placement, batched ? batching : undefined);
  }

  /**
   * Runs `batch` images (the input tensor in the manifest's layout). A single image
   * joins other requests' when batching is on; its outputs are its own either way.
   */
  run(data: Float32Array, batch = 1): Promise<Record<string, ort.Tensor>> {
    if (this.queue !== undefined && batch === 1) return this.queue.submit(data);
    return this.runNow(data, batch);
  }

  private async runNow(data: Float32Array, batch: number): Promise<Record<string, ort.Tensor>> {
    const [, c, h, w] = this.input.shape as [number, number, number, number];
    if (data.length !== batch * c * h * w) {
      throw new Error(
        `${this.component}: input of ${data.length} values, expected ${batch * c * h * w}`,
      );
    }
    const tensor = new ort.Tensor('float32', data, [batch, c, h, w]);
    return this.session.run({ [this.input.name]: tensor });
  }

  /** Reads one named output as float32. */
  static output(outputs: Record<string, ort.Tensor>, name: string): Float32Array {
    const t = outputs[name];
    if (t === undefined || !(t.data instanceof Float32Array)) {
      throw new Error(`model output ${name} missing or not float32`);
    }
    return t.data;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

async function createCpu(
  file: string | Uint8Array,
  base: ort.InferenceSession.SessionOptions,
  component: string,
): Promise<ort.InferenceSession> {
  try {
    return await createSession(file, { ...base, executionProviders: ['cpu'] });
  } catch (cause) {
    const what = typeof file === 'string' ? file : `its ${file.length}-byte model`;
    throw new ModelLoadError(`${component}: cannot load ${what}`, { cause });
  }
}

/** ort's overloads take a path or bytes, not their union. */
const createSession = (
  file: string | Uint8Array,
  options: ort.InferenceSession.SessionOptions,
): Promise<ort.InferenceSession> =>
  typeof file === 'string'
    ? ort.InferenceSession.create(file, options)
    : ort.InferenceSession.create(file, options);

function checkInput(component: string, session: ort.InferenceSession, spec: InputSpec): void {
  if (!session.inputNames.includes(spec.name)) {
    throw new ModelLoadError(
      `${component}: the model has no input "${spec.name}" (it has ${session.inputNames.join(', ')})`,
    );
  }
  const meta = session.inputMetadata.find((m) => m.name === spec.name);
  if (meta !== undefined && meta.isTensor) {
    const shape = meta.shape;
    const ok =
      shape.length === spec.shape.length &&
      shape.every((d, i) => typeof d !== 'number' || d === spec.shape[i] || (i === 0 && d <= 0));
    if (!ok) {
      throw new ModelLoadError(
        `${component}: input shape [${shape.join(',')}] does not match the manifest [${spec.shape.join(',')}]`,
      );
    }
  }
}
