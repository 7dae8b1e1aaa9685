import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { VideoSampling } from '../../config/config.js';
import { ApiError } from '../../errors/api-error.js';
import type { VideoFrame } from '../types.js';
import { corpusFile } from '../testing/corpus.js';
import { VideoFixtures, type ClipName } from '../testing/make-videos.js';
import { processesWith, waitForProcess } from '../testing/processes.js';
import { cropResize } from '../../vision/geometry/warp.js';
import { decodeFrames, workingSize } from './decode-frames.js';
import { findBinary, resolveBinary } from './ffmpeg-binaries.js';
import { probeVideo, type VideoInfo } from './probe-video.js';
import type { VideoContainer } from './sniff-container.js';

const clips = new VideoFixtures();
after(() => clips.dispose());
const ffmpegPath = resolveBinary('ffmpeg').path;
const ffprobePath = resolveBinary('ffprobe').path;
const sampling: VideoSampling = { fps: 8, maxFrames: 32, workingSide: 640, timeoutMs: 20_000 };

const probe = (file: string, container: VideoContainer = 'mov') =>
  probeVideo(file, { ffprobePath, timeoutMs: 20_000, container });
const decodeClip = async (
  name: ClipName,
  overrides: Partial<VideoSampling> = {},
  binary = ffmpegPath,
  detectorSize?: { width: number; height: number },
) => {
  const file = clips.file(name);
  const container = name === 'streamedWebm' ? 'matroska' : 'mov';
  return decodeFrames(
    file,
    await probe(file, container),
    { ...sampling, ...overrides },
    { ffmpegPath: binary, detectorSize },
  );
};
const sizes = (frames: VideoFrame[]) => [
  ...new Set(frames.map((f) => `${f.image.width}x${f.image.height}`)),
];
const isMediaError = (e: unknown) => e instanceof ApiError && e.code === 2005;
/** Mean absolute difference of two decodes' RGB samples, in levels of 255. */
const meanAbsoluteDifference = (a: readonly VideoFrame[], b: readonly VideoFrame[]) => {
  let sum = 0;
  let n = 0;
  a.forEach((frame, k) => {
    const other = b[k]!.image.data;
    frame.image.data.forEach((v, i) => (sum += Math.abs(v - other[i]!)));
    n += frame.image.data.length;
  });
  return sum / n;
};

test('working size fits the longer side, never upscales, and keeps both sides even', () => {
  assert.deepEqual(workingSize(1920, 1080, 640), { width: 640, height: 360 });
  assert.deepEqual(workingSize(1080, 1920, 640), { width: 360, height: 640 });
  assert.deepEqual(workingSize(320, 240, 640), { width: 320, height: 240 });
  assert.deepEqual(workingSize(555, 417, 640), { width: 554, height: 416 });
  assert.deepEqual(workingSize(4100, 64, 640), { width: 640, height: 10 });
});

test('samples frames at the requested rate with their timestamps', async () => {
  const frames = await decodeClip('standard');
  assert.equal(frames.length, 24); // 3 s at 8 fps
  assert.deepEqual(sizes(frames), ['320x240']);
  assert.deepEqual(
    frames.slice(0, 3).map((f) => f.timestamp),
    [0, 0.125, 0.25],
  );
  assert.ok(frames.every((f) => f.image.data.length === 320 * 240 * 3));
  // testsrc moves: consecutive sampled frames differ.
  assert.notDeepEqual(frames[0]!.image.data, frames[1]!.image.data);
});

test('stops at maxFrames, from the start of the clip', async () => {
  const frames = await decodeClip('standard', { maxFrames: 5 });
  assert.equal(frames.length, 5);
  assert.equal(frames[4]!.timestamp, 0.5);
});

test('from a later point: the same frames as decoding from the start gives there', async () => {
  const file = clips.file('standard');
  const info = await probe(file);
  const whole = await decodeFrames(file, info, sampling, { ffmpegPath });
  const later = await decodeFrames(file, info, sampling, { ffmpegPath, fromSeconds: 1 });
  assert.equal(later.length, 16); // the last 2 s at 8 fps
  assert.deepEqual(
    later.slice(0, 2).map((f) => f.timestamp),
    [1, 1.125],
  );
  assert.deepEqual(later[0]!.image.data, whole[8]!.image.data);
  assert.deepEqual(later.at(-1)!.image.data, whole.at(-1)!.image.data);
});

