/**
 * Every model of the default bundle, its batch dimension freed, computes per image what
 * the publisher's graph computes one image at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { loadConfig } from '../config/config.js';
import { loadBundleManifest } from './bundle-manifest.js';
import { descriptorModel } from './converted-model.js';
import { BATCH_DIMENSION, FreeBatchError, freeBatchDimension } from './free-batch-dimension.js';

const { onnx } = onnxProto;
const bundle = await loadBundleManifest(loadConfig({}).modelBundleDir);
const components = bundle.manifest.components;
const BATCH = 3;
const options = { intraOpNumThreads: 1, executionProviders: ['cpu'] };

const graphs: [string, () => Promise<Uint8Array>][] = [
  ...(['detector', 'landmarks', 'embedder', 'liveness', 'livenessWide', 'eyes'] as const).map(
    (name) =>
      [name, async () => new Uint8Array(await readFile(bundle.files[name]!))] as [
        string,
        () => Promise<Uint8Array>,
      ],
  ),
  ['descriptor', async () => (await descriptorModel(bundle))!],
];

for (const [name, bytesOf] of graphs) {
  test(`${name}: a batch of ${BATCH} equals ${BATCH} single runs of the original graph`, async () => {
    const bytes = await bytesOf();
    const input = components[name as keyof typeof components]!.input;
    const [, c, h, w] = input.shape as [number, number, number, number];
    const n = c * h * w;
    const data = Float32Array.from(
      { length: BATCH * n },
      (_, i) => Math.sin(i * 0.37) * 60 + ((i * 7919) % 13),
    );
    const original = await ort.InferenceSession.create(bytes, options);
    const freed = await ort.InferenceSession.create(freeBatchDimension(bytes), options);
    assert.deepEqual(
      freed.inputMetadata.map((m) => (m.isTensor ? m.shape[0] : undefined)),
      [BATCH_DIMENSION],
    );
    const batched = await freed.run({
      [input.name]: new ort.Tensor('float32', data, [BATCH, c, h, w]),
    });
    for (let k = 0; k < BATCH; k++) {
      const alone = await original.run({
        [input.name]: new ort.Tensor('float32', data.subarray(k * n, (k + 1) * n), [1, c, h, w]),
      });
      for (const [out, t] of Object.entries(alone)) {
        const a = t.data as Float32Array;
        const b = batched[out]!.data as Float32Array;
        assert.equal(batched[out]!.dims[0], BATCH, `${out} leads with the batch`);
        const scale = Math.max(1, ...Array.from(a, Math.abs));
        for (let i = 0; i < a.length; i++) {
          const diff = Math.abs(a[i]! - b[k * a.length + i]!);
          assert.ok(diff <= 1e-5 * scale, `${out}[${k}][${i}]: ${a[i]} vs ${b[k * a.length + i]}`);
        }
      }
    }
    await Promise.all([original.release(), freed.release()]);
  });
}

test('a graph whose inputs do not lead with 1 is refused, not guessed at', () => {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Relu', input: ['x'], output: ['y'] }],
      input: [valueInfo('x', [2, 4])],
      output: [valueInfo('y', [2, 4])],
    },
  });
  assert.throws(
    () => freeBatchDimension(onnx.ModelProto.encode(model).finish()),
    (e: unknown) => e instanceof FreeBatchError && /x leads with 2, not 1/.test(e.message),
  );
});

function valueInfo(name: string, dims: number[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => ({ dimValue: d })) },
      },
    },
  };
}
