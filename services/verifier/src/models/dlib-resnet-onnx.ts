/**
 * face-api's FaceRecognitionNet (dlib's ResNet-29 face descriptor, 150×150 RGB → 128-d)
 * rebuilt as an ONNX graph from its TF.js weights, so the service runs it on the same
 * onnxruntime as every other model instead of shipping a second ML runtime
 * (docs/decisions/0009-dlib-descriptor-as-onnx.md). The graph mirrors
 * @vladmandic/face-api's src/faceRecognitionNet op for op; e2e/eval/dlib-descriptor.test.ts
 * checks its output against TF.js on real faces.
 *
 * Input `input`: [1, 3, 150, 150] RGB pixel values 0–255 (normalised inside the graph);
 * output `descriptor`: [1, 128], not normalised (face-api compares by euclidean distance).
 */
import onnxProto from 'onnx-proto';
import { floatTensor, int, int64Tensor, ints, node, type Graph } from './onnx-graph.js';
import type { WeightMap, WeightTensor } from './tfjs-weights.js';
import { TfjsWeightsError } from './tfjs-weights.js';

const { onnx } = onnxProto;

const DLIB_INPUT = { name: 'input', size: 150 } as const;
const DLIB_OUTPUT = 'descriptor';

/** face-api's per-channel mean (RGB); it divides by 255 after subtracting it. */
const MEAN_RGB = [122.782, 117.001, 104.298];

function weight(weights: WeightMap, name: string): WeightTensor {
  const w = weights.get(name);
  if (w === undefined) throw new TfjsWeightsError(`face recognition weights: ${name} is missing`);
  return w;
}

/**
 * conv → +bias → ×scale → +offset, folded into one Conv: the scale layer is a per-output
 * channel affine map, so W' = W·s and b' = b·s + t. TF.js filters are [kh, kw, in, out];
 * ONNX wants [out, in, kh, kw].
 */
