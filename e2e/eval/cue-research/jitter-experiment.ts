/**
 * Research: does landmarking several crops of each face (shifted boxes, averaged) or a
 * second pass on a landmark-derived box lower the landmark jitter, so that the motion
 * cue's floor drops below a calm live face? Service sampling (8 fps, 32 frames).
 *
 *   node --import tsx e2e/eval/cue-research/jitter-experiment.ts
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../../services/verifier/src/models/bundle-manifest.js';
import { loadVideo } from '../../../services/verifier/src/media/video/load-video.js';
import { findSubject } from '../../../services/verifier/src/pipeline/find-subject.js';
import { nonPlanarMotion } from '../../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import type { FrameObservation } from '../../../services/verifier/src/pipeline/track-face.js';
import { interOcular, type Detection } from '../../../services/verifier/src/vision/face.js';
import { loadFaceModels } from '../../../services/verifier/src/vision/face-models.js';
import type { Box, Point } from '../../../services/verifier/src/vision/geometry/types.js';
import { iou } from '../../../services/verifier/src/vision/geometry/types.js';
import { scratchDir } from '../../support/media-tools.js';
import { makeStillClip, MOTIONS } from '../attack-clips.js';
import { corpus } from '../corpus.js';

const dir = corpus.corpusDir();
const config = loadConfig({ ...process.env });
const models = await loadFaceModels(
  await loadBundleManifest(config.modelBundleDir),
  config.runtime,
);
const cal = models.bundle.manifest.calibration.liveness;
const scratch = await scratchDir();
const manifest = [...corpus.readManifest(dir), ...corpus.readSubManifest('liveness-more', dir)];

const videos = manifest.filter((f) =>
  ['video', 'live-video', 'synthetic-video', 'spoof-video-replay'].includes(f.kind),
);
const photos = manifest.filter((f) => f.kind === 'photo').slice(0, Number(process.argv[2] ?? 40));
/** Every EVERY-th (photo, motion) pair: 1 = all of them. */
const EVERY = Number(process.argv[3] ?? 2);
const ONLY_STILLS = process.argv[4] === 'stills';

type Variant = (image: Parameters<typeof findSubject>[1], d: Detection) => Promise<Point[]>;
const mean = (sets: Point[][]): Point[] =>
  sets[0]!.map((_, i) => ({
    x: sets.reduce((s, p) => s + p[i]!.x, 0) / sets.length,
    y: sets.reduce((s, p) => s + p[i]!.y, 0) / sets.length,
  }));
const shift = (b: Box, fx: number, fy: number, fs = 1): Box => {
  const w = b.x2 - b.x1,
    h = b.y2 - b.y1;
  const cx = (b.x1 + b.x2) / 2 + fx * w,
    cy = (b.y1 + b.y2) / 2 + fy * h;
  return {
    x1: cx - (fs * w) / 2,
    y1: cy - (fs * h) / 2,
    x2: cx + (fs * w) / 2,
    y2: cy + (fs * h) / 2,
  };
};
const lm = async (image: Parameters<Variant>[0], box: Box) => [
  ...(await models.landmarker.landmarks(image, { box, score: 1 })).landmarks,
];
const OFFS = [
  [0, 0],
  [0.04, 0],
  [-0.04, 0],
  [0, 0.04],
  [0, -0.04],
] as const;
/** Mean offset of the detector box from the landmarks' extent, learned per clip (first frame). */
const variants: Record<string, Variant> = {
  base: (image, d) => lm(image, d.box),
  tta5: async (image, d) =>
    mean(await Promise.all(OFFS.map(([x, y]) => lm(image, shift(d.box, x, y))))),
  tta9: async (image, d) =>
    mean(
      await Promise.all(
        [...OFFS, [0.04, 0.04], [-0.04, -0.04], [0, 0, 1.06], [0, 0, 0.94]].map(([x, y, s]) =>
          lm(image, shift(d.box, x!, y!, s ?? 1)),
        ),
      ),
    ),
};

