/**
 * A thread of the frame pool (frame-workers.ts): its own sessions of every model, loaded
 * and warmed once when the thread starts, or, with a GPU, handles on the main thread's
 * sessions (runtime/remote-model.ts); then the three steps of observe-frame.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RgbImage } from '../media/types.js';
import { loadBundleManifest } from '../models/bundle-manifest.js';
import type { Placement } from '../runtime/execution-provider.js';
import type { RuntimeOptions } from '../runtime/onnx-model.js';
import { RemoteModels, type ModelRunReply, type ModelRunRequest } from '../runtime/remote-model.js';
import type { Detection, LandmarkedFace } from '../vision/face.js';
import { faceModelsFrom, loadFaceModels, warmUp } from '../vision/face-models.js';
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
  /**
   * Run the main thread's sessions instead of loading any: their placements, by
   * component. Set when those sessions are on a GPU.
   */
  readonly mainSessions?: Readonly<Record<string, Placement>>;
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
  | { readonly kind: 'failed'; readonly id: number; readonly message: string }
  | ModelRunRequest;

if (parentPort === null) throw new Error('frame-worker.ts runs only as a worker thread');
const port = parentPort;
const { bundleDir, runtime, mainSessions } = workerData as FrameWorkerData;
const bundle = await loadBundleManifest(bundleDir);
const remote = mainSessions === undefined ? undefined : new RemoteModels(port);
const models =
  remote === undefined
    ? await loadFaceModels(bundle, runtime, { descriptor: false })
    : faceModelsFrom(bundle, {
        detector: remote.runner('detector', placed('detector')),
        landmarks: remote.runner('landmarks', placed('landmarks')),
        embedder: remote.runner('embedder', placed('embedder')),
        liveness: remote.runner('liveness', placed('liveness')),
        livenessWide:
          bundle.manifest.components.livenessWide === undefined
            ? undefined
            : remote.runner('livenessWide', placed('livenessWide')),
        eyes: remote.runner('eyes', placed('eyes')),
      });
// The main thread answers model runs from here on: warming up exercises that path too.
port.on('message', (msg: FrameRequest | ModelRunReply) => {
  if (msg.kind === 'ran' || msg.kind === 'run-failed') remote?.settle(msg);
  else observe(msg);
});
await warmUp(models);

function placed(component: string): Placement {
  const p = mainSessions?.[component];
  if (p === undefined) throw new Error(`the main thread has no ${component} session`);
  return p;
}

function observe(req: FrameRequest): void {
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
}
port.postMessage({ kind: 'ready', placements: models.placements } satisfies FrameReply);
