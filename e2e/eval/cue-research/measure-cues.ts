/**
 * The cues of issue #3 §2 that the service's decision does not use, each measured on its
 * own over the corpus: the recapture cues (frame borders, moiré) and 3-D parallax
 * consistency. Does each separate what it is meant to separate, and at what price? The
 * figures are the reason they are not fused (docs/liveness.md), and the bar a better cue
 * has to clear.
 *
 * Videos are decoded as the service decodes them (same window, rate and working size); the
 * face in each frame is the subject the service would pick. Recapture cues are read on 8
 * evenly spaced frames, parallax over every frame. Pictures are read once at the working
 * size; still-photo clips (one moving clip per real photo, the motions taken in turn) are
 * made as the liveness stage makes them.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Config } from '../../../services/verifier/src/config/config.js';
import { decodePhoto } from '../../../services/verifier/src/media/image/decode-photo.js';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import { workingSize } from '../../../services/verifier/src/media/video/decode-frames.js';
import { loadVideo } from '../../../services/verifier/src/media/video/load-video.js';
import { findSubject } from '../../../services/verifier/src/pipeline/find-subject.js';
import { interOcular } from '../../../services/verifier/src/vision/face.js';
import type { FaceModels } from '../../../services/verifier/src/vision/face-models.js';
import type { Box, Point } from '../../../services/verifier/src/vision/geometry/types.js';
import { MOTIONS, makeStillClip } from '../attack-clips.js';
import type { CorpusFile } from '../corpus.js';
import { rocAuc, summarise, type Summary } from '../metrics.js';
import { moirePeak } from './moire-peak.js';
import { rigidParallax } from './rigid-parallax.js';
import { borderSides } from './screen-border.js';

export type CueClass =
  | 'real picture'
  | 'recaptured picture'
  | 'live video'
  | 'replay video'
  | 'synthetic video'
  | 'still-photo clip';

export const CUES = ['border', 'moire', 'parallax', 'rankOneShare'] as const;
export type Cue = (typeof CUES)[number];

const CLASS_OF: Readonly<Record<string, CueClass>> = {
  photo: 'real picture',
  'live-image': 'real picture',
  'spoof-image': 'recaptured picture',
  'spoof-image-print': 'recaptured picture',
  video: 'live video',
  'live-video': 'live video',
  'spoof-video-replay': 'replay video',
  'synthetic-video': 'synthetic video',
};

/** Frames of a video the recapture cues are read on. */
const RECAPTURE_FRAMES = 8;

export interface CueSample {
  readonly file: string;
  readonly class: CueClass;
  /** Frames where a subject was found. */
  readonly frames: number;
  /** Medians over the frames read; a cue with nothing to read is absent. */
  readonly cues: Partial<Record<Cue, number>>;
}

export interface CueClassSummary {
  readonly class: CueClass;
  readonly n: number;
  readonly cues: Readonly<Record<Cue, Summary>>;
}

/** How well one cue tells an attack class from a bona fide class: 1 perfect, 0.5 chance. */
export interface CueSeparation {
  readonly cue: Cue;
  readonly attack: CueClass;
  readonly bonaFide: CueClass;
  /** Whether attacks score higher (recapture cues) or lower (motion cues). */
  readonly attackHigher: boolean;
  readonly auc: number;
  readonly attacks: number;
  readonly bonaFides: number;
}

/**
 * What catching every replay video with a recapture cue alone would cost: at the lowest
 * replay's score, the live videos and real pictures that score as high.
 */
export interface ReplayPrice {
  readonly cue: Cue;
  readonly threshold: number;
  readonly liveVideos: number;
  readonly liveVideosCaught: number;
  readonly realPictures: number;
  readonly realPicturesCaught: number;
}

export interface CueResearch {
  readonly samples: readonly CueSample[];
  readonly classes: readonly CueClassSummary[];
  readonly separation: readonly CueSeparation[];
  readonly replayPrice: readonly ReplayPrice[];
}

const COMPARISONS: readonly Omit<CueSeparation, 'auc' | 'attacks' | 'bonaFides'>[] = [
  ...(['border', 'moire'] as const).flatMap((cue) => [
    { cue, attack: 'recaptured picture', bonaFide: 'real picture', attackHigher: true } as const,
    { cue, attack: 'replay video', bonaFide: 'live video', attackHigher: true } as const,
  ]),
  ...(['parallax', 'rankOneShare'] as const).flatMap((cue) => [
    { cue, attack: 'still-photo clip', bonaFide: 'live video', attackHigher: false } as const,
    { cue, attack: 'synthetic video', bonaFide: 'live video', attackHigher: false } as const,
  ]),
];

