/**
 * Decodes the sampled frames of a video with an ffmpeg child process: raw RGB over a
 * pipe, turned upright, resampled to the sampling rate and scaled to the working size.
 */
import type { VideoSampling } from '../../config/config.js';
import { invalidMedia } from '../../errors/api-error.js';
import type { VideoFrame } from '../types.js';
import type { VideoInfo } from './probe-video.js';
import { ProcessTimeoutError, runProcess, type RunResult } from './run-process.js';

export interface DecodeOptions {
  readonly ffmpegPath: string;
  readonly signal?: AbortSignal | undefined;
  /**
   * Called with each frame as soon as it is complete, while ffmpeg decodes the next:
   * analysis overlaps decoding instead of waiting for the whole window.
   */
  readonly onFrame?: ((frame: VideoFrame) => void) | undefined;
}

/** The output size: longer side fitted to workingSide, never upscaled, both sides even. */
export function workingSize(
  width: number,
  height: number,
  workingSide: number,
): { width: number; height: number } {
  const scale = Math.min(1, workingSide / Math.max(width, height));
  const even = (v: number) => Math.max(2, 2 * Math.floor(Math.round(v * scale) / 2));
  return { width: even(width), height: even(height) };
}

/**
 * The filters that turn the picture upright. Rotation is applied here, from the probe,
 * with ffmpeg's own autorotation off: the frame size we compute and the size ffmpeg
 * writes then cannot disagree, whichever ffmpeg build runs (decision 0012).
 */
function uprightFilters(rotation: VideoInfo['rotation']): string[] {
  switch (rotation) {
    case 90:
      return ['transpose=cclock'];
    case 180:
      return ['hflip', 'vflip'];
    case 270:
      return ['transpose=clock'];
    default:
      return [];
  }
}

/** Decodes at most sampling.maxFrames frames from the start; throws ApiError 2005 if none decode. */
export async function decodeFrames(
  file: string,
  info: VideoInfo,
  sampling: VideoSampling,
  options: DecodeOptions,
): Promise<VideoFrame[]> {
  // Never sample faster than the source: repeated frames would look like a still face.
  const fps = info.fps > 0 ? Math.min(sampling.fps, info.fps) : sampling.fps;
  const { width, height } = workingSize(info.width, info.height, sampling.workingSide);
  const frameBytes = width * height * 3;
  const filters = [
    ...uprightFilters(info.rotation),
    `fps=${fps}`,
    `scale=${width}:${height}:flags=area`,
  ];
  // One decoding and one filter thread: the frames are few and small, and on a busy pod
  // ffmpeg's per-core threads cost ~25% more CPU per clip than they save in wall time
  // (docs/benchmarks.md); the pixels are the same either way.
  const args = [
    ...['-v', 'error', '-nostdin', '-noautorotate', '-protocol_whitelist', 'file'],
    ...['-threads', '1', '-filter_threads', '1'],
  ];
  if (info.container !== undefined) args.push('-f', info.container);
  // prettier-ignore
  args.push(
    '-i', `file:${file}`,
    '-map', `0:${info.streamIndex}`,
    '-an', '-sn', '-dn',
    '-vf', filters.join(','),
    '-frames:v', String(sampling.maxFrames),
    '-t', (sampling.maxFrames / fps).toFixed(3),
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  );

  const frames: VideoFrame[] = [];
  let current: Uint8Array | undefined;
  let filled = 0;
  const collect = (chunk: Buffer) => {
    for (let offset = 0; offset < chunk.length && frames.length < sampling.maxFrames;) {
      // Shared memory: the frame goes to a worker thread for each step of its analysis
      // (pipeline/frame-workers.ts), and shared bytes cross without a copy.
      current ??= new Uint8Array(new SharedArrayBuffer(frameBytes));
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      current.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        const frame = {
          image: { width, height, data: current },
          timestamp: info.startSeconds + frames.length / fps,
        };
        frames.push(frame);
        options.onFrame?.(frame);
        current = undefined;
        filled = 0;
      }
    }
  };

  let result: RunResult;
  try {
    result = await runProcess(options.ffmpegPath, args, {
      timeoutMs: sampling.timeoutMs,
      signal: options.signal,
      onStdout: collect,
    });
  } catch (err) {
    if (err instanceof ProcessTimeoutError) {
      throw invalidMedia(`the video could not be decoded within ${sampling.timeoutMs} ms`, err);
    }
    throw err;
  }
  // A damaged tail (a truncated upload) still yields the frames before it: keep them. A
  // decoder killed from outside never gets here (runProcess rejects): its frames would
  // be a clip cut short by us, not by the client.
  if (frames.length === 0) {
    throw invalidMedia(
      'the video could not be decoded: no frame decoded',
      new Error(result.stderr),
    );
  }
  return frames;
}
