/**
 * Research aid: every frame of every liveness video (native rate, ≤ 10 s) through the
 * service's own observer, written as JSON per clip, so that cues can be tried on the same
 * observations without re-running the models.
 *
 *   node --import tsx e2e/eval/cue-research/dump-observations.ts OUT_DIR [--photos N] [--warped]
 *
 * --photos N adds one moving clip of each of the first N photos (the rigid motions in
 * turn); with --warped, one warped clip instead (WARPS in turn, species `warped-photo`).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../../services/verifier/src/models/bundle-manifest.js';
import { loadVideo } from '../../../services/verifier/src/media/video/load-video.js';
import { describeFace, locateFace } from '../../../services/verifier/src/pipeline/observe-frame.js';
import { loadFaceModels } from '../../../services/verifier/src/vision/face-models.js';
import { cropResize } from '../../../services/verifier/src/vision/geometry/warp.js';
import type { Box, Point } from '../../../services/verifier/src/vision/geometry/types.js';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import { scratchDir } from '../../support/media-tools.js';
import { makeStillClip, MOTIONS, WARPS, type Motion } from '../attack-clips.js';
import { corpus } from '../corpus.js';
import { buildPresentations } from '../liveness.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    photos: { type: 'string', default: '0' },
    only: { type: 'string' },
    warped: { type: 'boolean', default: false },
  },
});
const out = positionals[0] ?? '/tmp/obs';
await mkdir(out, { recursive: true });
const dir = corpus.corpusDir();
const config = loadConfig({ ...process.env });
const models = await loadFaceModels(
  await loadBundleManifest(config.modelBundleDir),
  config.runtime,
);

interface Clip {
  id: string;
  file: string;
  species: string;
  source: string;
  identity: string;
}
const clips: Clip[] = [];
const main = corpus.readManifest(dir);
// Every video, with the species the evaluation gives it (liveness-more/ included).
const everyVideo = buildPresentations(
  [...main, ...corpus.readSubManifest('liveness-more', dir)],
  dir,
  {
    movingPerPhoto: 0,
    photoLimit: 0,
  },
);
for (const p of everyVideo)
  if (p.video !== undefined && p.species !== 'multi-face-video')
    clips.push({
      id: p.id,
      file: p.video,
      species: p.species,
      source: p.repo,
      identity: p.identity,
    });
const scratchFolder = await scratchDir();
const scratch = scratchFolder.dir;
const photos = main
  .filter((f) => f.kind === 'photo' || f.kind.startsWith('spoof-image'))
  .slice(0, Number(values.photos));
photos.forEach((f, i) => {
  const motions: readonly Motion[] = values.warped ? WARPS : MOTIONS;
  const motion = motions[i % motions.length]!;
  clips.push({
    id: `${f.file}#${motion}`,
    file: `${path.join(dir, f.file)}#${motion}`,
    species: values.warped
      ? 'warped-photo'
      : f.kind === 'photo'
        ? 'still-photo'
        : 'recapture-still',
    source: f.source,
    identity: f.identity,
  });
});

const sampling = { ...config.sampling, fps: 30, maxFrames: 300 };
const video = { ...config.video, maxSeconds: 600 };

/** Mean RGB inside a box (clipped). */
function meanRgb(img: RgbImage, b: Box): [number, number, number] {
  const x0 = Math.max(0, Math.round(b.x1)),
    y0 = Math.max(0, Math.round(b.y1));
  const x1 = Math.min(img.width, Math.round(b.x2)),
    y1 = Math.min(img.height, Math.round(b.y2));
  let r = 0,
    g = 0,
    bl = 0,
    n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 3;
      r += img.data[i]!;
      g += img.data[i + 1]!;
      bl += img.data[i + 2]!;
      n++;
    }
  return n === 0 ? [NaN, NaN, NaN] : [r / n, g / n, bl / n];
}
const centred = (p: Point, w: number, h: number): Box => ({
  x1: p.x - w / 2,
  y1: p.y - h / 2,
  x2: p.x + w / 2,
  y2: p.y + h / 2,
});
const mean = (l: readonly Point[], idx: number[]): Point => ({
  x: idx.reduce((s, i) => s + l[i]!.x, 0) / idx.length,
  y: idx.reduce((s, i) => s + l[i]!.y, 0) / idx.length,
});
function gray(img: RgbImage, box: Box, side: number): string {
  const c = cropResize(img, box, side, side);
  const g = new Uint8Array(side * side);
  for (let i = 0; i < g.length; i++)
    g[i] = Math.round(
      0.299 * c.data[i * 3]! + 0.587 * c.data[i * 3 + 1]! + 0.114 * c.data[i * 3 + 2]!,
    );
  return Buffer.from(g).toString('base64');
}

