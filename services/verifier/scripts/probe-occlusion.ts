import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { loadBundleManifest } from '../src/models/bundle-manifest.js';
import { loadFaceModels } from '../src/vision/face-models.js';
import { findSubject } from '../src/pipeline/find-subject.js';
import { assessOcclusion } from '../src/vision/occlusion.js';
const D = '/work/shared/data/';
const b = await loadBundleManifest('/work/main/models/faceplugin/1.0.0');
const m = await loadFaceModels(b, { executionProvider: 'cpu', intraOpThreads: 1 });
const rows = readFileSync(D + 'MANIFEST.tsv', 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
for (const r of rows) {
  const kind = r[4]!;
  if (!['photo', 'occluded-face', 'live-image', 'photo-aligned-crop'].includes(kind)) continue;
  try {
    const { data, info } = await sharp(D + r[0]).rotate().flatten({background:'#fff'}).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const img = { width: info.width, height: info.height, data: new Uint8Array(data) };
    const f = await findSubject(m, img);
    if (!f) { console.log(kind, r[0], 'NOFACE'); continue; }
    const o = await assessOcclusion(m, img, f);
    console.log(kind.padEnd(14), o.occluded ? 'OCC' : '---', o.cues.outside.toFixed(2), o.cues.eyesOpen.toFixed(2), o.cues.lowerFaceChroma.toFixed(3), f.score.toFixed(2), r[0]);
  } catch (e) { console.log(kind, r[0], 'ERR', (e as Error).message); }
}
