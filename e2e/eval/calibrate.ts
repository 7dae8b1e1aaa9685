/**
 * Measures the verification calibration of a bundle: impostor cosines on the corpus →
 * false-match rate as a function of the cosine → knots mapping cosine to the seed's
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
import { cosine } from '../../services/verifier/src/vision/embedder.js';
import { loadFaceModels } from '../../services/verifier/src/vision/face-models.js';
import { corpusDir, corpusPresent, knownIdentity, readManifest } from './corpus.js';
import { embedPhotos } from './photo-embeddings.js';

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
const embeddings = await embedPhotos(models, dir, photos);
const impostor: number[] = [];
for (let i = 0; i < photos.length; i++) {
  for (let j = i + 1; j < photos.length; j++) {
    const a = photos[i]!,
      b = photos[j]!;
    if (a.source !== b.source || a.identity === b.identity) continue;
    const ea = embeddings.get(a.file),
      eb = embeddings.get(b.file);
    if (ea?.ok && eb?.ok) impostor.push(cosine(ea.embedding, eb.embedding));
  }
}
impostor.sort((x, y) => x - y);
const n = impostor.length;
const q = (p: number) => impostor[Math.min(n - 1, Math.floor(p * n))]!;
const u = q(0.9);
const exceed = impostor.filter((c) => c > u).map((c) => c - u);
const beta = exceed.reduce((a, b) => a + b, 0) / exceed.length;
const pU = exceed.length / n;
/** The cosine at which the false-match rate is `fmr`. */
const cosineAt = (fmr: number): number => (fmr >= pU ? q(1 - fmr) : u + beta * Math.log(pU / fmr));
const knots: [number, number][] = [[-1, 0]];
for (let s = 0.1; s <= 1.0001; s += 0.05) {
  const c = cosineAt(10 ** (3 - 10 * s));
  if (c > knots[knots.length - 1]![0] + 1e-4) knots.push([round(c), round(s)]);
}
knots.push([1, 1]);
console.log(
  `impostor pairs: ${n}; mean ${mean(impostor).toFixed(4)}; max ${impostor[n - 1]!.toFixed(4)}`,
);
console.log(
  `tail: u = ${u.toFixed(4)} (90th percentile), beta = ${beta.toFixed(4)}, exceedances ${exceed.length}`,
);
console.log('knots (cosine, score):', JSON.stringify(knots));
if (process.argv.includes('--write')) {
  const file = path.join(config.modelBundleDir, 'bundle.yaml');
  const doc = parseDocument(await readFile(file, 'utf8'));
  doc.setIn(['calibration', 'verification', 'points'], doc.createNode(knots, { flow: true }));
  doc.setIn(['calibration', 'verification', 'method'], 'impostor-tail');
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
function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}
