/**
 * A clip's face followed as the service follows it, for the experiments that measure pixels
 * along the track (flow-motion-experiment.ts, background-warp.ts, photometric-consistency.ts):
 * decoded with the service's sampling, detected and landmarked by the bundle's models (the
 * eye and attack models are not run), frames under the bundle's usable size left out.
 */
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
