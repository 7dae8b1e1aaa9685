/**
 * A clip's face followed as the service follows it, for the experiments that measure pixels
 * along the track (flow-motion-experiment.ts, background-warp.ts, photometric-consistency.ts):
 * decoded with the service's sampling, detected and landmarked by the bundle's models (the
 * eye and attack models are not run), frames under the bundle's usable size left out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadConfig, type Config } from '../../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../../services/verifier/src/models/bundle-manifest.js';
import { loadVideo } from '../../../services/verifier/src/media/video/load-video.js';
import type { VideoFrame } from '../../../services/verifier/src/media/types.js';
import type { VideoInfo } from '../../../services/verifier/src/media/video/probe-video.js';
import type { LivenessCalibration } from '../../../services/verifier/src/models/bundle-manifest.js';
import {
  localObserver,
  type FrameObserver,
} from '../../../services/verifier/src/pipeline/observe-frame.js';
import {
  FaceTracker,
  type FrameObservation,
} from '../../../services/verifier/src/pipeline/track-face.js';
import { interOcular } from '../../../services/verifier/src/vision/face.js';
import {
  loadFaceModels,
  type FaceModels,
} from '../../../services/verifier/src/vision/face-models.js';
import { makeStillClip, type Motion } from '../attack-clips.js';
import { corpus } from '../corpus.js';
import { buildPresentations } from '../liveness.js';

export interface TrackedClip {
  readonly info: VideoInfo;
  /** Frames in which the face was followed, at least the usable size. */
  readonly usable: FrameObservation[];
  /** Frames in which the face was followed at all. */
  readonly tracked: number;
  /** Why the service would refuse the clip before judging it (too short, too few usable frames). */
  readonly refused?: string;
}

export interface ServiceTracking {
  readonly config: Config;
  readonly models: FaceModels;
  readonly calibration: LivenessCalibration;
  /** Decodes a clip as a request's video is decoded and follows its face. */
  track(file: string): Promise<TrackedClip>;
  /** Follows the face through frames decoded elsewhere: the usable observations. */
  follow(frames: readonly VideoFrame[]): Promise<FrameObservation[]>;
}

/** The service's config and models (loadConfig's environment), ready to follow faces. */
export async function loadServiceTracking(): Promise<ServiceTracking> {
  const config = loadConfig({ ...process.env });
  const models = await loadFaceModels(
    await loadBundleManifest(config.modelBundleDir),
    config.runtime,
  );
  const calibration = models.bundle.manifest.calibration.liveness;
  const local = localObserver(models);
  // The service's detect and locate; describe reduced to what following a face needs.
  const observer: FrameObserver = {
    detect: local.detect,
    locate: local.locate,
    describe: ({ face }) =>
      Promise.resolve({
        face,
        eyes: { left: 1, right: 1 },
        realScore: undefined,
        sharpness: 0,
        brightness: 0,
        saturation: 0,
        frontalness: 0,
        iod: interOcular(face.landmarks),
        cutByFrame: false,
      }),
  };
  const { minInterOcularPx, minTrackedFrames } = calibration.usableFace;
  const usableOf = (all: readonly FrameObservation[]) =>
    all.filter((o) => o.iod >= minInterOcularPx);
  return {
    config,
    models,
    calibration,
    async track(file) {
      const tracker = new FaceTracker(observer);
      const video = await loadVideo(await readFile(file), config.video, config.sampling, {
        ffmpegPath: config.ffmpegPath,
        ffprobePath: config.ffprobePath,
        onFrame: (frame) => tracker.push(frame),
        detectorSize: models.detector.inputSize,
      });
      const all = await tracker.done();
      const usable = usableOf(all);
      const refused = video.tooShort
        ? 'too short'
        : usable.length < minTrackedFrames
          ? `${usable.length}/${all.length} usable`
          : undefined;
      return {
        info: video.info,
        usable,
        tracked: all.length,
        ...(refused === undefined ? {} : { refused }),
      };
    },
    async follow(frames) {
      const tracker = new FaceTracker(observer);
      for (const frame of frames) void tracker.push(frame);
      return usableOf(await tracker.done());
    },
  };
}

