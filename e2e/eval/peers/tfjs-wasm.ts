/**
 * The TF.js runtime the peers share: pure @tensorflow/tfjs on the wasm backend
 * (tfjs-node cannot install offline), wasm binaries read from the package's own dist
 * folder, model files read from disk, pixels decoded by sharp. Both peer libraries are
 * CommonJS bundles that `require` the same hoisted tfjs-core, so one engine serves both.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

export const require = createRequire(import.meta.url);

/** The slice of @tensorflow/tfjs-core the peers' glue needs. */
export interface Tensor {
  dispose(): void;
}
export interface TfCore {
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): Tensor;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  io: {
    registerLoadRouter(
      router: (url: string | string[]) => { load(): Promise<unknown> } | null,
    ): void;
    getModelArtifactsForJSON(
      json: unknown,
      loadWeights: (manifest: WeightGroup[]) => Promise<[unknown[], ArrayBuffer]>,
    ): Promise<unknown>;
  };
}
interface WeightGroup {
  paths: string[];
  weights: unknown[];
}

export const tf = require('@tensorflow/tfjs-core') as TfCore;
export const wasmDir = `${path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`;

let ready: Promise<void> | undefined;

/** Selects the wasm backend once; model URLs `file://…` are then read from disk. */
export function initTfjsWasm(): Promise<void> {
  ready ??= (async () => {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
    // A file path, not a URL: the wasm backend reads it with fs under Node.
    wasm.setWasmPaths(wasmDir);
    tf.io.registerLoadRouter(fileLoader);
    if (!(await tf.setBackend('wasm')))
      throw new Error('the TF.js wasm backend did not initialise');
    await tf.ready();
  })();
  return ready;
}

/** TF.js without tfjs-node has no file:// handler; a graph model is one JSON plus weight shards. */
function fileLoader(url: string | string[]): { load(): Promise<unknown> } | null {
  const u = Array.isArray(url) ? url[0] : url;
  if (typeof u !== 'string' || !u.startsWith('file://')) return null;
  const file = u.slice('file://'.length);
  return {
    load: async () => {
      const json: unknown = JSON.parse(await readFile(file, 'utf8'));
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: unknown[] = [];
        const shards: Buffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths)
            shards.push(await readFile(path.join(path.dirname(file), p)));
          specs.push(...group.weights);
        }
        const all = Buffer.concat(shards);
        return [
          specs,
          all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer,
        ];
      });
    },
  };
}

/**
 * An image file as an int32 HWC RGB tensor, upright (EXIF applied) and flattened on
 * white; `border` pads each side by that fraction of the image's size (face-api's SSD
 * misses faces that fill a tight crop).
 */
export async function imageTensor(file: string, border = 0): Promise<Tensor> {
  let img = sharp(file, { pages: 1 })
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb');
  if (border > 0) {
    const meta = await sharp(await img.png().toBuffer()).metadata();
    const dx = Math.round((meta.width ?? 0) * border);
    const dy = Math.round((meta.height ?? 0) * border);
    img = sharp(await img.png().toBuffer()).extend({
      top: dy,
      bottom: dy,
      left: dx,
      right: dx,
      background: '#000000',
    });
  }
  const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return rgbTensor(
    new Uint8Array(data.buffer, data.byteOffset, data.length),
    info.width,
    info.height,
  );
}

export function rgbTensor(data: Uint8Array, width: number, height: number): Tensor {
  return tf.tensor3d(data, [height, width, 3], 'int32');
}
