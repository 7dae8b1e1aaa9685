/**
 * The video path of a request, the entry points the pipeline calls: limits, a
 * per-request temp file (an MP4 whose index is at its end cannot be read from a pipe),
 * probe, sampled decode of one window or more, and the temp directory removed whatever
 * happens.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VideoLimits, VideoSampling } from '../../config/config.js';
import {
  invalidArgument,
  invalidContentLength,
  invalidImageSize,
  invalidMedia,
  tempSpaceFull,
} from '../../errors/api-error.js';
import type { VideoFrame } from '../types.js';
import { decodeFrames, type DecodeOptions } from './decode-frames.js';
import { resolveBinary } from './ffmpeg-binaries.js';
import { probeVideo, type VideoInfo } from './probe-video.js';
import { sniffVideoContainer } from './sniff-container.js';

export interface LoadedVideo {
  readonly info: VideoInfo;
  readonly frames: VideoFrame[];
  /** Shorter than limits.minSeconds: frames are still decoded, the caller decides. */
  readonly tooShort: boolean;
}

export interface OpenOptions {
  /** Explicit executables (config); else the system's, else the npm fallback. */
  readonly ffmpegPath?: string | undefined;
  readonly ffprobePath?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface LoadOptions extends OpenOptions {
  /** Each decoded frame as it arrives (see decodeFrames); not called for a too-short clip. */
  readonly onFrame?: ((frame: VideoFrame) => void) | undefined;
  /** Also decode each frame at the face detector's input size (see decodeFrames). */
  readonly detectorSize?: { readonly width: number; readonly height: number } | undefined;
}

/** What to decode of an opened video: the sampling, and where in the clip to start. */
export type WindowOptions = Pick<
  DecodeOptions,
  'onFrame' | 'detectorSize' | 'fromSeconds' | 'retainFrames' | 'maxPendingFrames'
>;

/** A checked video in its own temp file: decode windows of it, then close it. */
export interface OpenVideo {
  readonly info: VideoInfo;
  /** Shorter than limits.minSeconds: frames can still be decoded, the caller decides. */
  readonly tooShort: boolean;
  decode(sampling: VideoSampling, options?: WindowOptions): Promise<VideoFrame[]>;
  /** Removes the temp file; call it whatever happened. */
  close(): Promise<void>;
}

/**
 * Checks a video against the limits and decodes its sampled frames; throws ApiError
 * 2004, 2005, 1200 or 2003, or 5003 when the temp space is full.
 */
export async function loadVideo(
  bytes: Uint8Array,
  limits: VideoLimits,
  sampling: VideoSampling,
  options: LoadOptions = {},
): Promise<LoadedVideo> {
  const video = await openVideo(bytes, limits, sampling, options);
  try {
    const frames = await video.decode(sampling, {
      onFrame: video.tooShort ? undefined : options.onFrame,
      detectorSize: options.detectorSize,
    });
    return { info: video.info, frames, tooShort: video.tooShort };
  } finally {
    await video.close();
  }
}

/**
 * Checks a video against the limits and probes it in a per-request temp file, which
 * stays until `close()` so that more than one window can be decoded; throws as loadVideo.
 */
export async function openVideo(
  bytes: Uint8Array,
  limits: VideoLimits,
  sampling: Pick<VideoSampling, 'timeoutMs'>,
  options: OpenOptions = {},
): Promise<OpenVideo> {
  if (bytes.length > limits.maxBytes) {
    throw invalidContentLength(
      `the video is ${bytes.length} bytes, more than the maximum of ${limits.maxBytes}`,
    );
  }
  const container = sniffVideoContainer(bytes);
  if (container === undefined) {
    throw invalidMedia('the video is not an MP4/MOV, WebM/Matroska or AVI file');
  }
  const { signal } = options;
  signal?.throwIfAborted();
  const ffprobePath = resolveBinary('ffprobe', options.ffprobePath).path;
  const ffmpegPath = resolveBinary('ffmpeg', options.ffmpegPath).path;

  const dir = await mkdtemp(path.join(os.tmpdir(), 'silentid-')).catch(rethrowTempSpace);
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    const file = path.join(dir, 'video');
    await writeFile(file, bytes, { flag: 'wx', mode: 0o600 }).catch(rethrowTempSpace);
    const info = await probeVideo(file, {
      ffprobePath,
      timeoutMs: sampling.timeoutMs,
      signal,
      container,
      bytes,
    });
    checkLimits(info, limits);
    return {
      info,
      tooShort: info.durationSeconds < limits.minSeconds,
      decode: (window, opts = {}) =>
        decodeFrames(file, info, window, { ...opts, ffmpegPath, signal }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Seconds a client should wait: in-flight requests free their temp files within a few. */
const TEMP_SPACE_RETRY_AFTER_S = 1;

/**
 * A full temp space (no blocks, no inodes, or over a quota) is the pod's condition, not
 * the video's: 5003 instead of an internal fault. Other errors (a TMPDIR that is missing
 * or not writable) are misconfiguration and stay internal (5000), logged for the operator.
 */
function rethrowTempSpace(err: unknown): never {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') throw tempSpaceFull(TEMP_SPACE_RETRY_AFTER_S, err);
  throw err;
}

function checkLimits(info: VideoInfo, limits: VideoLimits): void {
  if (info.durationSeconds > limits.maxSeconds) {
    throw invalidArgument(
      `the video is ${info.durationSeconds.toFixed(1)} s long, longer than the maximum of ${limits.maxSeconds} s`,
    );
  }
  const { width, height } = info;
  if (Math.min(width, height) < limits.minSide || Math.max(width, height) > limits.maxSide) {
    throw invalidImageSize(
      `the video's frames are ${width}×${height} px; each side must be within [${limits.minSide}, ${limits.maxSide}] px`,
    );
  }
}