function conv(
  g: Graph,
  weights: WeightMap,
  x: string,
  prefix: string,
  stride: 1 | 2,
  relu: boolean,
): string {
  const f = weight(weights, `${prefix}/conv/filters`);
  const bias = weight(weights, `${prefix}/conv/bias`).values;
  const s = weight(weights, `${prefix}/scale/weights`).values;
  const t = weight(weights, `${prefix}/scale/biases`).values;
  const [kh, kw, cin, cout] = f.shape as [number, number, number, number];
  const w = new Float32Array(cout * cin * kh * kw);
  for (let y = 0; y < kh; y++)
    for (let xk = 0; xk < kw; xk++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          w[((o * cin + i) * kh + y) * kw + xk] =
            f.values[((y * kw + xk) * cin + i) * cout + o]! * s[o]!;
  const b = new Float32Array(cout);
  for (let o = 0; o < cout; o++) b[o] = bias[o]! * s[o]! + t[o]!;
  g.initializers.push(floatTensor(`${prefix}/W`, [cout, cin, kh, kw], w));
  g.initializers.push(floatTensor(`${prefix}/B`, [cout], b));
  // Stride 2 is TF's 'valid'; stride 1 is 'same', which for odd kernels pads evenly.
  const pad = stride === 1 ? (kh - 1) / 2 : 0;
  const out = node(
    g,
    'Conv',
    [x, `${prefix}/W`, `${prefix}/B`],
    [
      ints('kernel_shape', [kh, kw]),
      ints('strides', [stride, stride]),
      ints('pads', [pad, pad, pad, pad]),
    ],
  );
  return relu ? node(g, 'Relu', [out]) : out;
}

interface Shape {
  readonly channels: number;
  readonly size: number;
}

function residual(g: Graph, w: WeightMap, x: string, prefix: string): string {
  const a = conv(g, w, x, `${prefix}/conv1`, 1, true);
  const b = conv(g, w, a, `${prefix}/conv2`, 1, false);
  return node(g, 'Relu', [node(g, 'Add', [b, x])]);
}

/**
 * The down-sampling block: the shortcut is a 2×2 average pool, zero-padded in channels
 * when they double; when the strided 'valid' conv comes out one pixel smaller than the
 * pool, face-api appends a row and a column of zeros to the conv branch.
 */
function residualDown(
  g: Graph,
  w: WeightMap,
  x: string,
  prefix: string,
  shape: Shape,
): {
  out: string;
  shape: Shape;
} {
  const a = conv(g, w, x, `${prefix}/conv1`, 2, true);
  let b = conv(g, w, a, `${prefix}/conv2`, 1, false);
  const channels = weight(w, `${prefix}/conv2/conv/filters`).shape[3]!;
  const convSize = Math.floor((shape.size - 3) / 2) + 1;
  const poolSize = Math.floor(shape.size / 2);
  let pooled = node(g, 'AveragePool', [x], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
  if (channels !== shape.channels) {
    const name = `${prefix}/pad_channels`;
    g.initializers.push(int64Tensor(name, [0, 0, 0, 0, 0, channels - shape.channels, 0, 0]));
    pooled = node(g, 'Pad', [pooled, name]);
  }
  if (convSize !== poolSize) {
    const name = `${prefix}/pad_spatial`;
    const d = poolSize - convSize;
    g.initializers.push(int64Tensor(name, [0, 0, 0, 0, 0, 0, d, d]));
    b = node(g, 'Pad', [b, name]);
  }
  return {
    out: node(g, 'Relu', [node(g, 'Add', [pooled, b])]),
    shape: { channels, size: poolSize },
  };
}

/** The serialised ONNX model (opset 13). */
export function buildDlibResnetOnnx(weights: WeightMap): Uint8Array {
  const g: Graph = { nodes: [], initializers: [], next: 0 };
  g.initializers.push(
    floatTensor('mean', [1, 3, 1, 1], Float32Array.from(MEAN_RGB)),
    floatTensor('inv255', [], Float32Array.of(1 / 255)),
  );
  let x = node(g, 'Mul', [node(g, 'Sub', [DLIB_INPUT.name, 'mean']), 'inv255']);
  x = conv(g, weights, x, 'conv32_down', 2, true);
  x = node(g, 'MaxPool', [x], [ints('kernel_shape', [3, 3]), ints('strides', [2, 2])]);
  // 150 → 72 (7×7/2 conv) → 35 (3×3/2 pool).
  let shape: Shape = { channels: 32, size: 35 };
  const stages: [down: string | undefined, blocks: string[]][] = [
    [undefined, ['conv32_1', 'conv32_2', 'conv32_3']],
    ['conv64_down', ['conv64_1', 'conv64_2', 'conv64_3']],
    ['conv128_down', ['conv128_1', 'conv128_2']],
    ['conv256_down', ['conv256_1', 'conv256_2']],
    ['conv256_down_out', []],
  ];
  for (const [down, blocks] of stages) {
    if (down !== undefined) ({ out: x, shape } = residualDown(g, weights, x, down, shape));
    for (const b of blocks) x = residual(g, weights, x, b);
  }
  const pooled = node(g, 'ReduceMean', [x], [ints('axes', [2, 3]), int('keepdims', 0)]);
  const fc = weight(weights, 'fc');
  g.initializers.push(floatTensor('fc', fc.shape, fc.values));
  node(g, 'MatMul', [pooled, 'fc'], [], DLIB_OUTPUT);
  const tensorType = (name: string, dims: readonly number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: dims.map((d) => ({ dimValue: d })) },
        },
      },
    });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'silentid',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'dlib_face_recognition_resnet',
      node: g.nodes,
      initializer: g.initializers,
      input: [tensorType(DLIB_INPUT.name, [1, 3, DLIB_INPUT.size, DLIB_INPUT.size])],
      output: [tensorType(DLIB_OUTPUT, [1, fc.shape[1]!])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
