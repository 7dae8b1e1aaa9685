/**
 * Research aid (issue #13, decision 0026): which presentation-attack model separates live
 * faces from recaptures and synthesized heads on sources it has never seen? Every
 * candidate runs on the same tracked faces of the service's own sampling (8 fps, first
 * 4 s, every 3rd tracked frame, as the pipeline does); the script writes per-clip
 * trimmed means and prints AUCs per attack species and the cost per face.
 *
 *   node --import tsx e2e/eval/cue-research/pad-models-experiment.ts [MODEL_DIR] [OUT.json]
 *
 * The candidates (LIVENESS-RESEARCH.md):
 *   faceplugin  fr_liveness.onnx of faceplugin-face-recognition-js (bundles up to 1.2.0):
 *     128×128 BGR 0–255, crop 2.7 × the box, index 0 = real.
 *   minifasnet-v2, minifasnet-v1se  the files of bundle 1.3.0 (minivision's
 *     Silent-Face-Anti-Spoofing, Apache-2.0): 80×80 BGR 0–255, crops 2.7 and 4 × the box,
 *     3 classes, index 1 = real; "ensemble" averages them, as minivision's test does.
 *   celeba-minifasv2se, when MODEL_DIR has it: johnraivenolazo/face-antispoof-onnx
 *     models/best/98.20/best_model.onnx (Apache-2.0 code, CelebA-Spoof data, which is
 *     research-only): 128×128 RGB/255, square crop 1.5 × the box's longer side, index 0 = real.
 *
 * Findings (2026-12-07; docs/liveness.md): the pair, averaged, puts every replay and
 * recaptured picture below every live video (AUC 1.00); no candidate separates
 * synthesized talking heads (AUC 0.45–0.66).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import {
  loadBundleManifest,
  type InputSpec,
} from '../../../services/verifier/src/models/bundle-manifest.js';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import { locateFace } from '../../../services/verifier/src/pipeline/observe-frame.js';
import { OnnxModel } from '../../../services/verifier/src/runtime/onnx-model.js';
import { loadFaceModels } from '../../../services/verifier/src/vision/face-models.js';
import type { Box } from '../../../services/verifier/src/vision/geometry/types.js';
import { cropResize } from '../../../services/verifier/src/vision/geometry/warp.js';
import { scaledBoxInside } from '../../../services/verifier/src/vision/liveness-classifier.js';
import { softmax, toTensor } from '../../../services/verifier/src/vision/to-tensor.js';
import { scratchDir } from '../../support/media-tools.js';
import { makeStillClip } from '../attack-clips.js';
import { corpus, repoRoot } from '../corpus.js';
import { buildPresentations, type Species } from '../liveness.js';
import { rocAuc } from '../metrics.js';
import { serviceFrames } from './source-frames.js';

const [modelDir = '/tmp/pad', outFile = '/tmp/pad/scores.json'] = process.argv.slice(2);
const config = loadConfig({ ...process.env });
const bundle = await loadBundleManifest(config.modelBundleDir);
const models = await loadFaceModels(bundle, config.runtime);
const dir = corpus.corpusDir();

interface Candidate {
  readonly name: string;
  readonly model: OnnxModel;
  readonly input: InputSpec;
  readonly crop: (image: RgbImage, box: Box) => Box;
  readonly realClass: number;
  ms: number;
}
const input = (size: number, channels: 'RGB' | 'BGR', scale: number): InputSpec => ({
  name: 'input',
  shape: [1, 3, size, size],
  channels,
  mean: 0,
  scale,
});
/** A square of `factor` × the box's longer side about its centre; outside the frame is black. */
const squareAbout =
  (factor: number) =>
  (_: RgbImage, b: Box): Box => {
    const side = Math.max(b.x2 - b.x1, b.y2 - b.y1) * factor;
    const cx = (b.x1 + b.x2) / 2;
    const cy = (b.y1 + b.y2) / 2;
    return { x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2 };
  };
/** minivision's CropImage: the box scaled about its centre, kept inside the frame. */
const inside = (scale: number) => (img: RgbImage, b: Box) => scaledBoxInside(img, b, scale);

