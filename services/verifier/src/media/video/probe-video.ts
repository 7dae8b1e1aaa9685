/**
 * Reads a video's facts with ffprobe: the first real video stream's codec, displayed size
 * (after the rotation metadata), frame rate, start offset and duration. A plain MP4/MOV
 * held in memory is read in process instead, to the same answer (probe-iso-bmff.ts).
 */
import { invalidMedia } from '../../errors/api-error.js';
import { probeIsoBmff } from './probe-iso-bmff.js';
import { probeSchema, type ProbeOutput, type ProbeStream } from './probe-output.js';
import { ProcessTimeoutError, runProcess, type RunResult } from './run-process.js';
import type { VideoContainer } from './sniff-container.js';

export interface VideoInfo {
  readonly durationSeconds: number;
  /** Width and height as displayed, i.e. after the rotation metadata is applied. */
  readonly width: number;
  readonly height: number;
  /** ffprobe's codec name, e.g. h264, vp8. */
  readonly codec: string;
  /** Average frame rate; falls back to the nominal rate, then to packets per second. */
  readonly fps: number;
  /** Counter-clockwise degrees (0, 90, 180, 270) the picture is turned for display. */
  readonly rotation: 0 | 90 | 180 | 270;
  /** The stream's index in the container, for ffmpeg's `-map`. */
  readonly streamIndex: number;
  /** Seconds from the container's start to the stream's first frame (≥ 0). */
  readonly startSeconds: number;
  /** The demuxer that was forced, when the caller sniffed one. */
  readonly container: VideoContainer | undefined;
  /**
   * How sample values map to light: SDR, or a phone's HDR recording (HLG, iPhone's default;
   * PQ, HDR10), which the decoder maps to SDR (decision 0029).
   */
  readonly dynamicRange: DynamicRange;
}

export type DynamicRange = 'sdr' | 'hlg' | 'pq';

/** ffprobe's transfer names for the two HDR transfers; any other is SDR to the models. */
function dynamicRange(transfer: string | undefined): DynamicRange {
  if (transfer === 'arib-std-b67') return 'hlg';
  if (transfer === 'smpte2084') return 'pq';
  return 'sdr';
}

export interface ProbeOptions {
  readonly ffprobePath: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Forces this demuxer instead of letting ffprobe guess (see sniff-container.ts). */
  readonly container?: VideoContainer | undefined;
  /**
   * The file's bytes, when the caller holds them: an MP4/MOV (container 'mov') is then read
   * in process, and ffprobe runs only for what that reader cannot decide.
   */
  readonly bytes?: Uint8Array | undefined;
}

/**
 * Codecs whose decoders are current and that phones, webcams and browsers produce. Others
 * (dozens of legacy decoders) are refused: they add attack surface, not users.
 */
const allowedCodecs = new Set([
  'h264',
  'hevc',
  'vp8',
  'vp9',
  'av1',
  'mpeg4',
  'h263',
  'mjpeg',
  'mpeg1video',
  'mpeg2video',
]);

/** Probes a video file; throws ApiError 2005 when it has no decodable video stream. */
export async function probeVideo(file: string, options: ProbeOptions): Promise<VideoInfo> {
  let probe: ProbeOutput | undefined;
  if (options.bytes !== undefined && options.container === 'mov') {
    options.signal?.throwIfAborted();
    const read = probeIsoBmff(options.bytes);
    if (read.kind === 'probed') probe = read.output;
  }
  probe ??= await ffprobeOutput(file, options);
  const stream = probe.streams.find(
    (s) =>
      s.codec_type === 'video' &&
      s.disposition?.attached_pic !== 1 &&
      (s.width ?? 0) > 0 &&
      (s.height ?? 0) > 0,
  );
  if (stream === undefined) throw invalidMedia('the video has no video stream');
  const codec = stream.codec_name ?? 'unknown';
  if (!allowedCodecs.has(codec)) {
    throw invalidMedia(`the video's codec (${codec}) is not supported`);
  }

  const rotation = rotationOf(stream);
  const turned = rotation === 90 || rotation === 270;
  const streamStart = seconds(stream.start_time) ?? 0;
  const formatStart = seconds(probe.format?.start_time) ?? streamStart;
  let durationSeconds =
    seconds(stream.duration) ??
    clockSeconds(stream.tags?.['DURATION']) ??
    seconds(probe.format?.duration);
  let fps = rate(stream.avg_frame_rate) ?? rate(stream.r_frame_rate);
  if (durationSeconds === undefined || fps === undefined) {
    // Streamed WebM (browser MediaRecorder) has no duration anywhere in its headers:
    // measure it from the packet timestamps, which needs demuxing only, no decoding.
    const measured = await measurePackets(file, stream.index, options);
    durationSeconds ??= measured.durationSeconds;
    fps ??= measured.fps;
  }
  if (durationSeconds === undefined || durationSeconds <= 0) {
    throw invalidMedia('the video has no measurable duration');
  }
  return {
    durationSeconds,
    width: turned ? stream.height! : stream.width!,
    height: turned ? stream.width! : stream.height!,
    codec,
    fps: fps ?? 0,
    rotation,
    streamIndex: stream.index,
    startSeconds: Math.max(0, streamStart - formatStart),
    container: options.container,
    dynamicRange: dynamicRange(stream.color_transfer),
  };
}

