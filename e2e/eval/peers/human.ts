/**
 * Peer 2: @vladmandic/human (BlazeFace + FaceMesh, faceres embedding). Its `similarity`
 * is a rounded, clamped map of the euclidean distance between embeddings; the raw
 * distance ranks pairs the same way without the rounding ties, so it is the score here.
 * It also ships two per-frame models, `antispoof` and `liveness`, in its models folder:
 * the liveness evaluation averages them over a clip's frames.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { euclidean } from '../../../services/verifier/src/vision/dlib-descriptor.js';
import {
  imageTensor,
  initTfjsWasm,
  require,
  rgbTensor,
  wasmDir,
  type Tensor,
} from './tfjs-wasm.js';
import type { PeerEncoder } from './peer.js';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';

interface HumanFace {
  box: [number, number, number, number];
  embedding?: number[];
  real?: number;
  live?: number;
}
interface HumanInstance {
  load(): Promise<void>;
  detect(input: Tensor, config?: unknown): Promise<{ face: HumanFace[] }>;
}
interface HumanModule {
  Human: new (config: unknown) => HumanInstance;
}

/** What `analyse` finds on the largest face; a model that did not run leaves its field out. */
export interface HumanAnalysis {
  readonly embedding?: number[];
  readonly real?: number;
  readonly live?: number;
}

export interface HumanPeer extends PeerEncoder<number[]> {
  /** Per-frame antispoof ("real") and liveness ("live") scores of the largest face, or undefined. */
  frameLiveness(image: RgbImage): Promise<{ real: number; live: number } | undefined>;
  /**
   * The largest face of decoded pixels with its embedding and, with `liveness`, the
   * antispoof and liveness scores too (iris off): the whole per-request work of the peer
   * on one picture, for the benchmark. Undefined when no face is found.
   */
  analyse(image: RgbImage, liveness: boolean): Promise<HumanAnalysis | undefined>;
  readonly livenessModels: readonly string[];
}

// The node-wasm build is not listed in the package's exports map under a "./" key, so it
// is required by file path from the folder of the package's main entry.
const distDir = (): string => path.dirname(require.resolve('@vladmandic/human'));

export async function loadHuman(): Promise<HumanPeer> {
  await initTfjsWasm();
  const { Human } = require(path.join(distDir(), 'human.node-wasm.js')) as HumanModule;
  const modelDir = path.resolve(distDir(), '../models');
  const livenessModels = ['antispoof', 'liveness'].filter((m) =>
    existsSync(path.join(modelDir, `${m}.json`)),
  );
  const off = { enabled: false };
  const human = new Human({
    backend: 'wasm',
    wasmPath: wasmDir,
    modelBasePath: `file://${modelDir}/`,
    debug: false,
    cacheSensitivity: 0,
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 5, minConfidence: 0.2 },
      mesh: { enabled: true },
      iris: { enabled: true },
      description: { enabled: true },
      emotion: off,
      antispoof: { enabled: livenessModels.includes('antispoof') },
      liveness: { enabled: livenessModels.includes('liveness') },
    },
    body: off,
    hand: off,
    object: off,
    gesture: off,
    segmentation: off,
    filter: off,
  });
  await human.load();
  const area = (f: HumanFace) => f.box[2] * f.box[3];
  const largest = (faces: HumanFace[]) => [...faces].sort((a, b) => area(b) - area(a))[0];
  // Per call, only what the task needs: the descriptor for photos, the two scores for frames.
  // Human merges a call's config into its own for good, so each call states every switch.
  const on = { enabled: true };
  const photoConfig = { face: { description: on, iris: on, antispoof: off, liveness: off } };
  const frameConfig = {
    face: {
      description: off,
      iris: off,
      antispoof: { enabled: livenessModels.includes('antispoof') },
      liveness: { enabled: livenessModels.includes('liveness') },
    },
  };
  const analyseConfig = (liveness: boolean) => ({
    face: {
      description: on,
      iris: off,
      antispoof: { enabled: liveness && livenessModels.includes('antispoof') },
      liveness: { enabled: liveness && livenessModels.includes('liveness') },
    },
  });

  return {
    name: 'human',
    description:
      '@vladmandic/human 3.3.6: BlazeFace + FaceMesh + faceres 1024-d embedding; score = −euclidean distance (the order of its own `similarity`)',
    score: '−euclidean distance',
    livenessModels,
    encode: async (file) => {
      const input = await imageTensor(file);
      try {
        return largest((await human.detect(input, photoConfig)).face)?.embedding;
      } finally {
        input.dispose();
      }
    },
    compare: (a, b) => -euclidean(a, b),
    frameLiveness: async (image) => {
      const input = rgbTensor(image.data, image.width, image.height);
      try {
        const face = largest((await human.detect(input, frameConfig)).face);
        return face === undefined ? undefined : { real: face.real ?? NaN, live: face.live ?? NaN };
      } finally {
        input.dispose();
      }
    },
    analyse: async (image, liveness) => {
      const input = rgbTensor(image.data, image.width, image.height);
      try {
        const face = largest((await human.detect(input, analyseConfig(liveness))).face);
        return face === undefined
          ? undefined
          : { embedding: face.embedding, real: face.real, live: face.live };
      } finally {
        input.dispose();
      }
    },
  };
}
