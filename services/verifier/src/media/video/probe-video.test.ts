import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors/api-error.js';
import { corpusFile } from '../testing/corpus.js';
import { VideoFixtures } from '../testing/make-videos.js';
import { findBinary, resolveBinary } from './ffmpeg-binaries.js';
import { probeVideo, type ProbeOptions } from './probe-video.js';

const clips = new VideoFixtures();
after(() => clips.dispose());
const options: ProbeOptions = {
  ffprobePath: resolveBinary('ffprobe').path,
  timeoutMs: 20_000,
  container: 'mov',
};

test('reads duration, size, codec, frame rate and stream index', async () => {
  const info = await probeVideo(clips.file('standard'), options);
  assert.deepEqual(info, {
    durationSeconds: 3,
    width: 320,
    height: 240,
    codec: 'h264',
    fps: 25,
    rotation: 0,
    streamIndex: 0,
    startSeconds: 0,
    container: 'mov',
    dynamicRange: 'sdr',
  });
});

test('reports the displayed size of a rotated clip', async () => {
  const info = await probeVideo(clips.file('rotated'), options);
  assert.equal(info.rotation, 90);
  assert.deepEqual([info.width, info.height], [240, 320]);
});

test('measures a streamed WebM with no duration in its headers from its packets', async () => {
  const info = await probeVideo(clips.file('streamedWebm'), { ...options, container: 'matroska' });
  assert.equal(info.codec, 'vp8');
  assert.ok(Math.abs(info.durationSeconds - 2.5) < 0.15, `duration ${info.durationSeconds}`);
  assert.equal(info.fps, 10);
});

test('answers 2005 for no video stream, a missing index, the wrong demuxer, or garbage', async () => {
  const cases: [string, string, ProbeOptions][] = [
    ['audio only', clips.file('audioOnly'), options],
    ['moov lost to truncation', clips.file('truncated'), options],
    ['mp4 forced as matroska', clips.file('standard'), { ...options, container: 'matroska' }],
    ['not a file', '/nonexistent/video', options],
  ];
  for (const [name, file, opts] of cases) {
    await assert.rejects(
      probeVideo(file, opts),
      (e: unknown) => e instanceof ApiError && e.code === 2005,
      name,
    );
  }
});

test('an abort rejects with its reason', async () => {
  await assert.rejects(
    probeVideo(clips.file('standard'), {
      ...options,
      signal: AbortSignal.abort(new Error('gone')),
    }),
    /gone/,
  );
});

test('the npm fallback ffprobe reads the same facts', async (t) => {
  let fallback;
  try {
    fallback = findBinary('ffprobe', {
      pathEnv: '',
      isExecutable: (f) => !f.startsWith('/usr/') && existsExecutable(f),
    });
  } catch {
    t.skip('optional dependency @ffprobe-installer/linux-x64 not installed');
    return;
  }
  const opts = { ...options, ffprobePath: fallback.path };
  assert.deepEqual(
    await probeVideo(clips.file('rotated'), opts),
    await probeVideo(clips.file('rotated'), options),
  );
  const webm = await probeVideo(clips.file('streamedWebm'), { ...opts, container: 'matroska' });
  assert.ok(Math.abs(webm.durationSeconds - 2.5) < 0.15);
});

test('real corpus: a MediaRecorder WebM named .mp4 and an offset start', async (t) => {
  const webm = corpusFile(
    'liveness-extra/videos/Krzysiek354__Python_Face_Detection__real.mp4.webm',
  );
  const offset = corpusFile(
    'liveness-extra/videos/Manikantha-M__Face-Liveness-detection-using-Deeplearning-and-OpenCV__fake.mp4',
  );
  if (webm === undefined || offset === undefined) {
    t.skip('corpus absent: set SILENTID_DATA_DIR to the shared data folder');
    return;
  }
  const info = await probeVideo(webm, { ...options, container: 'matroska' });
  assert.equal(info.codec, 'vp8');
  assert.equal(info.streamIndex, 1, 'the audio stream comes first');
  assert.deepEqual([info.width, info.height], [1920, 1080]);
  assert.ok(
    info.durationSeconds > 8 && info.durationSeconds < 9.5,
    `duration ${info.durationSeconds}`,
  );
  const replay = await probeVideo(offset, options);
  assert.ok(
    replay.startSeconds > 0.05 && replay.startSeconds < 0.1,
    `start ${replay.startSeconds}`,
  );
});

function existsExecutable(file: string): boolean {
  try {
    return findBinary('ffprobe', { explicit: file }).path === file;
  } catch {
    return false;
  }
}