interface Row {
  id: string;
  species: string;
  motion: Record<string, number>;
}
const rows: Row[] = [];
async function measure(id: string, species: string, file: string) {
  let frames;
  try {
    frames = (
      await loadVideo(await readFile(file), config.video, config.sampling, {
        ffmpegPath: config.ffmpegPath,
        ffprobePath: config.ffprobePath,
      })
    ).frames;
  } catch {
    return;
  }
  const shapes: Record<string, FrameObservation[]> = {};
  let previous: Box | undefined;
  for (const f of frames) {
    const dets = await models.detector.detect(f.image);
    let d: Detection | undefined;
    if (previous === undefined) {
      const s = await findSubject(models, f.image, dets);
      d = s;
    } else {
      let best = 0.3;
      for (const c of dets)
        if (iou(c.box, previous) >= best) {
          best = iou(c.box, previous);
          d = c;
        }
    }
    if (d === undefined) continue;
    previous = d.box;
    for (const [name, v] of Object.entries(variants)) {
      const l = await v(f.image, d);
      const iod = interOcular(l);
      if (iod < 16) continue;
      (shapes[name] ??= []).push({
        face: { box: d.box, score: 1, landmarks: l },
        iod,
      } as unknown as FrameObservation);
    }
  }
  const motion = Object.fromEntries(
    Object.entries(shapes).map(([k, s]) => [
      k,
      s.length >= 4 ? nonPlanarMotion(s, cal.motion.smoothingFrames) : NaN,
    ]),
  );
  rows.push({ id, species, motion });
  console.error(
    `${species.padEnd(16)} ${id.slice(-50).padEnd(50)} ${Object.values(motion)
      .map((m) => m.toFixed(4))
      .join(' ')}`,
  );
}

for (const f of ONLY_STILLS ? [] : videos) {
  const species =
    f.kind === 'synthetic-video'
      ? 'synthetic'
      : f.kind === 'spoof-video-replay'
        ? 'replay'
        : 'bona-fide';
  await measure(f.file, species, path.join(dir, f.file));
}
let i = 0;
for (const f of photos) {
  for (const motion of MOTIONS.filter((m) => m !== 'static')) {
    if (i++ % EVERY !== 0) continue;
    const clip = await makeStillClip(path.join(dir, f.file), motion, scratch.dir, `j${i}`);
    await measure(`${f.file}#${motion}`, 'still-photo', clip);
  }
}
await scratch.remove();
await models.release();
const names = Object.keys(variants);
for (const sp of ['bona-fide', 'synthetic', 'replay', 'still-photo']) {
  const rs = rows.filter((r) => r.species === sp);
  const stats = names.map((n) => {
    const v = rs
      .map((r) => r.motion[n]!)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    return `${n}: min ${v[0]?.toFixed(4)} p10 ${v[Math.floor(v.length * 0.1)]?.toFixed(4)} med ${v[Math.floor(v.length / 2)]?.toFixed(4)} max ${v[v.length - 1]?.toFixed(4)}`;
  });
  console.log(sp, rs.length, '\n  ' + stats.join('\n  '));
}
// Separation: how many bona fide clips lie above the largest still-photo motion, per variant.
for (const n of names) {
  const stillMax = Math.max(
    ...rows
      .filter((r) => r.species === 'still-photo')
      .map((r) => r.motion[n]!)
      .filter(Number.isFinite),
  );
  const bona = rows.filter((r) => r.species === 'bona-fide').map((r) => r.motion[n]!);
  const synth = rows.filter((r) => r.species === 'synthetic').map((r) => r.motion[n]!);
  console.log(
    `${n}: still max ${stillMax.toFixed(4)}; bona fide above ×1.2 of it: ${bona.filter((m) => m > 1.2 * stillMax).length}/${bona.length}; synthetic above: ${synth.filter((m) => m > 1.2 * stillMax).length}/${synth.length}`,
  );
}
