/**
 * Frame threads running the main thread's sessions. With a GPU, one set of sessions on
 * the GPU serves every thread: the threads do the image work (crops, resizing, tensors)
 * in parallel, and send each model run to the main thread, where runs from all requests
 * meet and are batched (batch-queue.ts, decision 0024). One WebGPU device per process
 * also means only one thread may use it (decision 0018): the main thread.
 *
 * Both ends of the exchange are here: `RemoteModels` in the frame thread, `serveModelRun`
 * on the main thread.
 */
import * as ort from 'onnxruntime-node';
import type { Placement } from './execution-provider.js';
import type { ModelRunner } from './model-runner.js';

/** A frame thread asks the main thread to run one of its sessions. */
export interface ModelRunRequest {
  readonly kind: 'run';
  readonly id: number;
  readonly component: string;
  readonly data: Float32Array;
  readonly batch: number;
}

/** Outputs as plain arrays: ort.Tensor does not survive a postMessage. */
type PlainOutputs = Record<
  string,
  { readonly dims: readonly number[]; readonly data: Float32Array }
>;

export type ModelRunReply =
  | { readonly kind: 'ran'; readonly id: number; readonly outputs: PlainOutputs }
  | { readonly kind: 'run-failed'; readonly id: number; readonly message: string };

/** Where a thread posts: a worker's parentPort, or a Worker seen from the main thread. */
interface Poster {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
}

/** The frame thread's end: runners that forward each run to the main thread. */
export class RemoteModels {
  private readonly pending = new Map<
    number,
    { resolve: (o: Record<string, ort.Tensor>) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;

  constructor(private readonly port: Poster) {}

  /** A runner for `component`, placed where the main thread's session is. */
  runner(component: string, placement: Placement): ModelRunner {
    return {
      component,
      placement,
      run: (data, batch = 1) => this.run(component, data, batch),
      release: async () => {},
    };
  }

  /** Takes the main thread's answer to one of this thread's runs. */
  settle(reply: ModelRunReply): void {
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'run-failed') {
      waiting.reject(new Error(reply.message));
      return;
    }
    const outputs: Record<string, ort.Tensor> = {};
    for (const [name, o] of Object.entries(reply.outputs))
      outputs[name] = new ort.Tensor('float32', o.data, [...o.dims]);
    waiting.resolve(outputs);
  }

  private run(component: string, data: Float32Array, batch: number) {
    return new Promise<Record<string, ort.Tensor>>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      const request: ModelRunRequest = { kind: 'run', id, component, data, batch };
      this.port.postMessage(request, ownBuffer(data));
    });
  }
}

/** The main thread's end: runs a frame thread's request on its own session and answers. */
export async function serveModelRun(
  runners: Readonly<Record<string, ModelRunner | undefined>>,
  request: ModelRunRequest,
  reply: Poster,
): Promise<void> {
  try {
    const runner = runners[request.component];
    if (runner === undefined) throw new Error(`no ${request.component} model on the main thread`);
    const outputs = await runner.run(request.data, request.batch);
    const plain: PlainOutputs = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(outputs)) {
      if (!(t.data instanceof Float32Array)) throw new Error(`output ${name} is not float32`);
      // A copy: a batched run's outputs are views of one buffer that other callers share.
      const data = t.data.slice();
      plain[name] = { dims: t.dims, data };
      transfer.push(data.buffer);
    }
    reply.postMessage(
      { kind: 'ran', id: request.id, outputs: plain } satisfies ModelRunReply,
      transfer,
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    reply.postMessage({ kind: 'run-failed', id: request.id, message } satisfies ModelRunReply);
  }
}

/** The array's buffer when the array is all of it: moved, not copied. */
function ownBuffer(data: Float32Array): ArrayBuffer[] {
  const buffer = data.buffer;
  return buffer instanceof ArrayBuffer &&
    data.byteOffset === 0 &&
    data.byteLength === buffer.byteLength
    ? [buffer]
    : [];
}
