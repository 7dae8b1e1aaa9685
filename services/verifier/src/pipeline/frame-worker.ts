/**
 * A thread of the frame pool (frame-workers.ts): its own sessions of every model, loaded
 * and warmed once when the thread starts, then one kind of message: observe a frame.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBundleManifest } from '../models/bundle-manifest.js';
import type { RuntimeOptions } from '../runtime/onnx-model.js';
import { loadFaceModels, warmUp } from '../vision/face-models.js';
import { observeFrame, type FrameFacts, type FrameTask } from './observe-frame.js';

export interface FrameWorkerData {
  readonly bundleDir: string;
  readonly runtime: Omit<RuntimeOptions, 'onFallback'>;
}

export interface FrameRequest {
  readonly id: number;
  readonly task: FrameTask;
}

export type FrameReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly id: number; readonly facts: FrameFacts | undefined }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

const port = parentPort;
if (port === null) throw new Error('frame-worker.ts runs only as a worker thread');
const { bundleDir, runtime } = workerData as FrameWorkerData;
const models = await loadFaceModels(await loadBundleManifest(bundleDir), runtime);
await warmUp(models);

port.on('message', ({ id, task }: FrameRequest) => {
  const reply = (r: FrameReply) => port.postMessage(r);
  observeFrame(models, task).then(
    (facts) => reply({ kind: 'done', id, facts }),
    (err: unknown) =>
      reply({ kind: 'failed', id, message: err instanceof Error ? err.message : String(err) }),
  );
});
port.postMessage({ kind: 'ready' } satisfies FrameReply);
