/**
 * Research helpers shared by the cue experiments: a clip's frames as the service samples
 * them, every source frame of a clip's start, and a whole picture's luma plane.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Config } from '../../../services/verifier/src/config/config.js';
import {
  loadVideo,
  type LoadedVideo,
} from '../../../services/verifier/src/media/video/load-video.js';
import { workingSize } from '../../../services/verifier/src/media/video/decode-frames.js';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import { luma } from '../../../services/verifier/src/vision/luma.js';

const run = promisify(execFile);

/**
 * The clip decoded as the service decodes it (its limits, window and rate); undefined,
 * with the reason on stderr, when the service would refuse it.
 */
export async function serviceFrames(
  config: Pick<Config, 'video' | 'sampling' | 'ffmpegPath' | 'ffprobePath'>,
  file: string,
  id: string,
): Promise<LoadedVideo | undefined> {
  try {
    return await loadVideo(await readFile(file), config.video, config.sampling, {
      ffmpegPath: config.ffmpegPath,
      ffprobePath: config.ffprobePath,
    });
  } catch (err) {
    console.error(`${id}: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * Every source frame of the first `seconds`, at the service's working size for a
 * `width`×`height` source, with no resampling in time (the service samples 8 fps).
 */
export async function decodeSourceFrames(
  ffmpegPath: string,
  file: string,
  source: { readonly width: number; readonly height: number },
  workingSide: number,
  seconds: number,
): Promise<RgbImage[]> {
  const { width, height } = workingSize(source.width, source.height, workingSide);
  const { stdout } = await run(
    ffmpegPath,
    [
      ...['-v', 'error', '-nostdin', '-fflags', '+genpts', '-i', file, '-t', String(seconds)],
      ...['-an', '-vf', `scale=${width}:${height}:flags=area`, '-fps_mode', 'passthrough'],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ],
    { encoding: 'buffer', maxBuffer: 1 << 29 },
  );
  const size = width * height * 3;
  const out: RgbImage[] = [];
  for (let o = 0; o + size <= stdout.length; o += size)
    out.push({ width, height, data: new Uint8Array(stdout.subarray(o, o + size)) });
  return out;
}

/** The picture's BT.601 luma, one float per pixel, row by row. */
export function lumaPlane(img: RgbImage): Float32Array {
  const out = new Float32Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) out[i] = luma(img.data, i * 3);
  return out;
}
