/**
 * One ONNX model behind onnxruntime-node. Sessions are created once at start-up and
 * shared by all requests; the runtime checks each session against the manifest's input
 * spec at load and fails loudly, instead of guessing a model's meaning from its shape.
 */
import * as ort from 'onnxruntime-node';
import type { InputSpec } from '../models/bundle-manifest.js';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface RuntimeOptions {
  readonly executionProvider: ExecutionProvider;
  /**
   * Threads per session. On a small CPU several sessions with default threads fight
   * each other (3–7× slower on 2 cores, MODELS.md): concurrency comes from requests.
   */
  readonly intraOpThreads: number;
  /** Called once when CUDA was asked for but the session fell back to CPU. */
  readonly onFallback?: (component: string, reason: string) => void;
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export class OnnxModel {
  private constructor(
    readonly component: string,
    private readonly session: ort.InferenceSession,
    readonly input: InputSpec,
    readonly provider: ExecutionProvider,
  ) {}

  /**
   * Loads the model (a file, or the bytes of one built in memory), selects the execution
   * provider, and checks the input spec.
   */
  static async load(
    component: string,
    file: string | Uint8Array,
    input: InputSpec,
    opts: RuntimeOptions,
  ): Promise<OnnxModel> {
    const base: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: opts.intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    };
    let session: ort.InferenceSession;
    let provider: ExecutionProvider = 'cpu';
    if (opts.executionProvider === 'cuda') {
      try {
        session = await createSession(file, {
          ...base,
          executionProviders: ['cuda', 'cpu'],
        });
        provider = 'cuda';
      } catch (err) {
        opts.onFallback?.(component, err instanceof Error ? err.message : String(err));
        session = await createCpu(file, base, component);
      }
    } else {
      session = await createCpu(file, base, component);
    }
    checkInput(component, session, input);
    return new OnnxModel(component, session, input, provider);
  }

  /** Runs one batch; `data` is the input tensor in the manifest's layout. */
  async run(data: Float32Array, batch = 1): Promise<Record<string, ort.Tensor>> {
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
