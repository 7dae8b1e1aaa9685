/**
 * Research (issue #13 item 4): does MesoNet (Afchar et al., WIFS 2018; DariusAf/MesoNet,
 * Apache-2.0), a small CNN trained on 2018 face swaps (Deepfake) and Face2Face
 * reenactments, separate the synthesized talking heads of the corpus from camera video?
 * It is the only learned deepfake detector with a usable licence and weights that could be
 * had offline; if it generalises to today's generators (SadTalker, MuseV, LivePortrait) it
 * would be a cheap extra liveness cue.
 *
 * Subcommands (all write only under OUT, scratch outside the repository):
 *
 *   convert --repo MIRROR --out OUT [--python /usr/bin/python3]
 *     Each weights/*.h5 of the mirror → OUT/<name>.onnx. HDF5 is read by a few lines of
 *     Python with h5py (Debian: apt-get install python3-h5py python3-numpy), which dump the
 *     float32 tensors; the graph is built here with onnx-proto, as
 *     services/verifier/src/models/dlib-resnet-onnx.ts does for the dlib descriptor.
 *   check --repo MIRROR --out OUT --python /tmp/tfvenv/bin/python
 *     Reference run: a Python with TensorFlow/Keras rebuilds classifiers.py's models, loads
 *     the same .h5 and scores MesoNet's own test_images (2 deepfake, 2 real) plus noise and
 *     flat grey; the ONNX graphs score the same tensors; prints the largest difference.
 *     (No TensorFlow on Debian: a venv from a local wheel cache, e.g.
 *     python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install --no-index
 *     --find-links /opt/pypi/files tensorflow-cpu pillow.)
 *   run --out OUT [--only SUBSTRING]
 *     Every liveness video of the evaluation (buildPresentations over MANIFEST.tsv and
 *     liveness-more/, as dump-observations.ts: bona fide, replays, synthetic; not the crowd),
 *     decoded by the service's loadVideo at 3.2 fps for at most 16 frames (the first 5 s, at
 *     the service's working side 640), the face found by the service's detector and
 *     locateFace (tracked from frame to frame), then three 256×256 crops per frame:
 *       box1.0 / box1.3  a square of 1.0 / 1.3 × the detector box's longer side, centred;
 *       meso             MesoNet's own crop (pipeline.py get_aligned_face): centred on the
 *                        nose, side 1.3 × 2.2 × max(eye–eye, eyes–mouth) from the 68
 *                        landmarks, rotated so the eyes–mouth axis is vertical.
 *     Every crop through the 4 graphs; per clip the mean logit over its frames. → OUT/scores.json
 *   report --out OUT
 *     Per weight file and crop: per-clip scores by species and source, AUC bona fide vs
 *     synthetic and vs replays, a leave-one-generator-out threshold check, and the cost.
 *
 * Findings (48 clips: 34 bona fide, 12 synthetic, 2 replays): the graphs match Keras to
 * 4e-7 on P(real). No weight file and no crop separates synthetic talking heads from camera
 * video across sources (AUC 0.33–0.61; 0/12 synthetic rejected at a threshold keeping every
 * bona fide, even in-sample). Within SadTalker alone its 6 HDTF bona fide score above its 8
 * outputs (AUC 1.0 for the DF weights), but webcam and phone clips score below every
 * generator: the score follows resolution and compression, not synthesis.
 *
 * Output convention: the Keras generator reads class folders alphabetically, so `df` is 0
 * and `real` is 1: the sigmoid is P(real). The graphs return the logit before the sigmoid
 * too: a 3-SD tail is meaningless on probabilities saturated at 1.
 *
 *   nice -n 10 node --import tsx e2e/eval/cue-research/mesonet-experiment.ts convert \
 *     --repo /work/.mirror/DariusAf+MesoNet/repo --out /tmp/meso
 *   nice -n 10 node --import tsx e2e/eval/cue-research/mesonet-experiment.ts check \
 *     --repo /work/.mirror/DariusAf+MesoNet/repo --out /tmp/meso --python /tmp/tfvenv/bin/python
 *   nice -n 10 node --import tsx e2e/eval/cue-research/mesonet-experiment.ts run --out /tmp/meso
 *   node --import tsx e2e/eval/cue-research/mesonet-experiment.ts report --out /tmp/meso
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../../services/verifier/src/models/bundle-manifest.js';
import {
  float,
  floatTensor,
  int,
  ints,
  node,
  type Graph,
} from '../../../services/verifier/src/models/onnx-graph.js';
import { loadVideo } from '../../../services/verifier/src/media/video/load-video.js';
import { locateFace } from '../../../services/verifier/src/pipeline/observe-frame.js';
import { loadFaceModels } from '../../../services/verifier/src/vision/face-models.js';
import { cropResize, warpAffine } from '../../../services/verifier/src/vision/geometry/warp.js';
import type { Box, Point } from '../../../services/verifier/src/vision/geometry/types.js';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import { corpus } from '../corpus.js';
import { buildPresentations } from '../liveness.js';

const { onnx } = onnxProto;
const run = promisify(execFile);

const SIDE = 256;
const MODELS = ['Meso4_DF', 'Meso4_F2F', 'MesoInception_DF', 'MesoInception_F2F'] as const;
type ModelName = (typeof MODELS)[number];
const CROPS = ['box1.0', 'box1.3', 'meso'] as const;
type CropName = (typeof CROPS)[number];
/** Keras' BatchNormalization default; weights-only .h5 files keep no layer config. */
const BN_EPSILON = 1e-3;
const FRAMES = 16;
const SAMPLE_FPS = 3.2;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    repo: { type: 'string', default: '/work/.mirror/DariusAf+MesoNet/repo' },
    out: { type: 'string', default: '/tmp/meso' },
    python: { type: 'string', default: '/usr/bin/python3' },
    only: { type: 'string' },
  },
});
const out = values.out;