async function ffprobeOutput(file: string, options: ProbeOptions): Promise<ProbeOutput> {
  const output = await runProbe(
    file,
    ['-show_format', '-show_streams', '-print_format', 'json'],
    options,
  );
  try {
    return probeSchema.parse(JSON.parse(output));
  } catch (err) {
    throw invalidMedia('the video could not be read: its container is damaged', err);
  }
}

async function runProbe(file: string, show: string[], options: ProbeOptions): Promise<string> {
  // Only the file protocol: a container must not make ffprobe open anything else.
  const args = ['-v', 'error', '-protocol_whitelist', 'file'];
  if (options.container !== undefined) args.push('-f', options.container);
  args.push(...show, `file:${file}`);
  let result: RunResult;
  try {
    result = await runProcess(options.ffprobePath, args, {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof ProcessTimeoutError) {
      throw invalidMedia('the video could not be read in time', err);
    }
    throw err;
  }
  if (result.exitCode !== 0) {
    throw invalidMedia(
      'the video could not be read: not a decodable video',
      new Error(result.stderr),
    );
  }
  return result.stdout.toString('utf8');
}

async function measurePackets(
  file: string,
  streamIndex: number,
  options: ProbeOptions,
): Promise<{ durationSeconds: number | undefined; fps: number | undefined }> {
  const csv = await runProbe(
    file,
    [
      '-select_streams',
      String(streamIndex),
      '-show_entries',
      'packet=pts_time,duration_time',
      '-of',
      'csv=p=0',
    ],
    options,
  );
  let first = Infinity;
  let end = -Infinity;
  let count = 0;
  for (const line of csv.split('\n')) {
    const [pts, duration] = line.split(',').map((v) => seconds(v.trim()));
    if (pts === undefined) continue;
    count++;
    first = Math.min(first, pts);
    end = Math.max(end, pts + (duration ?? 0));
  }
  const span = end - first;
  if (count === 0 || !(span > 0)) return { durationSeconds: undefined, fps: undefined };
  return { durationSeconds: span, fps: count / span };
}

/** The display matrix's angle (ffprobe ≥ 5), else the legacy `rotate` tag (clockwise). */
function rotationOf(stream: ProbeStream): 0 | 90 | 180 | 270 {
  const matrix = stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  const tag = seconds(stream.tags?.['rotate']);
  const degrees = matrix ?? (tag === undefined ? 0 : -tag);
  return ((((Math.round(degrees / 90) * 90) % 360) + 360) % 360) as 0 | 90 | 180 | 270;
}

/** A finite number from ffprobe's text ("N/A" and garbage become undefined). */
function seconds(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Matroska's DURATION tag, "HH:MM:SS.nnnnnnnnn". */
function clockSeconds(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value.trim());
  if (m === null) return undefined;
  const total = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return total > 0 ? total : undefined;
}

/** A positive frame rate from "num/den" ("0/0" means unknown). */
function rate(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^(\d+)\/(\d+)$/.exec(value);
  if (m === null || Number(m[2]) === 0) return undefined;
  const fps = Number(m[1]) / Number(m[2]);
  return fps > 0 && fps <= 1000 ? fps : undefined;
}