async function candidate(
  name: string,
  file: string,
  spec: InputSpec,
  crop: Candidate['crop'],
  realClass: number,
): Promise<Candidate> {
  const model = await OnnxModel.load(name, file, spec, config.runtime);
  return { name, model, input: spec, crop, realClass, ms: 0 };
}
const minivision = path.join(repoRoot, 'models/faceplugin-dlib/1.3.0');
const faceplugin = path.dirname(
  createRequire(import.meta.url).resolve('faceplugin-face-recognition-js/package.json'),
);
const celeba = path.join(modelDir, 'celeba-minifasv2se.onnx');
const candidates: Candidate[] = [
  await candidate(
    'faceplugin',
    path.join(faceplugin, 'model/fr_liveness.onnx'),
    input(128, 'BGR', 1),
    inside(2.7),
    0,
  ),
  await candidate(
    'minifasnet-v2',
    path.join(minivision, 'MiniFASNetV2.onnx'),
    input(80, 'BGR', 1),
    inside(2.7),
    1,
  ),
  await candidate(
    'minifasnet-v1se',
    path.join(minivision, 'MiniFASNetV1SE.onnx'),
    input(80, 'BGR', 1),
    inside(4),
    1,
  ),
  ...(existsSync(celeba)
    ? [
        await candidate(
          'celeba-minifasv2se',
          celeba,
          input(128, 'RGB', 1 / 255),
          squareAbout(1.5),
          0,
        ),
      ]
    : []),
];

async function score(c: Candidate, image: RgbImage, box: Box): Promise<number> {
  const t0 = performance.now();
  const side = c.input.shape[3]!;
  const crop = cropResize(image, c.crop(image, box), side, side);
  const out = await c.model.run(toTensor(crop, c.input));
  const logits = OnnxModel.output(out, 'output');
  c.ms += performance.now() - t0;
  return softmax(logits)[c.realClass] ?? 0;
}

/** The pipeline's aggregate: the mean with the extreme 20% on each side trimmed. */
function trimmedMean(values: readonly number[], trim = 0.2): number {
  const s = [...values].sort((a, b) => a - b);
  const k = Math.floor(s.length * trim);
  const kept = s.slice(k, s.length - k);
  return kept.length === 0 ? NaN : kept.reduce((a, b) => a + b, 0) / kept.length;
}

const main = corpus.readManifest(dir);
const presentations = buildPresentations(
  [...main, ...corpus.readSubManifest('liveness-more', dir)],
  dir,
  { movingPerPhoto: 0 },
).filter((p) => p.species !== 'multi-face-video' && (p.motion ?? 'static') === 'static');
const scratchFolder = await scratchDir();
const scratch = scratchFolder.dir;

interface Row {
  id: string;
  repo: string;
  species: Species;
  frames: number;
  scores: Record<string, number>;
}
const rows: Row[] = [];
let frameRuns = 0;
for (const p of presentations) {
  const file =
    p.video ?? (await makeStillClip(p.picture!, 'static', scratch, `pad-${rows.length}`));
  const loaded = await serviceFrames(config, file, p.id);
  if (loaded === undefined) continue;
  const perModel = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  let previous: Box | undefined;
  let tracked = 0;
  for (const frame of loaded.frames) {
    const detections = await models.detector.detect(frame.image);
    const face = await locateFace(models, { image: frame.image, detections, previous });
    if (face === undefined) continue;
    previous = face.box;
    if (tracked++ % 3 !== 0) continue;
    frameRuns++;
    for (const c of candidates) perModel.get(c.name)!.push(await score(c, frame.image, face.box));
  }
  const scores = Object.fromEntries([...perModel].map(([k, v]) => [k, trimmedMean(v)]));
  // minivision's own decision adds the two models' softmaxes.
  scores['minifasnet-ensemble'] = (scores['minifasnet-v2']! + scores['minifasnet-v1se']!) / 2;
  rows.push({ id: p.id, repo: p.repo, species: p.species, frames: tracked, scores });
  console.error(
    `${p.species.padEnd(16)} ${p.id.slice(0, 60).padEnd(60)} ${Object.values(scores)
      .map((s) => s.toFixed(3))
      .join(' ')}`,
  );
}

const names = Object.keys(rows[0]?.scores ?? {});
const of = (species: Species, name: string) =>
  rows
    .filter((r) => r.species === species && Number.isFinite(r.scores[name]))
    .map((r) => r.scores[name]!);
const summary = names.map((name) => {
  const bona = of('bona-fide', name);
  const line: Record<string, number | string> = { model: name };
  for (const s of ['still-photo', 'recapture-still', 'replay-video', 'synthetic-video'] as const) {
    const attack = of(s, name);
    line[`auc ${s}`] = attack.length === 0 ? NaN : rocAuc(bona, attack);
    line[`mean ${s}`] = attack.reduce((a, b) => a + b, 0) / attack.length;
  }
  line['mean bona-fide'] = bona.reduce((a, b) => a + b, 0) / bona.length;
  line['min bona-fide'] = Math.min(...bona);
  const c = candidates.find((x) => x.name === name);
  if (c !== undefined) line['ms per face'] = c.ms / frameRuns;
  return line;
});
console.table(summary);
await writeFile(outFile, JSON.stringify({ rows, summary }, null, 1));
await scratchFolder.remove();
await Promise.all([models.release(), ...candidates.map((c) => c.model.release())]);