// ---------------------------------------------------------------------------------------
// convert: .h5 → ONNX

/** Prints every dataset of the .h5 as little-endian float32, base64, keyed by its path. */
const DUMP_PY = `
import sys, json, base64, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
w = {}
def visit(name, obj):
    if isinstance(obj, h5py.Dataset):
        a = np.asarray(obj, dtype='<f4')
        w[name] = {'shape': list(a.shape), 'data': base64.b64encode(a.tobytes()).decode()}
f.visititems(visit)
json.dump({'keras_version': str(f.attrs.get('keras_version')), 'weights': w}, sys.stdout)
`;

interface Tensor {
  readonly shape: number[];
  readonly values: Float32Array;
}
/** layer name (e.g. conv2d_5) → weight name (kernel, bias, gamma, …) → tensor. */
type Layers = Map<string, Map<string, Tensor>>;

async function readH5(python: string, file: string): Promise<Layers> {
  const { stdout } = await run(python, ['-c', DUMP_PY, file], { maxBuffer: 64 << 20 });
  const dump = JSON.parse(stdout) as {
    weights: Record<string, { shape: number[]; data: string }>;
  };
  const layers: Layers = new Map();
  for (const [key, { shape, data }] of Object.entries(dump.weights)) {
    // Keras 2 writes <layer>/<layer>/<weight>:0.
    const parts = key.split('/');
    const layer = parts[0]!;
    const name = parts[parts.length - 1]!.replace(/:\d+$/, '');
    const bytes = Buffer.from(data, 'base64');
    const values = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
    if (!layers.has(layer)) layers.set(layer, new Map());
    layers.get(layer)!.set(name, { shape, values });
  }
  return layers;
}

/**
 * Layers of one type in creation order. Keras names layers by a per-type counter as the
 * model code creates them, so the numeric suffix orders them as classifiers.py builds
 * them — in the Inception block [a 1×1, b 1×1, b 3×3, c 1×1, c 3×3 d2, d 1×1, d 3×3 d3],
 * where the branches b and c have identical shapes and only the order tells them apart.
 */
function ofType(layers: Layers, prefix: string): Map<string, Tensor>[] {
  return [...layers.keys()]
    .filter((k) => k.startsWith(`${prefix}_`))
    .sort((a, b) => Number(a.split('_').pop()) - Number(b.split('_').pop()))
    .map((k) => layers.get(k)!);
}

function get(layer: Map<string, Tensor>, name: string): Tensor {
  const t = layer.get(name);
  if (t === undefined) throw new Error(`weight ${name} missing`);
  return t;
}

