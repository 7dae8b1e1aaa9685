/**
 * Builds test media with ffmpeg at test time: clips cut from real videos, still photos
 * turned into videos (image injection), and synthetic streams of given sizes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveBinary } from '@silentid/verifier';

const run = promisify(execFile);

export const ffmpeg = (): string => resolveBinary('ffmpeg', process.env.FFMPEG_PATH).path;

/** Fast H.264 in the pixel format every player and decoder takes: test media, not archives. */
export const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] as const;

export async function ffmpegRun(args: string[]): Promise<void> {
  await run(ffmpeg(), ['-v', 'error', '-y', ...args], { maxBuffer: 16 * 1024 * 1024 });
}

/**
 * A scratch directory for one suite, removed by the returned function; `prefix` names
 * its owner, so that a leftover can be traced.
 */
export async function scratchDir(
  prefix = 'silentid-e2e-',
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `seconds` of `src` starting at `from`, re-encoded (H.264, yuv420p). */
export async function cutClip(
  src: string,
  out: string,
  from: number,
  seconds: number,
): Promise<string> {
  await ffmpegRun(['-ss', String(from), '-i', src, '-t', String(seconds), '-an', ...H264, out]);
  return out;
}

/**
 * A phone's HDR recording: HEVC Main 10 tagged BT.2020 with the HLG (iPhone's default) or
 * PQ (HDR10) transfer, SDR white placed at BT.2408's 203 cd/m². The filter turns SDR BT.709
 * video into it; the codec arguments go without a preset or quality.
 */
export function hdrEncoding(transfer: 'hlg' | 'pq'): { filter: string; codec: string[] } {
  const trc = transfer === 'hlg' ? 'arib-std-b67' : 'smpte2084';
  return {
    filter:
      'zscale=tin=bt709:min=bt709:pin=bt709:rin=tv:' +
      `t=${trc}:m=bt2020nc:p=bt2020:r=tv:npl=203,format=yuv420p10le`,
    codec: [
      ...['-c:v', 'libx265', '-tag:v', 'hvc1', '-x265-params'],
      `log-level=error:colorprim=bt2020:transfer=${trc}:colormatrix=bt2020nc`,
    ],
  };
}

/** A window of a clip as a phone's HDR recording (hdrEncoding). */
export async function hdrClip(
  src: string,
  out: string,
  transfer: 'hlg' | 'pq',
  from: number,
  seconds: number,
): Promise<string> {
  const { filter, codec } = hdrEncoding(transfer);
  await ffmpegRun([
    ...['-ss', String(from), '-t', String(seconds), '-i', src, '-an', '-vf', filter],
    ...codec,
    ...['-preset', 'ultrafast', out],
  ]);
  return out;
}

/** One frame of a video at `at` seconds, as JPEG. */
export async function grabFrame(src: string, out: string, at: number): Promise<string> {
  await ffmpegRun(['-ss', String(at), '-i', src, '-frames:v', '1', '-q:v', '2', out]);
  return out;
}

/**
 * A still photo as a `seconds`-long 25 fps video; `motion` adds a slow zoom and pan, as
 * an attacker would to defeat a naive frame-difference check.
 */
export async function stillPhotoVideo(
  photo: string,
  out: string,
  seconds: number,
  motion: boolean,
): Promise<string> {
  const frames = seconds * 25;
  const vf = motion
    ? `scale=720:-2,zoompan=z='min(zoom+0.0015,1.15)':x='iw/2-(iw/zoom/2)+on':y='ih/2-(ih/zoom/2)':d=${frames}:s=540x720:fps=25`
    : 'scale=540:-2,pad=ceil(iw/2)*2:ceil(ih/2)*2';
  await ffmpegRun([
    '-loop',
    '1',
    '-i',
    photo,
    '-t',
    String(seconds),
    '-vf',
    vf,
    '-r',
    '25',
    ...H264,
    out,
  ]);
  return out;
}

/** A synthetic test pattern of the given size and length. */
export async function testPattern(
  out: string,
  width: number,
  height: number,
  seconds: number,
): Promise<string> {
  await ffmpegRun([
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${width}x${height}:rate=10`,
    '-t',
    String(seconds),
    ...H264,
    out,
  ]);
  return out;
}