for (const clip of clips) {
  const name = clip.id.replace(/[/#]/g, '__');
  const target = path.join(out, `${name}.json`);
  if (values.only !== undefined && !clip.id.includes(values.only)) continue;
  if (existsSync(target)) continue;
  const t0 = performance.now();
  let file = clip.file;
  if (['still-photo', 'recapture-still', 'warped-photo'].includes(clip.species)) {
    const [pic, motion] = clip.file.split('#');
    file = await makeStillClip(pic!, motion as Motion, scratch, name);
  }
  let loaded;
  try {
    loaded = await loadVideo(await readFile(file), video, sampling, {
      ffmpegPath: config.ffmpegPath,
      ffprobePath: config.ffprobePath,
    });
  } catch (err) {
    console.error(`${clip.id}: ${(err as Error).message}`);
    continue;
  }
  const frames = [];
  let previous: Box | undefined;
  for (const frame of loaded.frames) {
    const detections = await models.detector.detect(frame.image);
    const face = await locateFace(models, { image: frame.image, detections, previous });
    if (face === undefined) {
      frames.push({ t: frame.timestamp, lost: true });
      continue;
    }
    previous = face.box;
    const facts = await describeFace(models, { image: frame.image, face, withPad: true });
    const l = face.landmarks;
    const iod = facts.iod;
    const forehead = mean(l, [19, 24]);
    frames.push({
      t: frame.timestamp,
      box: face.box,
      det: face.score,
      lm: l.map((p) => [Math.round(p.x * 100) / 100, Math.round(p.y * 100) / 100]),
      eyes: facts.eyes,
      real: facts.realScore,
      sharp: facts.sharpness,
      frontal: facts.frontalness,
      iod,
      rgb: {
        forehead: meanRgb(
          frame.image,
          centred({ x: forehead.x, y: forehead.y - 0.35 * iod }, 0.8 * iod, 0.3 * iod),
        ),
        lcheek: meanRgb(frame.image, centred(mean(l, [2, 3, 31, 48]), 0.35 * iod, 0.35 * iod)),
        rcheek: meanRgb(frame.image, centred(mean(l, [13, 14, 35, 54]), 0.35 * iod, 0.35 * iod)),
        left: meanRgb(frame.image, {
          x1: 0,
          y1: 0,
          x2: frame.image.width * 0.08,
          y2: frame.image.height * 0.5,
        }),
        right: meanRgb(frame.image, {
          x1: frame.image.width * 0.92,
          y1: 0,
          x2: frame.image.width,
          y2: frame.image.height * 0.5,
        }),
      },
      face64: gray(frame.image, face.box, 64),
      frame48: gray(
        frame.image,
        { x1: 0, y1: 0, x2: frame.image.width, y2: frame.image.height },
        48,
      ),
    });
  }
  await writeFile(
    target,
    JSON.stringify({
      ...clip,
      width: loaded.info.width,
      height: loaded.info.height,
      fps: loaded.info.fps,
      duration: loaded.info.durationSeconds,
      frames,
    }),
  );
  console.error(
    `${clip.id}: ${frames.length} frames, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
await scratchFolder.remove();
await models.release();
