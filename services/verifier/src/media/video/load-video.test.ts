import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VideoLimits, VideoSampling } from '../../config/config.js';
import { ApiError } from '../../errors/api-error.js';
import { corpusFile } from '../testing/corpus.js';
import { VideoFixtures } from '../testing/make-videos.js';
import { processesWith } from '../testing/processes.js';
import { smallTmpfs } from '../testing/small-tmpfs.js';
import { loadVideo } from './load-video.js';
import { ProcessKilledError } from './run-process.js';

// A private temp root, so that other processes' files cannot confuse the leak checks.
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'media-load-video-'));
process.env['TMPDIR'] = tmpRoot;
const clips = new VideoFixtures();
after(() => {
  clips.dispose();
  rmSync(tmpRoot, { recursive: true, force: true });
});

const limits: VideoLimits = {
  maxBytes: 32 * 1024 * 1024,
  minSide: 64,
  maxSide: 4096,
  minSeconds: 2,
  maxSeconds: 60,
};
const sampling: VideoSampling = { fps: 8, maxFrames: 32, workingSide: 640, timeoutMs: 20_000 };

const leftovers = () => readdirSync(tmpRoot).filter((name) => name.startsWith('silentid-'));
const apiCode = (code: number, pattern?: RegExp) => (e: unknown) =>
  e instanceof ApiError && e.code === code && (pattern === undefined || pattern.test(e.message));

test('loads a clip whose index (moov) is at the end, and leaves nothing behind', async () => {
  const bytes = clips.bytes('standard');
  assert.ok(bytes.indexOf('moov') > bytes.indexOf('mdat'), 'fixture has moov after mdat');
  const video = await loadVideo(bytes, limits, sampling);
  assert.equal(video.tooShort, false);
  assert.equal(video.info.durationSeconds, 3);
  assert.equal(video.frames.length, 24);
  assert.deepEqual(leftovers(), []);
});

test('flags a clip shorter than the minimum but still decodes it', async () => {
  const video = await loadVideo(clips.bytes('short'), limits, sampling);
  assert.equal(video.tooShort, true);
  assert.equal(video.frames.length, 8);
});

test('decodes a rotated clip upright and a streamed WebM without a duration', async () => {
  const rotated = await loadVideo(clips.bytes('rotated'), limits, sampling);
  assert.deepEqual([rotated.info.width, rotated.info.height], [240, 320]);
  assert.deepEqual([rotated.frames[0]!.image.width, rotated.frames[0]!.image.height], [240, 320]);
  const webm = await loadVideo(clips.bytes('streamedWebm'), limits, sampling);
  assert.equal(webm.info.codec, 'vp8');
  assert.equal(webm.frames.length, 20);
});

test('refuses by the spec: 2004 size, 1200 duration, 2003 frame size', async () => {
  const bytes = clips.bytes('standard');
  // 2004 comes before anything else, even before looking for the executables.
  await assert.rejects(
    loadVideo(bytes, { ...limits, maxBytes: bytes.length - 1 }, sampling, {
      ffprobePath: '/nonexistent',
    }),
    apiCode(2004),
  );
  await assert.rejects(
    loadVideo(clips.bytes('long'), limits, sampling),
    apiCode(1200, /longer than the maximum of 60 s/),
  );
  await assert.rejects(
    loadVideo(clips.bytes('wide'), limits, sampling),
    apiCode(2003),
    '4100 px wide',
  );
  await assert.rejects(loadVideo(clips.bytes('tiny'), limits, sampling), apiCode(2003), '32×32');
  assert.deepEqual(leftovers(), []);
});

test('answers 2005 for random bytes, a damaged container, no video stream and a lost index', async () => {
  const random = Buffer.alloc(64 * 1024);
  for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 27;
  const fakeMp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), random]);
  const cases: [string, Uint8Array][] = [
    ['random bytes', random],
    ['empty', new Uint8Array()],
    ['ftyp then garbage', fakeMp4],
    ['audio only', clips.bytes('audioOnly')],
    ['truncated, moov lost', clips.bytes('truncated')],
    ['HLS playlist', Buffer.from('#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n')],
  ];
  for (const [name, bytes] of cases)
    await assert.rejects(loadVideo(bytes, limits, sampling), apiCode(2005), name);
  const partial = await loadVideo(clips.bytes('truncatedFaststart'), limits, sampling);
  assert.ok(partial.frames.length > 0);
  assert.deepEqual(leftovers(), []);
});