test('without retaining frames: each goes only to onFrame, whole, and none is returned', async () => {
  const file = clips.file('standard');
  const delivered: VideoFrame[] = [];
  const returned = await decodeFrames(file, await probe(file), sampling, {
    ffmpegPath,
    onFrame: (f) => void delivered.push(f),
    retainFrames: false,
    detectorSize: { width: 80, height: 60 },
  });
  assert.equal(returned.length, 0);
  assert.equal(delivered.length, 24);
  assert.ok(delivered.every((f) => f.image.data.length === 320 * 240 * 3));
  assert.ok(delivered.every((f) => f.detectorImage?.data.length === 80 * 60 * 3));
});

test('with maxPendingFrames, ffmpeg is held back while that many frames are in analysis', async () => {
  const file = clips.file('standard');
  const waiting: (() => void)[] = [];
  let pending = 0;
  let most = 0;
  // Frames are "analysed" one at a time, every 10 ms: slower than ffmpeg decodes them.
  const analyst = setInterval(() => waiting.shift()?.(), 10);
  try {
    const frames = await decodeFrames(file, await probe(file), sampling, {
      ffmpegPath,
      maxPendingFrames: 2,
      onFrame: () => {
        most = Math.max(most, ++pending);
        return new Promise<void>((resolve) => waiting.push(resolve)).then(() => void pending--);
      },
    });
    assert.equal(frames.length, 24, 'every frame is still delivered');
    // One more than the bound at most: the frame completed by the chunk read before the pause.
    assert.ok(most <= 3, `at most 3 frames pending at once, saw ${most}`);
  } finally {
    clearInterval(analyst);
  }
});

test('scales down to the working side', async () => {
  const frames = await decodeClip('large');
  assert.deepEqual(sizes(frames), ['640x360']);
  assert.equal(frames.length, 8);
});

test('with a detector size, every frame also comes resized to it, as the JS resize would', async () => {
  const detectorSize = { width: 320, height: 240 };
  const plain = await decodeClip('large');
  const both = await decodeClip('large', {}, ffmpegPath, detectorSize);
  assert.equal(both.length, plain.length);
  for (const [k, f] of both.entries()) {
    // The working frames are the same frames, pixel for pixel.
    assert.deepEqual(f.image.data, plain[k]!.image.data);
    assert.equal(f.timestamp, plain[k]!.timestamp);
    const small = f.detectorImage!;
    assert.deepEqual([small.width, small.height, small.data.length], [320, 240, 320 * 240 * 3]);
    // ffmpeg's area scaler and ours differ only by rounding.
    const ours = cropResize(f.image, { x1: 0, y1: 0, x2: 640, y2: 360 }, 320, 240);
    let diff = 0;
    for (let i = 0; i < ours.data.length; i++) diff += Math.abs(ours.data[i]! - small.data[i]!);
    assert.ok(diff / ours.data.length < 2, `mean difference ${diff / ours.data.length}`);
  }
  assert.equal(
    (await decodeClip('large')).every((f) => f.detectorImage === undefined),
    true,
  );
});

test('never samples faster than the source (no duplicated frames)', async () => {
  const frames = await decodeClip('slow');
  assert.equal(frames.length, 15); // 3 s at the source's 5 fps, not 24 at 8 fps
  assert.equal(frames[1]!.timestamp, 0.2);
});

