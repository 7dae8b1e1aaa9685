/**
 * Decodes the sampled frames of a video with an ffmpeg child process: raw RGB over a
 * pipe, turned upright, resampled to the sampling rate and scaled to the working size.
 */
import type { VideoSampling } from '../../config/config.js';
import { invalidMedia } from '../../errors/api-error.js';
import type { VideoFrame } from '../types.js';
import type { VideoInfo } from './probe-video.js';
import { ProcessTimeoutError, runProcess, type OutputFlow, type RunResult } from './run-process.js';

export interface DecodeOptions {
  readonly ffmpegPath: string;
  readonly signal?: AbortSignal | undefined;
  /**
   * Called with each frame as soon as it is complete, while ffmpeg decodes the next:
   * analysis overlaps decoding instead of waiting for the whole window. A promise it
   * returns is the frame's analysis: see maxPendingFrames.
   */
  readonly onFrame?: ((frame: VideoFrame) => void | Promise<unknown>) | undefined;
  /**
   * At most this many frames whose onFrame promise has not settled: past it, ffmpeg is held
   * back (its pipes are not read) until one settles, so that frames do not pile up in
   * memory when decoding outruns their analysis. Unbounded by default.
   */
  readonly maxPendingFrames?: number | undefined;
  /**
   * Also deliver each frame resized to this size (aspect ratio not kept, area
   * resampling), as `detectorImage`: ffmpeg's scaler does in C what would otherwise be
   * done per frame in JavaScript. Written to a second pipe (fd 3).
   */
  readonly detectorSize?: { readonly width: number; readonly height: number } | undefined;
  /** Start this far into the clip (seconds from its first frame) instead of at its start. */
  readonly fromSeconds?: number | undefined;
  /**
   * false: frames go only to onFrame, and the decoder lets go of each once delivered (the
   * array returned is empty), so that a long window's frames are freed as they are analysed.
   */
  readonly retainFrames?: boolean | undefined;
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

/**
 * The filters that map a phone's HDR recording to the SDR picture the models were trained
 * and calibrated on (decision 0029). Read as SDR, an HLG face is pale and a PQ face dim and
 * grey; its blinks and motion are then missed. BT.2408's reference white (203 cd/m²)
 * becomes SDR white, so skin keeps its level; only the top of the range is compressed
 * (mobius, linear to 0.9 of that white), and BT.2020's primaries are mapped to BT.709's.
 * Run after the downscale, on the few working-size frames.
 */
function sdrFilters(range: VideoInfo['dynamicRange']): string[] {
  if (range === 'sdr') return [];
  const transfer = range === 'hlg' ? 'arib-std-b67' : 'smpte2084';
  return [
    `zscale=tin=${transfer}:pin=bt2020:min=bt2020nc:t=linear:npl=203`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    'tonemap=tonemap=mobius:param=0.9:desat=0',
    'zscale=t=bt709:m=bt709:r=tv',
    'format=yuv420p',
  ];
}

/** The rate frames are sampled at: never faster than the source, whose repeated frames would look like a still face. */
export function samplingRate(info: Pick<VideoInfo, 'fps'>, fps: number): number {
  return info.fps > 0 ? Math.min(fps, info.fps) : fps;
}

/**
 * Decodes at most sampling.maxFrames frames from the start (or from `fromSeconds`);
 * throws ApiError 2005 if none decode.
 */
export async function decodeFrames(
  file: string,
  info: VideoInfo,
  sampling: VideoSampling,
  options: DecodeOptions,
): Promise<VideoFrame[]> {
  const fps = samplingRate(info, sampling.fps);
  const { width, height } = workingSize(info.width, info.height, sampling.workingSide);
  const det = options.detectorSize;
  const chain = [
    ...uprightFilters(info.rotation),
    `fps=${fps}`,
    `scale=${width}:${height}:flags=area`,
    ...sdrFilters(info.dynamicRange),
  ];
  // One decoding and one filter thread: the frames are few and small, and on a busy pod
  // ffmpeg's per-core threads cost ~25% more CPU per clip than they save in wall time
  // (docs/benchmarks.md); the pixels are the same either way. -filter_threads sets the
  // simple -vf graph's threads, -filter_complex_threads the graph with the detector's output.
  const args = [
    ...['-v', 'error', '-nostdin', '-noautorotate', '-protocol_whitelist', 'file'],
    ...['-threads', '1', '-filter_threads', '1', '-filter_complex_threads', '1'],
  ];
  if (info.container !== undefined) args.push('-f', info.container);
  const from = options.fromSeconds ?? 0;
  // Before -i: ffmpeg seeks in the container, then decodes from the keyframe before and
  // drops the frames short of the position, so the first frame is the one at `from`.
  if (from > 0) args.push('-ss', from.toFixed(3));
  const limits = [
    '-frames:v',
    String(sampling.maxFrames),
    '-t',
    (sampling.maxFrames / fps).toFixed(3),
  ];
  const raw = ['-f', 'rawvideo', '-pix_fmt', 'rgb24'];
  args.push('-i', `file:${file}`, '-an', '-sn', '-dn');
  if (det === undefined) {
    args.push('-map', `0:${info.streamIndex}`, '-vf', chain.join(','), ...limits, ...raw, 'pipe:1');
  } else {
    // The detector's input is the working frame scaled again, so both outputs hold the
    // same frames and the same pixels as two separate decodes would.
    const graph =
      `[0:${info.streamIndex}]${chain.join(',')},split=2[work][det];` +
      `[det]scale=${det.width}:${det.height}:flags=area[small]`;
    // prettier-ignore
    args.push(
      '-filter_complex', graph,
      '-map', '[work]', ...limits, ...raw, 'pipe:1',
      '-map', '[small]', ...limits, ...raw, 'pipe:3',
    );
  }

  const frames: VideoFrame[] = [];
  const retain = options.retainFrames ?? true;
  let emitted = 0;
  const maxPending = options.maxPendingFrames ?? Infinity;
  let pending = 0;
  let outputs: OutputFlow | undefined;
  const settled = () => {
    pending--;
    if (pending < maxPending) outputs?.resume();
  };
  const main = new FrameReader(width * height * 3);
  const small = det === undefined ? undefined : new FrameReader(det.width * det.height * 3);
  // A frame is complete when both of its outputs are: ffmpeg interleaves the two pipes.
  const emit = () => {
    while (
      emitted < sampling.maxFrames &&
      main.done.length > emitted &&
      (small === undefined || small.done.length > emitted)
    ) {
      const k = emitted++;
      const frame: VideoFrame = {
        image: { width, height, data: main.take(k, retain) },
        timestamp: info.startSeconds + from + k / fps,
        ...(small === undefined ? {} : { detectorImage: { ...det!, data: small.take(k, retain) } }),
      };
      if (retain) frames.push(frame);
      const analysed = options.onFrame?.(frame);
      if (analysed !== undefined) {
        pending++;
        void analysed.then(settled, settled);
        if (pending >= maxPending) outputs?.pause();
      }
    }
  };
  const collect = (reader: FrameReader) => (chunk: Buffer) => {
    reader.push(chunk, sampling.maxFrames);
    emit();
  };

  let result: RunResult;
  try {
    result = await runProcess(options.ffmpegPath, args, {
      timeoutMs: sampling.timeoutMs,
      signal: options.signal,
      onStdout: collect(main),
      onSpawn: (flow) => (outputs = flow),
      ...(small === undefined ? {} : { onFd3: collect(small) }),
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
  if (emitted === 0) {
    throw invalidMedia(
      'the video could not be decoded: no frame decoded',
      new Error(result.stderr),
    );
  }
  return frames;
}

const RELEASED = new Uint8Array(0);

/** Cuts a pipe's bytes into frames of a fixed size. */
class FrameReader {
  /** The complete frames, in order. */
  readonly done: Uint8Array[] = [];
  private current: Uint8Array | undefined;
  private filled = 0;

  constructor(private readonly frameBytes: number) {}

  /** Frame k's bytes; unless kept, the reader lets go of them (it still counts the frame). */
  take(k: number, keep: boolean): Uint8Array {
    const frame = this.done[k]!;
    if (!keep) this.done[k] = RELEASED;
    return frame;
  }

  push(chunk: Buffer, maxFrames: number): void {
    for (let offset = 0; offset < chunk.length && this.done.length < maxFrames;) {
      // Shared memory: the frame goes to a worker thread for each step of its analysis
      // (pipeline/frame-workers.ts), and shared bytes cross without a copy.
      this.current ??= new Uint8Array(new SharedArrayBuffer(this.frameBytes));
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.current.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) {
        this.done.push(this.current);
        this.current = undefined;
        this.filled = 0;
      }
    }
  }
}
