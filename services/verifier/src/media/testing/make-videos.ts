/**
 * Test-only: builds small videos with ffmpeg at test time (nothing binary is committed),
 * each at most once per test process, in a folder removed by `dispose()`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { samplePhoto } from '../../testing/sample-faces.js';
import { resolveBinary } from '../video/ffmpeg-binaries.js';

const lavfi = (source: string, seconds: number) => [
  '-f',
  'lavfi',
  '-i',
  source,
  '-t',
  String(seconds),
];
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
/** A face photo held for 2 s at 10 fps, 320 px wide. */
const facePhoto = ['-loop', '1', '-i', samplePhoto(2), '-t', '2', '-r', '10'];
const facePhotoSize = 'scale=320:-2,pad=ceil(iw/2)*2:ceil(ih/2)*2';
/**
 * The same face as a phone's HDR recording: HEVC Main 10 tagged BT.2020 with the HLG or PQ
 * transfer, SDR white placed at 203 cd/m² (BT.2408), as iPhones and HDR10 phones write.
 */
const hdr = (transfer: 'arib-std-b67' | 'smpte2084') => [
  ...facePhoto,
  '-vf',
  `${facePhotoSize},zscale=tin=bt709:min=bt709:pin=bt709:` +
    `t=${transfer}:m=bt2020nc:p=bt2020:r=tv:npl=203`,
  ...['-pix_fmt', 'yuv420p10le', '-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1'],
  '-x265-params',
  `log-level=error:colorprim=bt2020:transfer=${transfer}:colormatrix=bt2020nc`,
];

/** ffmpeg arguments (between the input options and the output file) per named clip. */
const recipes = {
  /** 320×240, 25 fps, 3 s, moov at the end (ffmpeg's default for MP4). */
  standard: [...lavfi('testsrc=size=320x240:rate=25', 3), ...x264],
  /** The same with the index first, readable front to back. */
  faststart: [...lavfi('testsrc=size=320x240:rate=25', 3), ...x264, '-movflags', '+faststart'],
  short: [...lavfi('testsrc=size=160x120:rate=25', 1), ...x264],
  long: [...lavfi('color=c=gray:size=64x64:rate=2', 70), ...x264],
  wide: [...lavfi('color=c=gray:size=4100x64:rate=5', 0.4), ...x264],
  tiny: [...lavfi('testsrc=size=32x32:rate=10', 1), ...x264],
  /** 1280×720, for the working-size scaling. */
  large: [...lavfi('testsrc=size=1280x720:rate=10', 1), ...x264],
  audioOnly: [...lavfi('sine=frequency=440', 1), '-c:a', 'aac'],
  /** VP8 WebM streamed like a browser's MediaRecorder: no duration in any header. */
  streamedWebm: [
    ...lavfi('testsrc=size=160x120:rate=10', 2.5),
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '200k',
    '-live',
    '1',
  ],
  /** A face photo, 10 fps, 2 s, SDR: the HDR clips' original. */
  sdrFace: [...facePhoto, '-vf', facePhotoSize, ...x264],
  hlg: hdr('arib-std-b67'),
  pq: hdr('smpte2084'),
  /** Low-rate source: 5 fps. */
  slow: [...lavfi('testsrc=size=160x120:rate=5', 3), ...x264],
  /** A real face, still: face-api's sample 2 held for 3 s (an attack clip: never live). */
  stillFace: [
    ...['-loop', '1', '-i', samplePhoto(2), '-t', '3', '-r', '25'],
    ...['-vf', 'scale=540:-2,pad=ceil(iw/2)*2:ceil(ih/2)*2'],
    ...x264,
  ],
} satisfies Record<string, string[]>;

export type ClipName = keyof typeof recipes | 'rotated' | 'truncated' | 'truncatedFaststart';

export class VideoFixtures {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'media-fixtures-'));
  readonly ffmpeg = resolveBinary('ffmpeg').path;
  private readonly made = new Map<ClipName, string>();

  /** The path of a named clip, made on first use. */
  file(name: ClipName): string {
    let file = this.made.get(name);
    if (file === undefined) {
      file = this.make(name);
      this.made.set(name, file);
    }
    return file;
  }

  /** The bytes of a named clip. */
  bytes(name: ClipName): Buffer {
    return readFileSync(this.file(name));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private make(name: ClipName): string {
    const out = path.join(this.dir, `${name}.${name === 'streamedWebm' ? 'webm' : 'mp4'}`);
    if (name === 'rotated') {
      // Tagging while re-encoding is dropped by ffmpeg 5; a stream copy writes the matrix.
      this.ffmpegRun([
        '-i',
        this.file('standard'),
        '-c',
        'copy',
        '-metadata:s:v',
        'rotate=90',
        out,
      ]);
    } else if (name === 'truncated' || name === 'truncatedFaststart') {
      const whole = this.bytes(name === 'truncated' ? 'standard' : 'faststart');
      writeFileSync(out, whole.subarray(0, Math.floor(whole.length * 0.6)));
    } else if (name === 'streamedWebm') {
      const run = spawnSync(
        this.ffmpeg,
        ['-v', 'error', ...recipes[name], '-f', 'webm', 'pipe:1'],
        {
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      if (run.status !== 0) throw new Error(`ffmpeg failed for ${name}: ${run.stderr.toString()}`);
      writeFileSync(out, run.stdout);
    } else {
      this.ffmpegRun([...recipes[name], out]);
    }
    return out;
  }

  private ffmpegRun(args: string[]): void {
    const run = spawnSync(this.ffmpeg, ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${run.stderr}`);
  }
}
