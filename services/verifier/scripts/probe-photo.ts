import sharp from 'sharp';
import { loadBundleManifest } from '../src/models/bundle-manifest.js';
import { loadFaceModels } from '../src/vision/face-models.js';
import { fivePoints } from '../src/vision/face.js';
import { cosine } from '../src/vision/embedder.js';
const b = await loadBundleManifest('/work/main/models/faceplugin/1.0.0');
const m = await loadFaceModels(b, { executionProvider: 'cpu', intraOpThreads: 1 });
const embs = [];
for (const f of process.argv.slice(2)) {
  const { data, info } = await sharp(f).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const img = { width: info.width, height: info.height, data: new Uint8Array(data) };
  const t0 = performance.now();
  const dets = await m.detector.detect(img);
  const d = dets.sort((a,b)=> (b.box.x2-b.box.x1)*(b.box.y2-b.box.y1) - (a.box.x2-a.box.x1)*(a.box.y2-a.box.y1))[0];
  if (!d) { console.log(f, 'no face'); continue; }
  const lf = await m.landmarker.landmarks(img, d);
  const al = m.embedder.align(img, fivePoints(lf.landmarks));
  const e = await m.embedder.embed(al);
  const live = await m.liveness.realScore(img, d.box);
  const eyes = await m.eyes.openness(img, lf.landmarks);
  embs.push(e);
  console.log(f.split('/').pop(), info.width, info.height, dets.length, JSON.stringify(d.box, (k,v)=>typeof v==='number'?Math.round(v):v), d.score.toFixed(3), 'live', live.toFixed(3), 'eyes', eyes.left.toFixed(2), eyes.right.toFixed(2), (performance.now()-t0).toFixed(1)+'ms');
  await sharp(Buffer.from(al.data), { raw: { width: 112, height: 112, channels: 3 } }).png().toFile('/tmp/aligned-' + f.split('/').pop() + '.png');
}
for (let i = 1; i < embs.length; i++) console.log('cos 0-' + i, cosine(embs[0]!, embs[i]!).toFixed(3));