export async function measureCues(
  models: FaceModels,
  config: Config,
  dir: string,
  manifest: readonly CorpusFile[],
  scratch: string,
): Promise<CueResearch> {
  const samples: CueSample[] = [];
  for (const f of manifest) {
    const cls = CLASS_OF[f.kind];
    if (cls === undefined) continue;
    const bytes = await readFile(path.join(dir, f.file));
    const images = cls.endsWith('video')
      ? await videoFrames(bytes, config)
      : [await workingPicture(bytes, config)];
    samples.push(await sampleCues(models, f.file, cls, images));
  }
  const moving = MOTIONS.filter((m) => m !== 'static');
  const photos = manifest.filter((f) => CLASS_OF[f.kind] === 'real picture');
  for (const [i, f] of photos.entries()) {
    const motion = moving[i % moving.length]!;
    const clip = await makeStillClip(path.join(dir, f.file), motion, scratch, `cue-${i}`);
    try {
      const images = await videoFrames(await readFile(clip), config);
      samples.push(await sampleCues(models, `${f.file}#${motion}`, 'still-photo clip', images));
    } finally {
      await rm(clip, { force: true });
      await rm(path.join(scratch, `cue-${i}.png`), { force: true });
    }
  }
  return summariseCues(samples);
}

function summariseCues(samples: readonly CueSample[]): CueResearch {
  const of = (c: CueClass, cue: Cue) =>
    samples.flatMap((s) => (s.class === c && s.cues[cue] !== undefined ? [s.cues[cue]] : []));
  const classes = [...new Set(samples.map((s) => s.class))].map((c) => ({
    class: c,
    n: samples.filter((s) => s.class === c).length,
    cues: Object.fromEntries(CUES.map((cue) => [cue, summarise(of(c, cue))])) as Record<
      Cue,
      Summary
    >,
  }));
  const separation = COMPARISONS.map((k) => {
    const attack = of(k.attack, k.cue),
      bona = of(k.bonaFide, k.cue);
    return {
      ...k,
      auc: k.attackHigher ? rocAuc(attack, bona) : rocAuc(bona, attack),
      attacks: attack.length,
      bonaFides: bona.length,
    };
  });
  const replayPrice = (['border', 'moire'] as const).map((cue) => {
    const threshold = Math.min(...of('replay video', cue));
    const live = of('live video', cue),
      real = of('real picture', cue);
    return {
      cue,
      threshold,
      liveVideos: live.length,
      liveVideosCaught: live.filter((v) => v >= threshold).length,
      realPictures: real.length,
      realPicturesCaught: real.filter((v) => v >= threshold).length,
    };
  });
  return { samples, classes, separation, replayPrice };
}

const median = (v: readonly number[]): number | undefined =>
  v.length === 0 ? undefined : summarise(v).median;

/** Only the cues that could be read. */
const present = (cues: Partial<Record<Cue, number | undefined>>): Partial<Record<Cue, number>> =>
  Object.fromEntries(Object.entries(cues).filter(([, v]) => v !== undefined));

function recaptureCues(frames: readonly { image: RgbImage; box: Box }[]) {
  const border = frames.map((f) => borderSides(f.image, f.box).bracket);
  const moire = frames.flatMap((f) => moirePeak(f.image, f.box) ?? []);
  return { border: median(border), moire: median(moire) };
}

/** The frames the service samples from a video, decoded as it decodes them. */
async function videoFrames(bytes: Uint8Array, config: Config): Promise<RgbImage[]> {
  const { frames } = await loadVideo(bytes, config.video, config.sampling, {
    ffmpegPath: config.ffmpegPath,
    ffprobePath: config.ffprobePath,
  });
  return frames.map((f) => f.image);
}

/**
 * Every cue a sample's pictures allow: the recapture cues on up to RECAPTURE_FRAMES evenly
 * spaced pictures with a subject, parallax over all of them (a single picture has none).
 */
async function sampleCues(
  models: FaceModels,
  file: string,
  cls: CueClass,
  images: readonly RgbImage[],
): Promise<CueSample> {
  const seen: { image: RgbImage; box: Box; landmarks: readonly Point[] }[] = [];
  for (const image of images) {
    const subject = await findSubject(models, image);
    if (subject !== undefined) seen.push({ image, box: subject.box, landmarks: subject.landmarks });
  }
  const step = Math.max(1, seen.length / RECAPTURE_FRAMES);
  const spaced = Array.from(
    { length: Math.min(RECAPTURE_FRAMES, seen.length) },
    (_, k) => seen[Math.floor(k * step)]!,
  );
  const parallax = rigidParallax(
    seen.map((s) => s.landmarks),
    seen.map((s) => interOcular(s.landmarks)),
    models.bundle.manifest.calibration.liveness.motion.smoothingFrames,
  );
  return {
    file,
    class: cls,
    frames: seen.length,
    cues: present({
      ...recaptureCues(spaced),
      parallax: parallax?.magnitude,
      rankOneShare: parallax?.rankOneShare,
    }),
  };
}

/** A picture at the size a clip of it would be analysed at (area-averaged, never enlarged). */
async function workingPicture(bytes: Uint8Array, config: Config): Promise<RgbImage> {
  const { image } = await decodePhoto(bytes, config.image);
  const size = workingSize(image.width, image.height, config.sampling.workingSide);
  if (size.width === image.width && size.height === image.height) return image;
  const data = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { ...size, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
