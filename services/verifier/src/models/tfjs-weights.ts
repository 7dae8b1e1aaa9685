/**
 * Reads a TF.js weights manifest (`*-weights_manifest.json` plus its binary shards) into
 * named float32 tensors. TF.js stores some weights quantised (uint8/uint16 with a scale
 * and a minimum); they are dequantised exactly as TF.js does: value = q·scale + min.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const manifestSchema = z.array(
  z.object({
    paths: z.array(z.string().min(1)).min(1),
    weights: z.array(
      z.object({
        name: z.string(),
        shape: z.array(z.number().int().nonnegative()),
        dtype: z.literal('float32'),
        quantization: z
          .object({ dtype: z.enum(['uint8', 'uint16']), scale: z.number(), min: z.number() })
          .optional(),
      }),
    ),
  }),
);

export interface WeightTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export type WeightMap = ReadonlyMap<string, WeightTensor>;

export class TfjsWeightsError extends Error {
  override name = 'TfjsWeightsError';
}

/** Every weight of the manifest, by name; the shards are read from the manifest's folder. */
export async function readTfjsWeights(manifestFile: string): Promise<WeightMap> {
  const parsed = manifestSchema.safeParse(JSON.parse(await readFile(manifestFile, 'utf8')));
  if (!parsed.success)
    throw new TfjsWeightsError(`${manifestFile}: not a TF.js weights manifest we can read`);
  const out = new Map<string, WeightTensor>();
  for (const group of parsed.data) {
    const shards = await Promise.all(
      group.paths.map((p) => readFile(path.join(path.dirname(manifestFile), p))),
    );
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const width = q === undefined ? 4 : q.dtype === 'uint8' ? 1 : 2;
      if (offset + count * width > bytes.length)
        throw new TfjsWeightsError(`${manifestFile}: shards end inside weight ${w.name}`);
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const at = offset + i * width;
        values[i] =
          q === undefined
            ? bytes.readFloatLE(at)
            : (width === 1 ? bytes[at]! : bytes.readUInt16LE(at)) * q.scale + q.min;
      }
      offset += count * width;
      out.set(w.name, { shape: w.shape, values });
    }
    if (offset !== bytes.length)
      throw new TfjsWeightsError(`${manifestFile}: ${bytes.length - offset} bytes left unread`);
  }
  return out;
}
