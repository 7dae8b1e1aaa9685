/**
 * A thread of the frame pool (frame-workers.ts): its own sessions of every model, loaded
 * and warmed once when the thread starts, then the three steps of observe-frame.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RgbImage } from '../media/types.js';
import { loadBundleManifest } from '../models/bundle-manifest.js';
import type { Placement } from '../runtime/execution-provider.js';
import type { RuntimeOptions } from '../runtime/onnx-model.js';
import type { Detection, LandmarkedFace } from '../vision/face.js';
import { loadFaceModels, warmUp } from '../vision/face-models.js';
import {
  describeFace,
  locateFace,
  type DescribeTask,
  type FrameFacts,
  type LocateTask,
} from './observe-frame.js';

export interface FrameWorkerData {
  readonly bundleDir: string;
  readonly runtime: RuntimeOptions;
}

export type FrameRequest =
  | {
      readonly id: number;
      readonly kind: 'detect';
      readonly image: RgbImage;
      readonly resized: RgbImage | undefined;
    }
  | { readonly id: number; readonly kind: 'locate'; readonly task: LocateTask }
  | { readonly id: number; readonly kind: 'describe'; readonly task: DescribeTask };

export type FrameResult = Detection[] | LandmarkedFace | FrameFacts | undefined;

export type FrameReply =
  | { readonly kind: 'ready'; readonly placements: Readonly<Record<string, Placement>> }
  | { readonly kind: 'done'; readonly id: number; readonly result: FrameResult }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

const port = parentPort;
if (port === null) throw new Error('frame-worker.ts runs only as a worker thread');
const { bundleDir, runtime } = workerData as FrameWorkerData;
const models = await loadFaceModels(await loadBundleManifest(bundleDir), runtime, {
  descriptor: false,
});
await warmUp(models);

port.on('message', (req: FrameRequest) => {
  const work: Promise<FrameResult> =
    req.kind === 'detect'
      ? models.detector.detect(req.image, undefined, req.resized)
      : req.kind === 'locate'
        ? locateFace(models, req.task)
        : describeFace(models, req.task);
  work.then(
    (result) => port.postMessage({ kind: 'done', id: req.id, result } satisfies FrameReply),
    (err: unknown) =>
      port.postMessage({
        kind: 'failed',
        id: req.id,
        message: err instanceof Error ? err.message : String(err),
      } satisfies FrameReply),
  );
});
port.postMessage({ kind: 'ready', placements: models.placements } satisfies FrameReply);
