/**
 * Video frames are analysed on a pool of worker threads, each with its own model
 * sessions. onnxruntime-node runs a session synchronously on the calling thread, so on
 * the main thread one request's frames would hold up every other request's HTTP,
 * decoding and photo work, and the second core would idle (decision 0008). With the
 * sessions on a GPU the threads keep the image work and run the main thread's sessions
 * instead, where every request's runs are batched (decision 0024).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RgbImage } from '../media/types.js';
import type { Placement } from '../runtime/execution-provider.js';
import { serveModelRun } from '../runtime/remote-model.js';
import type { Detection, LandmarkedFace } from '../vision/face.js';
import type { FaceModels } from '../vision/face-models.js';
import type { FrameReply, FrameRequest, FrameResult, FrameWorkerData } from './frame-worker.js';
import type { DescribeTask, FrameFacts, FrameObserver, LocateTask } from './observe-frame.js';

export interface FrameWorkersOptions extends Omit<FrameWorkerData, 'mainSessions'> {
  readonly threads: number;
  /**
   * The main thread's models, for the threads to run instead of loading their own: set
   * where those sessions are on a GPU (runtime/remote-model.ts). The threads then do the
   * image work in parallel, and the runs of every request meet, and batch, here.
   */
  readonly mainModels?: FaceModels;
}

/**
 * Steps one thread takes at once. With its own sessions, one: ORT blocks the thread. With
 * the main thread's, a step mostly waits for its model runs, and others' image work fills
 * the wait (and their runs join the same batches).
 */
const STEPS_PER_THREAD = { own: 1, main: 4 } as const;

interface Pending {
  readonly request: FrameRequest;
  readonly resolve: (result: FrameResult) => void;
  readonly reject: (err: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  /** The steps this thread is working on, by request id. */
  readonly current: Map<number, Pending>;
}

export class FrameWorkerError extends Error {
  override name = 'FrameWorkerError';
}

export class FrameWorkers implements FrameObserver {
  /** Threads ready for work. */
  private readonly threads: Thread[] = [];
  /** Every live worker, ready or still loading: close() ends them all. */
  private readonly workers = new Set<Worker>();
  /**
   * Locating first: it is each request's critical path, one frame after another; then the
   * detections that feed it; descriptions last, nothing waits on them but the end.
   */
  private readonly queues = {
    locate: [] as Pending[],
    detect: [] as Pending[],
    describe: [] as Pending[],
  };
  private nextId = 0;
  private closing = false;
  private reported: Readonly<Record<string, Placement>> | undefined;

  private constructor(private readonly opts: FrameWorkersOptions) {}

  /** Starts the threads and resolves once every one has loaded and warmed its models. */
  static async start(opts: FrameWorkersOptions): Promise<FrameWorkers> {
    const pool = new FrameWorkers(opts);
    try {
      await Promise.all(Array.from({ length: opts.threads }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.threads.length;
  }

  /**
   * Each session's execution provider in the threads, as the first thread reported it
   * (every thread loads the same bundle with the same options). With WebGPU requested,
   * CPU: WebGPU sessions stay on the main thread (runtime/onnx-model.ts).
   */
  get placements(): Readonly<Record<string, Placement>> {
    return this.reported ?? {};
  }

  detect(image: RgbImage, resized?: RgbImage): Promise<Detection[]> {
    return this.run({ id: this.nextId++, kind: 'detect', image, resized }) as Promise<Detection[]>;
  }

  locate(task: LocateTask): Promise<LandmarkedFace | undefined> {
    return this.run({ id: this.nextId++, kind: 'locate', task }) as Promise<
      LandmarkedFace | undefined
    >;
  }

  describe(task: DescribeTask): Promise<FrameFacts> {
    return this.run({ id: this.nextId++, kind: 'describe', task }) as Promise<FrameFacts>;
  }

  private run(request: FrameRequest): Promise<FrameResult> {
    return new Promise((resolve, reject) => {
      if (this.closing) {
        reject(new FrameWorkerError('the frame pool is closed'));
        return;
      }
      if (this.workers.size === 0) {
        reject(new FrameWorkerError('no frame worker is running'));
        return;
      }
      this.queues[request.kind].push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** Rejects what is queued, waits for nothing in flight, and ends every thread. */
  async close(): Promise<void> {
    this.closing = true;
    for (const queue of Object.values(this.queues))
      for (const p of queue.splice(0)) p.reject(new FrameWorkerError('the frame pool closed'));
    this.threads.length = 0;
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }

  /** A replacement failed to start: with no thread left, queued work would wait forever. */
  private orphaned(err: unknown): void {
    if (this.threads.length > 0 || this.workers.size > 0) return;
    const reason = err instanceof Error ? err.message : String(err);
    for (const queue of Object.values(this.queues))
      for (const p of queue.splice(0))
        p.reject(new FrameWorkerError(`no frame worker could be restarted: ${reason}`));
  }

  private dispatch(): void {
    const steps = this.opts.mainModels === undefined ? STEPS_PER_THREAD.own : STEPS_PER_THREAD.main;
    for (const thread of this.threads) {
      while (thread.current.size < steps) {
        const { locate, detect, describe } = this.queues;
        const next = locate.shift() ?? detect.shift() ?? describe.shift();
        if (next === undefined) return;
        thread.current.set(next.request.id, next);
        thread.worker.postMessage(next.request);
      }
    }
  }

  private spawn(): Promise<void> {
    const main = this.opts.mainModels;
    const worker = createWorker({
      bundleDir: this.opts.bundleDir,
      runtime: this.opts.runtime,
      ...(main === undefined ? {} : { mainSessions: main.placements }),
    });
    const thread: Thread = { worker, current: new Map() };
    this.workers.add(worker);
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (reply: FrameReply) => {
        if (reply.kind === 'run') {
          if (main !== undefined) void serveModelRun(main.runners, reply, worker);
          return;
        }
        if (reply.kind === 'ready') {
          ready = true;
          this.reported ??= reply.placements;
          this.threads.push(thread);
          resolve();
          this.dispatch();
          return;
        }
        const job = thread.current.get(reply.id);
        thread.current.delete(reply.id);
        if (job !== undefined) {
          if (reply.kind === 'done') job.resolve(reply.result);
          else job.reject(new FrameWorkerError(reply.message));
        }
        this.dispatch();
      });
      worker.on('error', (err) => {
        if (!ready) reject(err);
      });
      worker.on('exit', (code) => {
        this.workers.delete(worker);
        const at = this.threads.indexOf(thread);
        if (at >= 0) this.threads.splice(at, 1);
        for (const job of thread.current.values())
          job.reject(new FrameWorkerError(`a frame worker exited with code ${code}`));
        thread.current.clear();
        if (!ready) reject(new FrameWorkerError(`a frame worker exited with code ${code}`));
        // A thread that died under load is replaced; its task has already failed alone.
        else if (!this.closing) void this.spawn().catch((err: unknown) => this.orphaned(err));
      });
    });
  }
}

/**
 * The compiled service starts frame-worker.js directly. Run from TypeScript sources
 * (tests, under tsx), a worker does not inherit tsx's loader on Node 20, so the thread
 * registers it itself before importing the .ts module.
 */
function createWorker(workerData: FrameWorkerData): Worker {
  const here = fileURLToPath(import.meta.url);
  if (path.extname(here) !== '.ts') {
    return new Worker(new URL('./frame-worker.js', import.meta.url), { workerData });
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./frame-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