/** Conv2D(padding='same', stride 1, activation='relu'); Keras kernels are HWIO, ONNX OIHW. */
function conv(
  g: Graph,
  x: string,
  channels: number,
  layer: Map<string, Tensor>,
  dilation = 1,
): { out: string; channels: number } {
  const k = get(layer, 'kernel');
  const [kh, kw, cin, cout] = k.shape as [number, number, number, number];
  if (cin !== channels) throw new Error(`conv expects ${cin} channels, gets ${channels}`);
  const w = new Float32Array(k.values.length);
  for (let y = 0; y < kh; y++)
    for (let xk = 0; xk < kw; xk++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          w[((o * cin + i) * kh + y) * kw + xk] = k.values[((y * kw + xk) * cin + i) * cout + o]!;
  const name = `w${g.next++}`;
  g.initializers.push(floatTensor(`${name}/W`, [cout, cin, kh, kw], w));
  g.initializers.push(floatTensor(`${name}/B`, [cout], get(layer, 'bias').values));
  // 'same' at stride 1 with an odd kernel pads evenly: half the dilated extent.
  const pad = ((kh - 1) * dilation) / 2;
  const c = node(
    g,
    'Conv',
    [x, `${name}/W`, `${name}/B`],
    [
      ints('kernel_shape', [kh, kw]),
      ints('dilations', [dilation, dilation]),
      ints('pads', [pad, pad, pad, pad]),
    ],
  );
  return { out: node(g, 'Relu', [c]), channels: cout };
}

/** BatchNormalization (after the ReLU in MesoNet, so it cannot fold into the conv), then MaxPool. */
function bnPool(g: Graph, x: string, layer: Map<string, Tensor>, pool: number): string {
  const name = `bn${g.next++}`;
  const n = get(layer, 'gamma').values.length;
  for (const p of ['gamma', 'beta', 'moving_mean', 'moving_variance'])
    g.initializers.push(floatTensor(`${name}/${p}`, [n], get(layer, p).values));
  const bn = node(
    g,
    'BatchNormalization',
    [x, `${name}/gamma`, `${name}/beta`, `${name}/moving_mean`, `${name}/moving_variance`],
    [float('epsilon', BN_EPSILON)],
  );
  // Every size divides evenly (256 → 128 → 64 → 32 → 8): Keras' 'same' pads nothing.
  return node(
    g,
    'MaxPool',
    [bn],
    [ints('kernel_shape', [pool, pool]), ints('strides', [pool, pool])],
  );
}

/** The ONNX model: input [N,3,256,256] RGB 0–255; outputs logit and real = sigmoid(logit). */
function buildMesoOnnx(layers: Layers, inception: boolean): Uint8Array {
  const g: Graph = { nodes: [], initializers: [], next: 0 };
  g.initializers.push(floatTensor('inv255', [], Float32Array.of(1 / 255)));
  let x = node(g, 'Mul', ['input', 'inv255']);
  const convs = ofType(layers, 'conv2d');
  const bns = ofType(layers, 'batch_normalization');
  const denses = ofType(layers, 'dense');
  let channels = 3;
  let ci = 0;
  if (inception) {
    for (let block = 0; block < 2; block++) {
      const c = convs.slice(ci, ci + 7);
      ci += 7;
      const a = conv(g, x, channels, c[0]!);
      const b = conv(g, conv(g, x, channels, c[1]!).out, get(c[1]!, 'kernel').shape[3]!, c[2]!);
      const cc = conv(g, conv(g, x, channels, c[3]!).out, get(c[3]!, 'kernel').shape[3]!, c[4]!, 2);
      const d = conv(g, conv(g, x, channels, c[5]!).out, get(c[5]!, 'kernel').shape[3]!, c[6]!, 3);
      // Concatenate(axis=-1) in NHWC is the channel axis, 1 in NCHW, in the order x1..x4.
      x = node(g, 'Concat', [a.out, b.out, cc.out, d.out], [int('axis', 1)]);
      channels = a.channels + b.channels + cc.channels + d.channels;
      x = bnPool(g, x, bns[block]!, 2);
    }
    for (const [i, pool] of [
      [2, 2],
      [3, 4],
    ] as const) {
      const c = conv(g, x, channels, convs[ci++]!);
      channels = c.channels;
      x = bnPool(g, c.out, bns[i]!, pool);
    }
  } else {
    for (const [i, pool] of [2, 2, 2, 4].entries()) {
      const c = conv(g, x, channels, convs[ci++]!);
      channels = c.channels;
      x = bnPool(g, c.out, bns[i]!, pool);
    }
  }
  if (ci !== convs.length) throw new Error(`${convs.length - ci} conv layers left unused`);
  // Keras flattens channels-last (HWC order): transpose back to NHWC before Flatten so the
  // dense kernel [1024, 16] is used as stored.
  x = node(
    g,
    'Flatten',
    [node(g, 'Transpose', [x], [ints('perm', [0, 2, 3, 1])])],
    [int('axis', 1)],
  );
  for (const [i, d] of denses.entries()) {
    const k = get(d, 'kernel');
    g.initializers.push(floatTensor(`dense${i}/W`, k.shape, k.values));
    g.initializers.push(floatTensor(`dense${i}/B`, [k.shape[1]!], get(d, 'bias').values));
    x = node(
      g,
      'Gemm',
      [x, `dense${i}/W`, `dense${i}/B`],
      [],
      i === denses.length - 1 ? 'logit' : undefined,
    );
    // Dropout is the identity at inference.
    if (i < denses.length - 1) x = node(g, 'LeakyRelu', [x], [float('alpha', 0.1)]);
  }
  node(g, 'Sigmoid', ['logit'], [], 'real');
  const type = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: {
            dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
          },
        },
      },
    });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'silentid-research',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: inception ? 'MesoInception4' : 'Meso4',
      node: g.nodes,
      initializer: g.initializers,
      input: [type('input', ['N', 3, SIDE, SIDE])],
      output: [type('logit', ['N', 1]), type('real', ['N', 1])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

async function gitShow(repo: string, file: string, target: string): Promise<void> {
  const { stdout } = await run('git', ['-C', repo, 'show', `HEAD:${file}`], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
  });
  await writeFile(target, stdout);
}

