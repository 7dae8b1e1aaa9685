import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../services/verifier/src/models/bundle-manifest.js';
import { loadFaceModels } from '../../services/verifier/src/vision/face-models.js';
import { loadVideo } from '../../services/verifier/src/media/video/load-video.js';
import { trackFace } from '../../services/verifier/src/pipeline/track-face.js';
import { interOcular } from '../../services/verifier/src/vision/face.js';
const config = loadConfig({ ...process.env });
const models = await loadFaceModels(await loadBundleManifest(config.modelBundleDir), config.runtime, { descriptor: false });
const file = process.argv[2] ?? '/work/shared/data/ageitgey__face_recognition/short_hamilton_clip.mp4';
const v = await loadVideo(await readFile(file), config.video, config.sampling);
console.log(v.info.width, v.info.height, 'frames', v.frames.length, 'size', v.frames[0]!.image.width, v.frames[0]!.image.height);
for (const f of v.frames) {
  const d = await models.detector.detect(f.image);
  const desc = d.map((x) => `${Math.round(x.box.x2 - x.box.x1)}x${Math.round(x.box.y2 - x.box.y1)}@${Math.round(x.box.x1)},${Math.round(x.box.y1)} s${x.score.toFixed(2)}`).join(' ');
  console.log(f.timestamp.toFixed(2), desc);
}
const t = await trackFace(models, v.frames);
console.log('tracked', t.length, t.map((o) => `${o.frame.timestamp.toFixed(1)}:${o.iod.toFixed(0)}`).join(' '));
await models.release();
