/**
 * The two floors of a request, measured in this process with the service's own functions
 * and config: what no amount of HTTP, queueing or scheduling work could go below.
 *
 * - decode floor: the service's video path alone (loadVideo: limits, temp file, probe,
 *   ffmpeg's sampled decode), with no analysis overlapping it and nothing else running.
 * - model floor: the models' work on frames decoded beforehand and a photo decoded
 *   beforehand: the photo's face (analysePhoto), the face tracked through the frames
 *   (trackFace), the liveness evidence weighed and, when it passes as in the service, the
 *   best frame embedded. One thing at a time on this thread: it is the work, not a
 *   schedule of it (the service overlaps decoding, analysis and the photo, so its
 *   latency can fall below the sum of the floors).
 *
 * Only public pipeline functions are called, so the measurement follows the service
 * wherever the runtime runs its sessions.
 */
import type { Config } from '../../services/verifier/src/config/config.js';
import { decodePhoto } from '../../services/verifier/src/media/image/decode-photo.js';
import type { RgbImage, VideoFrame } from '../../services/verifier/src/media/types.js';
import { loadVideo } from '../../services/verifier/src/media/video/load-video.js';
import { analysePhoto } from '../../services/verifier/src/pipeline/analyse-photo.js';
import { analyseVideo } from '../../services/verifier/src/pipeline/analyse-video.js';
import { StageTimer } from '../../services/verifier/src/pipeline/stage-timer.js';
import { trackFace } from '../../services/verifier/src/pipeline/track-face.js';
import type { FaceModels } from '../../services/verifier/src/vision/face-models.js';
import type { PreparedClip } from './clips.js';
import { median, timeRuns } from './stats.js';

/** The form fields the benchmark sends leave auto_rotate and check_quality off. */
const PHOTO_OPTIONS = { autoRotate: false, checkQuality: false } as const;

export interface Floors {
  readonly runs: number;
  /** The video path (probe + ffmpeg's decode) per run, ms. */
  readonly decodeMs: number[];
  /** The models' work per run, ms, and its parts (medians). */
  readonly modelMs: number[];
  readonly parts: { readonly photoMs: number; readonly trackMs: number; readonly embedMs: number };
  readonly sampledFrames: number;
  readonly trackedFrames: number;
  /** The liveness verdict on these frames; when false the service embeds nothing either. */
  readonly passed: boolean;
  readonly livenessScore: number;
  readonly similarity: number | undefined;
}

/** What the floors leave behind for the peer: the very frames and photo pixels they used. */
export interface Decoded {
  readonly frames: VideoFrame[];
  readonly photo: RgbImage;
}

export async function measureFloors(
  models: FaceModels,
  config: Config,
  clip: PreparedClip,
  runs: number,
): Promise<{ floors: Floors; decoded: Decoded }> {
  let frames: VideoFrame[] = [];
  const decodeMs = await timeRuns(runs, 1, async () => {
    // The bytes the request carries, through the same entry point the service calls:
    // whatever the video path does (probing in process, ffmpeg's settings) the floor does.
    const video = await loadVideo(clip.bytes, config.video, config.sampling, {
      ffmpegPath: config.ffmpegPath,
      ffprobePath: config.ffprobePath,
    });
    frames = video.frames;
  });

  const photo = (await decodePhoto(clip.photoBytes, config.image)).image;
  const calibration = models.bundle.manifest.calibration.liveness;
  const threshold = config.livenessThreshold ?? calibration.threshold;
  const parts: { photoMs: number; trackMs: number; embedMs: number }[] = [];
  let last: Omit<Floors, 'runs' | 'decodeMs' | 'modelMs' | 'parts' | 'sampledFrames'> | undefined;
  const modelMs = await timeRuns(runs, 1, async () => {
    const t0 = performance.now();
    const face = await analysePhoto(models, photo, PHOTO_OPTIONS, new StageTimer());
    const t1 = performance.now();
    const tracked = await trackFace(models, frames);
    const analysis = analyseVideo(tracked, frames.length, calibration);
    const passed = analysis.evidence.score >= threshold;
    const t2 = performance.now();
    let similarity: number | undefined;
    if (passed) {
      const { best } = analysis;
      const frame = await models.matcher.template(best.frame.image, best.face);
      similarity = models.matcher.similarity(face.template, frame);
    }
    parts.push({ photoMs: t1 - t0, trackMs: t2 - t1, embedMs: performance.now() - t2 });
    last = {
      trackedFrames: analysis.cues.trackedFrames,
      passed,
      livenessScore: analysis.evidence.score,
      similarity,
    };
  });
  // The warm-up run's parts are not figures.
  const timed = parts.slice(-runs);
  return {
    floors: {
      runs,
      decodeMs,
      modelMs,
      parts: {
        photoMs: median(timed.map((p) => p.photoMs)),
        trackMs: median(timed.map((p) => p.trackMs)),
        embedMs: median(timed.map((p) => p.embedMs)),
      },
      sampledFrames: frames.length,
      ...last!,
    },
    decoded: { frames, photo },
  };
}