async function convert(): Promise<void> {
  await mkdir(out, { recursive: true });
  for (const name of MODELS) {
    const h5 = path.join(out, `${name}.h5`);
    await gitShow(values.repo, `weights/${name}.h5`, h5);
    const bytes = buildMesoOnnx(await readH5(values.python, h5), name.startsWith('MesoInception'));
    await writeFile(path.join(out, `${name}.onnx`), bytes);
    console.log(`${name}: ${bytes.length} bytes → ${path.join(out, `${name}.onnx`)}`);
  }
}

// ---------------------------------------------------------------------------------------
// check: the ONNX graphs against Keras on the same tensors

/** classifiers.py's two models, verbatim but for the imports (Keras 3 names). */
const REFERENCE_PY = `
import sys, json, numpy as np
from PIL import Image
from keras.layers import Input, Dense, Flatten, Conv2D, MaxPooling2D, BatchNormalization, Dropout, Concatenate, LeakyReLU
from keras.models import Model
W = 256
def head(x4):
    y = Flatten()(x4); y = Dropout(0.5)(y); y = Dense(16)(y); y = LeakyReLU(negative_slope=0.1)(y)
    y = Dropout(0.5)(y); return Dense(1, activation='sigmoid')(y)
def meso4():
    x = Input(shape=(W, W, 3)); h = x
    for n, k, p in [(8, 3, 2), (8, 5, 2), (16, 5, 2), (16, 5, 4)]:
        h = Conv2D(n, (k, k), padding='same', activation='relu')(h); h = BatchNormalization()(h)
        h = MaxPooling2D(pool_size=(p, p), padding='same')(h)
    return Model(inputs=x, outputs=head(h))
def inc(a, b, c, d):
    def f(x):
        x1 = Conv2D(a, (1, 1), padding='same', activation='relu')(x)
        x2 = Conv2D(b, (1, 1), padding='same', activation='relu')(x)
        x2 = Conv2D(b, (3, 3), padding='same', activation='relu')(x2)
        x3 = Conv2D(c, (1, 1), padding='same', activation='relu')(x)
        x3 = Conv2D(c, (3, 3), dilation_rate=2, strides=1, padding='same', activation='relu')(x3)
        x4 = Conv2D(d, (1, 1), padding='same', activation='relu')(x)
        x4 = Conv2D(d, (3, 3), dilation_rate=3, strides=1, padding='same', activation='relu')(x4)
        return Concatenate(axis=-1)([x1, x2, x3, x4])
    return f
def mesoinception():
    x = Input(shape=(W, W, 3))
    h = inc(1, 4, 4, 2)(x); h = BatchNormalization()(h); h = MaxPooling2D(pool_size=(2, 2), padding='same')(h)
    h = inc(2, 4, 4, 2)(h); h = BatchNormalization()(h); h = MaxPooling2D(pool_size=(2, 2), padding='same')(h)
    h = Conv2D(16, (5, 5), padding='same', activation='relu')(h); h = BatchNormalization()(h)
    h = MaxPooling2D(pool_size=(2, 2), padding='same')(h)
    h = Conv2D(16, (5, 5), padding='same', activation='relu')(h); h = BatchNormalization()(h)
    h = MaxPooling2D(pool_size=(4, 4), padding='same')(h)
    return Model(inputs=x, outputs=head(h))
out = sys.argv[1]; imgs = sys.argv[2:]
xs = [np.asarray(Image.open(p).convert('RGB').resize((W, W), Image.BILINEAR), dtype=np.float32) for p in imgs]
rng = np.random.default_rng(1)
xs += [np.floor(rng.random((W, W, 3)) * 256).astype(np.float32), np.full((W, W, 3), 128, np.float32)]
X = np.stack(xs).astype(np.float32)
X.tofile(out + '/check-inputs.f32')
res = {'images': [p.split('/')[-1] for p in imgs] + ['noise', 'grey'], 'scores': {}}
for name in ['Meso4_DF', 'Meso4_F2F', 'MesoInception_DF', 'MesoInception_F2F']:
    m = meso4() if name.startswith('Meso4') else mesoinception()
    m.load_weights(out + '/' + name + '.h5')
    res['scores'][name] = m.predict(X / 255.0, verbose=0)[:, 0].tolist()
json.dump(res, open(out + '/check-keras.json', 'w'))
`;