test('turns a rotated clip upright exactly as ffmpeg autorotation does', async () => {
  const frames = await decodeClip('rotated', { maxFrames: 3 });
  assert.deepEqual(sizes(frames), ['240x320']);
  const auto = spawnSync(
    ffmpegPath,
    [
      '-v',
      'error',
      '-i',
      clips.file('rotated'),
      '-vf',
      'fps=8',
      '-frames:v',
      '3',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  assert.equal(auto.status, 0);
  assert.ok(Buffer.from(frames[2]!.image.data).equals(auto.stdout.subarray(2 * 240 * 320 * 3)));
});

test("a phone's HDR recording (HLG, PQ) decodes to the SDR picture it was made from", async () => {
  const sdr = await decodeClip('sdrFace');
  for (const name of ['hlg', 'pq'] as const) {
    const info = await probe(clips.file(name));
    assert.equal(info.dynamicRange, name);
    const mapped = await decodeFrames(clips.file(name), info, sampling, { ffmpegPath });
    // Read as if it were SDR, as before decision 0029: the control that this test can fail.
    const naive = await decodeFrames(clips.file(name), { ...info, dynamicRange: 'sdr' }, sampling, {
      ffmpegPath,
    });
    assert.equal(mapped.length, sdr.length, name);
    const mappedOff = meanAbsoluteDifference(mapped, sdr);
    const naiveOff = meanAbsoluteDifference(naive, sdr);
    // Measured: 5.3 (HLG) and 6.1 (PQ) levels mapped, 18.8 and 31.7 read naively.
    assert.ok(mappedOff < 8, `${name}: mapped ${mappedOff.toFixed(1)} levels off the original`);
    assert.ok(naiveOff > 2 * mappedOff, `${name}: naive ${naiveOff.toFixed(1)} levels off`);
  }
});

test('keeps the frames before a truncated tail; answers 2005 when nothing decodes', async () => {
  const partial = await decodeClip('truncatedFaststart');
  assert.ok(partial.length > 0 && partial.length < 24, `${partial.length} frames`);
  const info = await probe(clips.file('standard'));
  const garbage = path.join(clips.dir, 'garbage.mp4');
  await (await open(garbage, 'w')).close();
  await assert.rejects(decodeFrames(garbage, info, sampling, { ffmpegPath }), isMediaError);
});

test('an abort mid-decode kills ffmpeg before rejecting', async () => {
  const { fifo, info } = await fifoInput('abort');
  const controller = new AbortController();
  const decoding = decodeFrames(fifo, info, sampling, { ffmpegPath, signal: controller.signal });
  // The writer half-fills the pipe and keeps it open: ffmpeg cannot finish on its own.
  const writer = await open(fifo, 'r+'); // read-write: never blocks, whichever side opens first
  await writer.write(clips.bytes('faststart').subarray(0, 20_000));
  await waitForProcess(fifo);
  controller.abort(new Error('request cancelled'));
  await assert.rejects(decoding, /request cancelled/);
  assert.deepEqual(processesWith(fifo), []);
  await writer.close();
});

test('the time limit kills ffmpeg and answers 2005', async () => {
  const { fifo, info } = await fifoInput('timeout');
  const decoding = decodeFrames(fifo, info, { ...sampling, timeoutMs: 300 }, { ffmpegPath });
  const writer = await open(fifo, 'r+'); // read-write: never blocks, whichever side opens first
  await assert.rejects(decoding, isMediaError);
  assert.deepEqual(processesWith(fifo), []);
  await writer.close();
});

test('the 2018 npm fallback ffmpeg accepts the same arguments', async (t) => {
  let fallback;
  try {
    fallback = findBinary('ffmpeg', {
      pathEnv: '',
      isExecutable: (f) => !f.startsWith('/usr/') && isFile(f),
    });
  } catch {
    t.skip('optional dependency @ffmpeg-installer/linux-x64 not installed');
    return;
  }
  for (const name of ['standard', 'rotated', 'streamedWebm'] as const) {
    const ours = await decodeClip(name);
    const old = await decodeClip(name, {}, fallback.path);
    assert.deepEqual(sizes(old), sizes(ours), name);
    assert.equal(old.length, ours.length, name);
  }
});

test('real corpus: a 1080p WebM whose video is the second stream', async (t) => {
  const file = corpusFile(
    'liveness-extra/videos/Krzysiek354__Python_Face_Detection__real.mp4.webm',
  );
  if (file === undefined) {
    t.skip('corpus absent: set SILENTID_DATA_DIR to the shared data folder');
    return;
  }
  const frames = await decodeFrames(file, await probe(file, 'matroska'), sampling, { ffmpegPath });
  assert.deepEqual(sizes(frames), ['640x360']);
  assert.equal(frames.length, 32);
});

/** A named pipe standing in for the video file, with the facts of a real clip. */
async function fifoInput(name: string): Promise<{ fifo: string; info: VideoInfo }> {
  const fifo = path.join(clips.dir, `${name}-${process.pid}.fifo`);
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  return { fifo, info: await probe(clips.file('faststart')) };
}

function isFile(file: string): boolean {
  return spawnSync('test', ['-x', file]).status === 0;
}