/** A clip of a pixel-level experiment: a corpus video, or a picture to animate. */
export interface ResearchClip {
  readonly id: string;
  /** bona-fide | synthetic | replay, or the picture's motion. */
  readonly cls: string;
  readonly repo: string;
  readonly video?: string;
  readonly picture?: string;
  readonly motion?: Motion;
}

const VIDEO_CLASS: Partial<Record<string, string>> = {
  'bona-fide': 'bona-fide',
  'synthetic-video': 'synthetic',
  'replay-video': 'replay',
};

/**
 * Every bona fide, synthesized and replay video of the evaluation (MANIFEST and
 * liveness-more/), then the first `photos` real photos in each of `motions`.
 */
export function researchClips(photos: number, motions: readonly Motion[]): ResearchClip[] {
  const dir = corpus.corpusDir();
  const manifest = [...corpus.readManifest(dir), ...corpus.readSubManifest('liveness-more', dir)];
  const clips: ResearchClip[] = [];
  for (const p of buildPresentations(manifest, dir, { movingPerPhoto: 0 })) {
    const cls = VIDEO_CLASS[p.species];
    if (p.video !== undefined && cls !== undefined)
      clips.push({ id: p.id, cls, repo: p.repo, video: p.video });
  }
  for (const f of manifest.filter((m) => m.kind === 'photo').slice(0, photos))
    for (const motion of motions)
      clips.push({
        id: `${f.file}#${motion}`,
        cls: motion,
        repo: f.source,
        picture: `${dir}/${f.file}`,
        motion,
      });
  return clips;
}

/** The rows an earlier run wrote to `file`, by clip id: a rerun skips those clips. */
export function cachedRows<R extends { readonly id: string }>(file: string): Map<string, R> {
  const rows = new Map<string, R>();
  if (existsSync(file))
    for (const r of JSON.parse(readFileSync(file, 'utf8')) as R[]) rows.set(r.id, r);
  return rows;
}

/** The clip's video file: the corpus video, or its picture rendered as a clip into `dir`. */
export const clipFile = (clip: ResearchClip, dir: string, name: string): Promise<string> =>
  clip.video !== undefined
    ? Promise.resolve(clip.video)
    : makeStillClip(clip.picture!, clip.motion!, dir, name);

/** The row of a clip that could not be rendered or measured. */
export interface RefusedRow {
  readonly id: string;
  readonly cls: string;
  readonly repo: string;
  readonly tracked: 0;
  readonly refused: string;
}

/**
 * Measures each clip in turn, rendering the next one's file (into `dir`, named
 * `prefix` + its index) while the current one is measured. A clip that fails either step
 * gets a refused row. `done` receives every row as it is made, with the seconds it took.
 */
export async function measureEach<R>(
  clips: readonly ResearchClip[],
  dir: string,
  prefix: string,
  measure: (clip: ResearchClip, file: string) => Promise<R>,
  done: (clip: ResearchClip, row: R | RefusedRow, index: number, seconds: number) => Promise<void>,
): Promise<void> {
  const render = (k: number): Promise<string> | undefined => {
    if (k >= clips.length) return undefined;
    const file = clipFile(clips[k]!, dir, `${prefix}${k}`);
    file.catch(() => undefined); // awaited in its turn below
    return file;
  };
  let next = render(0);
  for (const [i, clip] of clips.entries()) {
    const t0 = performance.now();
    let row: R | RefusedRow;
    try {
      const file = await next!.finally(() => (next = render(i + 1)));
      row = await measure(clip, file);
    } catch (err) {
      row = { id: clip.id, cls: clip.cls, repo: clip.repo, tracked: 0, refused: String(err) };
    }
    await done(clip, row, i, (performance.now() - t0) / 1000);
  }
}
