/**
 * Measures the verification calibration of a bundle: impostor similarities on the corpus
 * (cosines, or for a fused bundle first each model's impostor statistics, then the fused
 * score) → false-match rate as a function of the similarity → knots mapping it to the seed's
 * score scale, s = (3 − log10 FMR) / 10. Where the impostor sample is too small to
 * observe a rate (beyond its 90th percentile), the tail is an exponential fitted to the
 * exceedances (a generalised Pareto with shape 0): heavier than a Gaussian tail, so
 * the promise errs on the safe side. See docs/calibration.md.
 *
 *   npm run calibrate [-- --write]
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../services/verifier/src/models/bundle-manifest.js';
import { euclidean } from '../../services/verifier/src/vision/dlib-descriptor.js';
import { cosine } from '../../services/verifier/src/vision/embedder.js';
import {
  COSINE_RANGE,
  FUSED_RANGE,
  fuse,
  type FaceTemplate,
} from '../../services/verifier/src/vision/face-matcher.js';
import { loadFaceModels } from '../../services/verifier/src/vision/face-models.js';
import { corpusDir, corpusPresent, knownIdentity, readManifest } from './corpus.js';
import { photoTemplates } from './photo-templates.js';

const dir = corpusDir();
if (!corpusPresent(dir)) {
  console.error(`corpus not found at ${dir} (set SILENTID_DATA_DIR)`);
  process.exit(2);
}
const config = loadConfig({ ...process.env });
const bundle = await loadBundleManifest(config.modelBundleDir);
const models = await loadFaceModels(bundle, config.runtime);
// Impostors: every pair of photos of different identities from the same source (the
// corpus asserts identity only within a source), detection failures left out.
const photos = readManifest(dir).filter((f) => f.kind === 'photo' && knownIdentity(f));
const templates = await photoTemplates(models, dir, photos);
const pairs: [FaceTemplate, FaceTemplate][] = [];
for (let i = 0; i < photos.length; i++) {
  for (let j = i + 1; j < photos.length; j++) {
    const a = photos[i]!,
      b = photos[j]!;
    if (a.source !== b.source || a.identity === b.identity) continue;
    const ta = templates.get(a.file),
      tb = templates.get(b.file);
    if (ta?.ok && tb?.ok) pairs.push([ta.template, tb.template]);
  }
}
// A fused bundle: first each model's impostor statistics (they define the fused
// similarity), then the knots on the fused similarity they give, rounded as written.
const fusion = models.matcher.fused
  ? {
      embedder: stats(pairs.map(([a, b]) => cosine(a.embedding, b.embedding))),
      descriptor: stats(pairs.map(([a, b]) => -euclidean(a.descriptor!, b.descriptor!))),
    }
  : undefined;
const impostor = pairs.map(([a, b]) =>
  fusion === undefined
    ? cosine(a.embedding, b.embedding)
    : fuse(fusion, cosine(a.embedding, b.embedding), -euclidean(a.descriptor!, b.descriptor!)),
);
impostor.sort((x, y) => x - y);
const n = impostor.length;
const q = (p: number) => impostor[Math.min(n - 1, Math.floor(p * n))]!;
// Rates that at least MIN_SUPPORT impostors support are read off the sample; rarer ones
// come from an exponential tail anchored at the last supported point. Its scale is the
// larger of two fits (the top 10% and the top MIN_SUPPORT): the heavier tail, so the
// promise errs towards less.
const MIN_SUPPORT = 10;
const supported = MIN_SUPPORT / n;
const u = q(1 - supported);
const meanExcess = (above: number) => mean(impostor.filter((c) => c > above).map((c) => c - above));
const beta = Math.max(meanExcess(q(0.9)), meanExcess(u));
/** The similarity at which the false-match rate is `fmr`. */
const similarityAt = (fmr: number): number =>
  fmr >= supported ? q(1 - fmr) : u + beta * Math.log(supported / fmr);
const range = fusion === undefined ? COSINE_RANGE : FUSED_RANGE;
const knots: [number, number][] = [[range[0], 0]];
for (let s = 0.1; s <= 1.0001; s += 0.05) {
  const c = similarityAt(10 ** (3 - 10 * s));
  if (c > knots[knots.length - 1]![0] + 1e-4) knots.push([round(c), round(s)]);
}
knots.push([range[1], 1]);
console.log(
  `impostor pairs: ${n}; mean ${mean(impostor).toFixed(4)}; max ${impostor[n - 1]!.toFixed(4)}`,
);
console.log(
  `tail: from u = ${u.toFixed(4)} (FMR ${supported.toPrecision(2)}), beta = ${beta.toFixed(4)} (top 10%: ${meanExcess(q(0.9)).toFixed(4)}, top ${MIN_SUPPORT}: ${meanExcess(u).toFixed(4)})`,
);
// In-sample check: impostors at or above each knot against the rate it promises.
for (const [c, sc] of knots.filter(([, sc]) => sc >= 0.4 && sc <= 0.7))
  console.log(
    `  s ${sc.toFixed(2)}: ${impostor.filter((v) => v >= c).length} impostors ≥ ${c}, promise ${(n * 10 ** (3 - 10 * sc)).toFixed(1)}`,
  );
if (fusion !== undefined) console.log('fusion (impostor mean, sd):', JSON.stringify(fusion));
console.log('knots (similarity, score):', JSON.stringify(knots));
if (process.argv.includes('--write')) {
  const file = path.join(config.modelBundleDir, 'bundle.yaml');
  const doc = parseDocument(await readFile(file, 'utf8'));
  doc.setIn(['calibration', 'verification', 'points'], doc.createNode(knots, { flow: true }));
  doc.setIn(['calibration', 'verification', 'method'], 'impostor-tail');
  if (fusion !== undefined)
    doc.setIn(['calibration', 'verification', 'fusion'], doc.createNode(fusion));
  // Written as the repository's formatter would, so `npm run lint` stays clean.
  await writeFile(
    file,
    await format(doc.toString({ lineWidth: 0 }), {
      ...(await resolveConfig(file)),
      filepath: file,
    }),
  );
  console.log(`wrote ${file}`);
}
await models.release();

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
/** Impostor mean and spread, rounded as the manifest stores them. */
function stats(v: number[]): { mean: number; sd: number } {
  const m = mean(v);
  return { mean: round(m), sd: round(Math.sqrt(mean(v.map((x) => (x - m) ** 2)))) };
}
function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}
