/**
 * Peer 1: @vladmandic/face-api (SSD MobileNet v1 detector, 68 landmarks, 128-d dlib-style
 * descriptor; euclidean distance). Models come from the package's own `model/` folder.
 * The largest face is the subject; when none is found the image is retried with a 50%
 * border, as BASELINES.md did (its SSD misses faces that fill a tight crop).
 */
import path from 'node:path';
import { euclidean } from '../../../services/verifier/src/vision/dlib-descriptor.js';
import { imageTensor, initTfjsWasm, require, type Tensor } from './tfjs-wasm.js';
import type { PeerEncoder } from './peer.js';

interface Box {
  width: number;
  height: number;
}
interface FaceApi {
  nets: Record<
    'ssdMobilenetv1' | 'faceLandmark68Net' | 'faceRecognitionNet',
    { loadFromDisk(dir: string): Promise<void> }
  >;
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  detectAllFaces(
    input: Tensor,
    options: unknown,
  ): {
    withFaceLandmarks(): {
      withFaceDescriptors(): Promise<{ detection: { box: Box }; descriptor: Float32Array }[]>;
    };
  };
}

export async function loadFaceApi(): Promise<PeerEncoder<Float32Array>> {
  await initTfjsWasm();
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  const modelDir = path.join(
    path.dirname(require.resolve('@vladmandic/face-api/package.json')),
    'model',
  );
  for (const net of ['ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet'] as const)
    await faceapi.nets[net].loadFromDisk(modelDir);
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 10 });

  async function largest(file: string, border: number): Promise<Float32Array | undefined> {
    const input = await imageTensor(file, border);
    try {
      const faces = await faceapi
        .detectAllFaces(input, options)
        .withFaceLandmarks()
        .withFaceDescriptors();
      const area = (b: Box) => b.width * b.height;
      return faces.sort((x, y) => area(y.detection.box) - area(x.detection.box))[0]?.descriptor;
    } finally {
      input.dispose();
    }
  }

  return {
    name: 'face-api',
    description:
      '@vladmandic/face-api 1.7.15: SSD MobileNet v1 + 68 landmarks + 128-d descriptor; retry with a 50% border when no face is found',
    score: '−euclidean distance',
    encode: async (file) => (await largest(file, 0)) ?? (await largest(file, 0.5)),
    compare: (a, b) => -euclidean(a, b),
  };
}