async function check(): Promise<void> {
  const images = [
    'test_images/df/df00204.jpg',
    'test_images/df/df01254.jpg',
    'test_images/real/real00240.jpg',
    'test_images/real/real00772.jpg',
  ];
  const files: string[] = [];
  for (const img of images) {
    const target = path.join(out, path.basename(img));
    await gitShow(values.repo, img, target);
    files.push(target);
  }
  await run(values.python, ['-c', REFERENCE_PY, out, ...files], {
    maxBuffer: 64 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  const ref = JSON.parse(await readFile(path.join(out, 'check-keras.json'), 'utf8')) as {
    images: string[];
    scores: Record<ModelName, number[]>;
  };
  const raw = await readFile(path.join(out, 'check-inputs.f32'));
  const nhwc = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const n = ref.images.length;
  const nchw = new Float32Array(nhwc.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < SIDE * SIDE; i++)
      for (let c = 0; c < 3; c++)
        nchw[(b * 3 + c) * SIDE * SIDE + i] = nhwc[(b * SIDE * SIDE + i) * 3 + c]!;
  let worst = 0;
  console.log(`| model | ${ref.images.join(' | ')} | max abs diff |`);
  console.log(`| --- |${' --- |'.repeat(n + 1)}`);
  for (const name of MODELS) {
    const session = await ort.InferenceSession.create(path.join(out, `${name}.onnx`));
    const res = await session.run({ input: new ort.Tensor('float32', nchw, [n, 3, SIDE, SIDE]) });
    const real = res.real!.data as Float32Array;
    const diff = Math.max(...ref.scores[name].map((r, i) => Math.abs(r - real[i]!)));
    worst = Math.max(worst, diff);
    const cells = ref.scores[name].map((r, i) => `${r.toFixed(4)} / ${real[i]!.toFixed(4)}`);
    console.log(`| ${name} (Keras / ONNX) | ${cells.join(' | ')} | ${diff.toExponential(1)} |`);
    await session.release();
  }
  console.log(`\nlargest |Keras − ONNX| on P(real): ${worst.toExponential(2)}`);
}

// ---------------------------------------------------------------------------------------
// run: every liveness video

interface ClipScores {
  id: string;
  species: string;
  source: string;
  identity: string;
  frames: number;
  lost: number;
  /** model → crop → per-frame logits. */
  logits: Record<string, Record<string, number[]>>;
  ms: { decodeDetect: number; crop: number; infer: Record<string, number> };
}

const mean = (l: readonly Point[], idx: readonly number[]): Point => ({
  x: idx.reduce((s, i) => s + l[i]!.x, 0) / idx.length,
  y: idx.reduce((s, i) => s + l[i]!.y, 0) / idx.length,
});
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** A square of `margin` × the box's longer side, about the box centre. */
function squareCrop(img: RgbImage, b: Box, margin: number): RgbImage {
  const cx = (b.x1 + b.x2) / 2,
    cy = (b.y1 + b.y2) / 2;
  const h = (margin * Math.max(b.x2 - b.x1, b.y2 - b.y1)) / 2;
  return cropResize(img, { x1: cx - h, y1: cy - h, x2: cx + h, y2: cy + h }, SIDE, SIDE);
}

/**
 * pipeline.py's FaceFinder.find_coordinates + get_aligned_face on the 68 landmarks
 * (face_recognition's point groups are dlib's 68-point indices): centre C = mean of nose
 * tip and nose bridge means, side 1.3 × 2.2 × max(|E1E2|, |EB|), rotated so the eyes →
 * mouth axis points down. Outside the frame is black here, reflected there.
 */
function mesoCrop(img: RgbImage, l: readonly Point[]): RgbImage {
  const e1 = mean(l, range(36, 41)),
    e2 = mean(l, range(42, 47));
  const e = { x: (e1.x + e2.x) / 2, y: (e1.y + e2.y) / 2 };
  const bridge = mean(l, range(27, 30)),
    tip = mean(l, range(31, 35));
  const c = { x: (bridge.x + tip.x) / 2, y: (bridge.y + tip.y) / 2 };
  const top = mean(l, [...range(48, 54), 64, 63, 62, 61, 60]);
  const bottom = mean(l, [...range(54, 59), 48, 60, 67, 66, 65, 64]);
  const b = { x: (top.x + bottom.x) / 2, y: (top.y + bottom.y) / 2 };
  const side =
    1.3 * 2.2 * Math.max(Math.hypot(e2.x - e1.x, e2.y - e1.y), Math.hypot(b.x - e.x, b.y - e.y));
  const len = Math.hypot(b.x - e.x, b.y - e.y) || 1;
  const u = { x: (b.x - e.x) / len, y: (b.y - e.y) / len }; // down, in the image
  const v = { x: u.y, y: -u.x }; // right
  const s = SIDE / side;
  return warpAffine(
    img,
    {
      a: s * v.x,
      b: s * v.y,
      c: SIDE / 2 - s * (v.x * c.x + v.y * c.y),
      d: s * u.x,
      e: s * u.y,
      f: SIDE / 2 - s * (u.x * c.x + u.y * c.y),
    },
    SIDE,
    SIDE,
  );
}

/** RGB bytes (HWC) → planar float 0–255 at batch slot k. */
function putNchw(dst: Float32Array, k: number, img: RgbImage): void {
  const plane = SIDE * SIDE;
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) dst[(k * 3 + c) * plane + i] = img.data[i * 3 + c]!;
}

async function runAll(): Promise<void> {
  const target = path.join(out, 'scores.json');
  const done: ClipScores[] = existsSync(target)
    ? (JSON.parse(await readFile(target, 'utf8')) as { clips: ClipScores[] }).clips
    : [];
  // One thread: the figure is the cost on one core, and the machine is shared.
  const opts: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
  };
  const sessions = new Map<ModelName, ort.InferenceSession>();
  for (const m of MODELS)
    sessions.set(m, await ort.InferenceSession.create(path.join(out, `${m}.onnx`), opts));
  const dir = corpus.corpusDir();
  const config = loadConfig({ ...process.env });
  const models = await loadFaceModels(
    await loadBundleManifest(config.modelBundleDir),
    config.runtime,
  );
  const presentations = buildPresentations(
    [...corpus.readManifest(dir), ...corpus.readSubManifest('liveness-more', dir)],
    dir,
    { movingPerPhoto: 0, photoLimit: 0 },
  ).filter((p) => p.video !== undefined && p.species !== 'multi-face-video');
  const sampling = { ...config.sampling, fps: SAMPLE_FPS, maxFrames: FRAMES };
  const video = { ...config.video, maxSeconds: 600 };
  // Real face crops for the batch-1 timing below (a constant input could flatter it).
  const benchCrops: RgbImage[] = [];
  for (const p of presentations) {
    if (values.only !== undefined && !p.id.includes(values.only)) continue;
    if (done.some((d) => d.id === p.id)) continue;
    const t0 = performance.now();
    let loaded;
    try {
      loaded = await loadVideo(await readFile(p.video!), video, sampling, {
        ffmpegPath: config.ffmpegPath,
        ffprobePath: config.ffprobePath,
      });
    } catch (err) {
      console.error(`${p.id}: ${(err as Error).message}`);
      continue;
    }
    const crops: Record<CropName, RgbImage[]> = { 'box1.0': [], 'box1.3': [], meso: [] };
    let previous: Box | undefined;
    let lost = 0;
    let cropMs = 0;
    for (const frame of loaded.frames) {
      const detections = await models.detector.detect(frame.image);
      const face = await locateFace(models, { image: frame.image, detections, previous });
      if (face === undefined) {
        lost++;
        continue;
      }
      previous = face.box;
      const c0 = performance.now();
      crops['box1.0'].push(squareCrop(frame.image, face.box, 1.0));
      crops['box1.3'].push(squareCrop(frame.image, face.box, 1.3));
      crops.meso.push(mesoCrop(frame.image, face.landmarks));
      cropMs += performance.now() - c0;
    }
    const decodeDetect = performance.now() - t0 - cropMs;
    const n = crops.meso.length;
    const row: ClipScores = {
      id: p.id,
      species: p.species,
      source: p.repo,
      identity: p.identity,
      frames: n,
      lost,
      logits: {},
      ms: { decodeDetect, crop: cropMs, infer: {} },
    };
    if (n > 0) {
      const batch = new Float32Array(n * CROPS.length * 3 * SIDE * SIDE);
      CROPS.forEach((c, ci) => crops[c].forEach((img, i) => putNchw(batch, ci * n + i, img)));
      const input = new ort.Tensor('float32', batch, [n * CROPS.length, 3, SIDE, SIDE]);
      for (const m of MODELS) {
        const t1 = performance.now();
        const res = await sessions.get(m)!.run({ input });
        row.ms.infer[m] = performance.now() - t1;
        const logit = Array.from(res.logit!.data as Float32Array);
        row.logits[m] = Object.fromEntries(
          CROPS.map((c, ci) => [c, logit.slice(ci * n, (ci + 1) * n)]),
        );
      }
    }
    if (benchCrops.length < 16) benchCrops.push(...crops.meso.slice(0, 16 - benchCrops.length));
    done.push(row);
    await writeFile(target, JSON.stringify({ clips: done }));
    console.error(
      `${p.id} [${p.species}]: ${n} faces, ${lost} lost, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  // Per-frame cost at batch 1, as a service would run it frame by frame.
  const singles = benchCrops.map((img) => {
    const t = new Float32Array(3 * SIDE * SIDE);
    putNchw(t, 0, img);
    return new ort.Tensor('float32', t, [1, 3, SIDE, SIDE]);
  });
  const bench: Record<string, number> = {};
  for (const m of MODELS) {
    const s = sessions.get(m)!;
    if (singles.length === 0) break;
    for (let i = 0; i < 5; i++) await s.run({ input: singles[i % singles.length]! });
    const t = performance.now();
    for (let i = 0; i < 64; i++) await s.run({ input: singles[i % singles.length]! });
    bench[m] = (performance.now() - t) / 64;
  }
  await writeFile(target, JSON.stringify({ clips: done, batch1Ms: bench }));
  for (const s of sessions.values()) await s.release();
  await models.release();
}

// ---------------------------------------------------------------------------------------
// report

const avg = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const sd = (v: readonly number[]) => {
  const m = avg(v);
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, v.length - 1));
};
/** P(bona fide scores above the attack), ties half: higher logit = more "real". */
function auc(pos: readonly number[], neg: readonly number[]): number {
  let s = 0;
  for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (pos.length * neg.length);
}
/**
 * Sources that must be held out together: SadTalker and video-retalking share the
 * identity aoc; Linly-Talker and MuseTalk are the same generator (MuseV)
 * (liveness-more/README.md).
 */
function group(source: string): string {
  if (/OpenTalker\/(SadTalker|video-retalking)/.test(source)) return 'SadTalker+retalking';
  if (/Linly-Talker|MuseTalk/.test(source)) return 'MuseV (Linly-Talker+MuseTalk)';
  return source.replace(/@.*/, '');
}
const short = (s: string) => s.replace(/@.*/, '');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

async function report(): Promise<void> {
  const data = JSON.parse(await readFile(path.join(out, 'scores.json'), 'utf8')) as {
    clips: ClipScores[];
    batch1Ms?: Record<string, number>;
  };
  const clips = data.clips.filter((c) => c.frames > 0);
  const missing = data.clips.filter((c) => c.frames === 0).map((c) => c.id);
  const score = (c: ClipScores, m: string, crop: string) => avg(c.logits[m]![crop]!);
  const order = ['bona-fide', 'replay-video', 'synthetic-video'];
  const sorted = [...clips].sort(
    (a, b) =>
      order.indexOf(a.species) - order.indexOf(b.species) ||
      group(a.source).localeCompare(group(b.source)) ||
      a.id.localeCompare(b.id),
  );
  console.log(
    `${clips.length} clips with a face (${missing.length} without: ${missing.join(', ') || 'none'}); ` +
      `score = mean logit of P(real) over ≤ ${FRAMES} frames, the first 5 s.\n`,
  );
  for (const crop of CROPS) {
    console.log(`### Per clip, crop ${crop} (mean logit; > 0 = "real")\n`);
    console.log(`| clip | species | source | frames | ${MODELS.join(' | ')} |`);
    console.log(`| --- | --- | --- | --- |${' --- |'.repeat(MODELS.length)}`);
    for (const c of sorted)
      console.log(
        `| ${path.basename(c.id).slice(0, 48)} | ${c.species} | ${short(c.source)} | ${c.frames} | ` +
          `${MODELS.map((m) => f2(score(c, m, crop))).join(' | ')} |`,
      );
    console.log();
  }
  console.log('### Mean logit by species and source group (crop meso / box1.3)\n');
  console.log(`| species | group | n | ${MODELS.join(' | ')} |`);
  console.log(`| --- | --- | --- |${' --- |'.repeat(MODELS.length)}`);
  const keys = [...new Set(sorted.map((c) => `${c.species}\t${group(c.source)}`))];
  for (const k of keys) {
    const [sp, gr] = k.split('\t');
    const cs = sorted.filter((c) => c.species === sp && group(c.source) === gr);
    console.log(
      `| ${sp} | ${gr} | ${cs.length} | ` +
        MODELS.map(
          (m) =>
            `${f2(avg(cs.map((c) => score(c, m, 'meso'))))} / ${f2(avg(cs.map((c) => score(c, m, 'box1.3'))))}`,
        ).join(' | ') +
        ' |',
    );
  }
  console.log('\n### AUC (bona fide scored more "real" than the attack)\n');
  const bf = clips.filter((c) => c.species === 'bona-fide');
  const syn = clips.filter((c) => c.species === 'synthetic-video');
  const rep = clips.filter((c) => c.species === 'replay-video');
  console.log(
    `bona fide ${bf.length}, synthetic ${syn.length}, replay ${rep.length}. "Within source": bona ` +
      'fide vs synthetic of the one source holding both (OpenTalker/SadTalker: same pipeline, ' +
      'same 512 px crops), where a generator cue could not hide behind a camera or codec difference.\n\n' +
      '| model | crop | AUC bf vs synthetic | AUC bf vs replay | within source (SadTalker 6 vs 8) |\n| --- | --- | --- | --- | --- |',
  );
  const sad = (cs: ClipScores[]) => cs.filter((c) => c.source === 'OpenTalker/SadTalker');
  for (const m of MODELS)
    for (const crop of CROPS) {
      const s = (cs: ClipScores[]) => cs.map((c) => score(c, m, crop));
      console.log(
        `| ${m} | ${crop} | ${auc(s(bf), s(syn)).toFixed(3)} | ${auc(s(bf), s(rep)).toFixed(3)} | ` +
          `${auc(s(sad(bf)), s(sad(syn))).toFixed(3)} |`,
      );
    }
  // Pooled, in-sample (thresholds chosen on the very clips they count): the best case.
  console.log(
    '\n### Pooled, in-sample: synthetic rejected with every bona fide accepted; bona fide rejected with every synthetic rejected\n',
  );
  console.log('| model | crop | synthetic rejected at BPCER 0 | bona fide rejected at APCER 0 |');
  console.log('| --- | --- | --- | --- |');
  for (const m of MODELS)
    for (const crop of CROPS) {
      const b = bf.map((c) => score(c, m, crop));
      const s = syn.map((c) => score(c, m, crop));
      const lo = Math.min(...b),
        hi = Math.max(...s);
      console.log(
        `| ${m} | ${crop} | ${s.filter((x) => x < lo).length}/${s.length} | ${b.filter((x) => x <= hi).length}/${b.length} |`,
      );
    }
  console.log(
    '\n### Leave one generator out\n\nThreshold from the bona fide clips of every *other* source group: ' +
      '"min" keeps all of them accepted, "3SD" is their mean − 3 SD. Counted in the held-out group: ' +
      'synthetic clips rejected (score below) and its own bona fide rejected.\n',
  );
  const heldGroups = [...new Set(syn.map((c) => group(c.source)))];
  console.log(
    `| model | crop | ${heldGroups.map((g) => `${g}: min → fake rej, bf rej | 3SD → fake rej, bf rej`).join(' | ')} |`,
  );
  console.log(`| --- | --- |${' --- |'.repeat(2 * heldGroups.length)}`);
  const totals = new Map<string, [number, number, number, number, number, number]>();
  for (const m of MODELS)
    for (const crop of CROPS) {
      const cells: string[] = [];
      const tot: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
      for (const g of heldGroups) {
        const others = bf.filter((c) => group(c.source) !== g).map((c) => score(c, m, crop));
        const tMin = Math.min(...others);
        const t3 = avg(others) - 3 * sd(others);
        const fakes = syn.filter((c) => group(c.source) === g).map((c) => score(c, m, crop));
        const own = bf.filter((c) => group(c.source) === g).map((c) => score(c, m, crop));
        const rej = (v: number[], t: number) => v.filter((x) => x < t).length;
        cells.push(
          `${rej(fakes, tMin)}/${fakes.length}, ${rej(own, tMin)}/${own.length} | ` +
            `${rej(fakes, t3)}/${fakes.length}, ${rej(own, t3)}/${own.length}`,
        );
        tot[0] += rej(fakes, tMin);
        tot[1] += rej(own, tMin);
        tot[2] += rej(fakes, t3);
        tot[3] += rej(own, t3);
        tot[4] += fakes.length;
        tot[5] += own.length;
      }
      totals.set(`${m} ${crop}`, tot);
      console.log(`| ${m} | ${crop} | ${cells.join(' | ')} |`);
    }
  console.log(
    '\n| model | crop | fakes rejected (min) | own bf rejected (min) | fakes rejected (3SD) | own bf rejected (3SD) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [k, t] of totals) {
    const [m, crop] = k.split(' ');
    console.log(
      `| ${m} | ${crop} | ${t[0]}/${t[4]} | ${t[1]}/${t[5]} | ${t[2]}/${t[4]} | ${t[3]}/${t[5]} |`,
    );
  }
  // Every source group held out in turn, bona fide only: how often a camera clip falls
  // below the floor the other sources set (BPCER out of source).
  console.log(
    "\n### Bona fide of a held-out source group below the other groups' minimum (all groups)\n",
  );
  const bfGroups = [...new Set(bf.map((c) => group(c.source)))];
  console.log(
    '| model | crop | bona fide rejected | replays rejected at the all-bona-fide minimum |',
  );
  console.log('| --- | --- | --- | --- |');
  for (const m of MODELS)
    for (const crop of CROPS) {
      let rejected = 0;
      for (const g of bfGroups) {
        const t = Math.min(
          ...bf.filter((c) => group(c.source) !== g).map((c) => score(c, m, crop)),
        );
        rejected += bf.filter((c) => group(c.source) === g && score(c, m, crop) < t).length;
      }
      const floor = Math.min(...bf.map((c) => score(c, m, crop)));
      const repRej = rep.filter((c) => score(c, m, crop) < floor).length;
      console.log(`| ${m} | ${crop} | ${rejected}/${bf.length} | ${repRej}/${rep.length} |`);
    }
  console.log('\n### Cost (one thread)\n');
  const frames = clips.reduce((s, c) => s + c.frames, 0);
  const crops = frames * CROPS.length;
  console.log(
    `| model | ms per crop, batched per clip | ms per frame, batch 1 |\n| --- | --- | --- |`,
  );
  for (const m of MODELS)
    console.log(
      `| ${m} | ${(clips.reduce((s, c) => s + (c.ms.infer[m] ?? 0), 0) / crops).toFixed(1)} | ${data.batch1Ms?.[m]?.toFixed(1) ?? '–'} |`,
    );
  console.log(
    `\nthree crops: ${(clips.reduce((s, c) => s + c.ms.crop, 0) / frames).toFixed(1)} ms per frame; ` +
      `decode + detect + landmarks (the service's, already paid): ${(clips.reduce((s, c) => s + c.ms.decodeDetect, 0) / frames).toFixed(0)} ms per frame.`,
  );
}

const command = positionals[0];
if (command === 'convert') await convert();
else if (command === 'check') await check();
else if (command === 'run') await runAll();
else if (command === 'report') await report();
else {
  console.error('usage: mesonet-experiment.ts convert|check|run|report [--out DIR] …');
  process.exitCode = 2;
}