test('an abort during the probe or the decode kills the child and removes the directory', async () => {
  // An MP4 is probed in process, so its first child is the decode; a WebM's is ffprobe.
  const stages = [
    ['probe', clips.bytes('streamedWebm')],
    ['decode', clips.bytes('large')],
  ] as const;
  for (const [stage, bytes] of stages) {
    const { signal, abortOnListener } = abortWhenSubscribed(1);
    await assert.rejects(loadVideo(bytes, limits, sampling, { signal }), /cancelled at listener/);
    assert.equal(abortOnListener(), true, `${stage}: the abort fired while a child ran`);
    assert.deepEqual(processesWith(tmpRoot), [], stage);
    assert.deepEqual(leftovers(), [], stage);
  }
  await assert.rejects(
    loadVideo(clips.bytes('standard'), limits, sampling, { signal: AbortSignal.abort() }),
  );
  assert.deepEqual(leftovers(), []);
});

test('a decoder killed from outside rejects as a server fault, not a bad video', async () => {
  // The kill lands as runProcess subscribes to the signal, right after the spawn: an
  // MP4 is probed in process, so that child is the decode, partway or not started.
  const signal = new AbortController().signal;
  const subscribe = signal.addEventListener.bind(signal);
  const killed: number[] = [];
  signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    subscribe(...args);
    for (const pid of processesWith(tmpRoot)) {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    }
  }) as AbortSignal['addEventListener'];
  await assert.rejects(
    loadVideo(clips.bytes('large'), limits, sampling, { signal }),
    (e: unknown) => e instanceof ProcessKilledError && e.exitSignal === 'SIGKILL',
  );
  assert.equal(killed.length, 1, 'one decoder was running and was killed');
  assert.deepEqual(leftovers(), []);
});

test('temp space full: 5003 with Retry-After (the file or the directory), nothing left', async (t) => {
  // Out of blocks, writeFile fails; with 2 inodes (its root's and the filler's), mkdtemp.
  for (const inodes of [undefined, 2]) {
    const tmpfs = await smallTmpfs({ sizeKiB: 4096, inodes });
    if ('unavailable' in tmpfs) {
      t.skip(tmpfs.unavailable);
      return;
    }
    const entries = () => readdirSync(tmpfs.path).filter((name) => name.startsWith('silentid-'));
    process.env['TMPDIR'] = tmpfs.path;
    try {
      await tmpfs.fill();
      await assert.rejects(
        loadVideo(clips.bytes('standard'), limits, sampling),
        (e: unknown) =>
          apiCode(5003)(e) &&
          (e as ApiError).status === 503 &&
          (e as ApiError).headers['Retry-After'] === '1' &&
          (e as { cause?: { code?: string } }).cause?.code === 'ENOSPC' &&
          (e as { cause?: { syscall?: string } }).cause?.syscall ===
            (inodes === undefined ? 'write' : 'mkdtemp'),
        `inodes ${inodes ?? 'default'}`,
      );
      assert.deepEqual(entries(), []);
      if (inodes !== undefined) continue; // 2 inodes never hold a directory and a file
      // The same clip, with the space back: the refusal was the space's, not the clip's.
      await tmpfs.free();
      assert.equal((await loadVideo(clips.bytes('standard'), limits, sampling)).frames.length, 24);
      assert.deepEqual(entries(), []);
    } finally {
      process.env['TMPDIR'] = tmpRoot;
      await tmpfs.dispose();
    }
  }
});

test('real corpus: a 512×512 talking-head clip', async (t) => {
  const file = corpusFile('KwaiVGI__LivePortrait/driving_d0.mp4');
  if (file === undefined) {
    t.skip('corpus absent: set SILENTID_DATA_DIR to the shared data folder');
    return;
  }
  const video = await loadVideo(await readFile(file), limits, sampling);
  assert.deepEqual([video.info.width, video.info.height, video.info.fps], [512, 512, 25]);
  assert.equal(video.frames.length, 25); // 3.12 s at 8 fps
  assert.equal(video.tooShort, false);
});

/**
 * An AbortSignal that aborts just after its nth listener is added: each child process
 * subscribes once right after it is spawned.
 */
function abortWhenSubscribed(n: number) {
  const controller = new AbortController();
  const signal = controller.signal;
  const subscribe = signal.addEventListener.bind(signal);
  let count = 0;
  let fired = false;
  signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    subscribe(...args);
    if (++count === n) {
      fired = true;
      setImmediate(() => controller.abort(new Error(`cancelled at listener ${n}`)));
    }
  }) as AbortSignal['addEventListener'];
  return { signal, abortOnListener: () => fired };
}
