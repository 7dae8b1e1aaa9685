import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../errors/api-error.js';
import { corpusDir } from '../testing/corpus.js';
import { VideoFixtures } from '../testing/make-videos.js';
import { resolveBinary } from './ffmpeg-binaries.js';
import { ffprobeSeconds, probeIsoBmff } from './probe-iso-bmff.js';
import { probeVideo, type ProbeOptions, type VideoInfo } from './probe-video.js';
import { sniffVideoContainer } from './sniff-container.js';

const fixtures = new VideoFixtures();
const dir = mkdtempSync(path.join(os.tmpdir(), 'probe-iso-bmff-'));
after(() => {
  fixtures.dispose();
  rmSync(dir, { recursive: true, force: true });
});
const options: ProbeOptions = { ffprobePath: resolveBinary('ffprobe').path, timeoutMs: 20_000 };

/**
 * The in-process answer must be ffprobe's, field by field, or a fallback (then ffprobe
 * answers anyway). Errors, too, must be the same.
 */
async function assertLikeFfprobe(file: string, expect?: 'probed' | 'fallback'): Promise<void> {
  const bytes = readFileSync(file);
  const container = sniffVideoContainer(bytes);
  const read = probeIsoBmff(bytes);
  if (expect !== undefined) {
    assert.equal(read.kind, expect, read.kind === 'fallback' ? read.reason : 'probed');
  }
  const [viaFfprobe, inProcess] = await Promise.all([
    settle(probeVideo(file, { ...options, container })),
    settle(probeVideo(file, { ...options, container, bytes })),
  ]);
  if (viaFfprobe instanceof ApiError || inProcess instanceof ApiError) {
    assert.deepEqual(outcome(inProcess), outcome(viaFfprobe));
    return;
  }
  for (const key of Object.keys(viaFfprobe) as (keyof VideoInfo)[]) {
    if (key !== 'fps') assert.equal(inProcess[key], viaFfprobe[key], key);
  }
  const [mine, theirs] = [inProcess.fps, viaFfprobe.fps];
  assert.ok(Math.abs(mine - theirs) <= 1e-6 * theirs, `fps ${mine} vs ${theirs}`);
}

const settle = (p: Promise<VideoInfo>): Promise<VideoInfo | ApiError> =>
  p.catch((e: unknown) => (e instanceof ApiError ? e : Promise.reject(e)));
const outcome = (e: unknown) =>
  e instanceof ApiError ? { code: e.code, message: e.message } : { value: e };

/** Makes a clip in the test folder; words are split on spaces, arrays (paths) kept whole. */
function ffmpeg(name: string, ...parts: (string | string[])[]): string {
  const args = parts.flatMap((p) => (typeof p === 'string' ? p.split(' ') : p));
  const out = path.join(dir, name);
  const run = spawnSync(resolveBinary('ffmpeg').path, ['-v', 'error', '-y', ...args, out], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`ffmpeg ${name}: ${run.stderr}`);
  return out;
}

const input = (file: string) => ['-i', file];
const pattern = (size = '320x240', rate = '25') =>
  `-f lavfi -i testsrc=size=${size}:rate=${rate} -t 3`;
const tone = '-f lavfi -i sine=frequency=440 -t 3';
const x264 = '-c:v libx264 -preset ultrafast -pix_fmt yuv420p';
const x265 = '-c:v libx265 -preset ultrafast -x265-params log-level=error';
const bt2020 = (transfer: string) =>
  `-color_primaries bt2020 -color_trc ${transfer} -colorspace bt2020nc`;
const hlgH264 = () => ffmpeg('h264-hlg.mp4', pattern(), x264, bt2020('arib-std-b67'));
const pqH264 = () =>
  ffmpeg(
    'h264-pq10.mp4',
    pattern(),
    '-c:v libx264 -preset ultrafast -pix_fmt yuv420p10le',
    bt2020('smpte2084'),
  );

test('real corpus: every video reads as ffprobe reads it, or falls back', async (t) => {
  const files = videosUnder(corpusDir);
  if (files.length === 0) {
    t.skip('corpus absent: set SILENTID_DATA_DIR to the shared data folder');
    return;
  }
  for (const file of files) {
    await t.test(path.relative(corpusDir, file), () => assertLikeFfprobe(file));
  }
  // The plain phone/encoder output is what the in-process reader is for.
  const probed = files.filter((f) => probeIsoBmff(readFileSync(f)).kind === 'probed');
  assert.ok(
    probed.length >= files.length / 2,
    `${probed.length} of ${files.length} read in process`,
  );
});

test('generated clips: containers, rotations, index position, track order', async (t) => {
  const standard = fixtures.file('standard');
  const clips: [string, string, 'probed' | 'fallback'][] = [
    ['moov at the end', standard, 'probed'],
    ['+faststart', fixtures.file('faststart'), 'probed'],
    ['rotate=90', fixtures.file('rotated'), 'probed'],
    [
      'rotate=180',
      ffmpeg('r180.mp4', input(standard), '-c copy -metadata:s:v rotate=180'),
      'probed',
    ],
    [
      'rotate=270',
      ffmpeg('r270.mp4', input(standard), '-c copy -metadata:s:v rotate=270'),
      'probed',
    ],
    ['MOV', ffmpeg('plain.mov', pattern(), x264), 'probed'],
    [
      'MOV rotated',
      ffmpeg('r90.mov', input(path.join(dir, 'plain.mov')), '-c copy -metadata:s:v rotate=90'),
      'probed',
    ],
    [
      'audio track first',
      ffmpeg('audio-first.mp4', pattern(), tone, '-map 1:a -map 0:v', x264, '-c:a aac'),
      'probed',
    ],
    [
      'B-frames, AAC priming: edit lists',
      ffmpeg(
        'bframes.mp4',
        pattern('318x238', '30000/1001'),
        tone,
        '-c:v libx264 -pix_fmt yuv420p -c:a aac',
      ),
      'probed',
    ],
    [
      'an empty edit: video starts late',
      ffmpeg(
        'late.mp4',
        '-itsoffset 0.5',
        input(standard),
        tone,
        '-map 0:v -map 1:a -c:v copy -c:a aac',
      ),
      'probed',
    ],
    ['HEVC, hev1', ffmpeg('hevc.mp4', pattern('322x242'), x265), 'probed'],
    ['HEVC, hvc1 in MOV', ffmpeg('hevc.mov', pattern(), x265, '-tag:v hvc1'), 'probed'],
    ['H.264 tagged HLG in its VUI', hlgH264(), 'probed'],
    ['H.264 High 10 tagged PQ', pqH264(), 'probed'],
    ['HEVC Main 10, HLG: its VUI is not read here', fixtures.file('hlg'), 'fallback'],
    [
      'H.264 4:2:2, 90 kHz',
      ffmpeg(
        'h422.mp4',
        pattern('320x240', '24000/1001'),
        '-c:v libx264 -pix_fmt yuv422p -video_track_timescale 90000',
      ),
      'probed',
    ],
    ['truncated, index kept', fixtures.file('truncatedFaststart'), 'probed'],
    ['truncated, index lost', fixtures.file('truncated'), 'fallback'],
    [
      'fragmented',
      ffmpeg('frag.mp4', pattern(), x264, '-movflags frag_keyframe+empty_moov'),
      'fallback',
    ],
    ['WebM', fixtures.file('streamedWebm'), 'fallback'],
    ['audio only', fixtures.file('audioOnly'), 'fallback'],
    ['MPEG-4 part 2', ffmpeg('mpeg4.mp4', pattern(), '-c:v mpeg4'), 'fallback'],
    [
      'cover art adds a stream',
      ffmpeg(
        'covr.mp4',
        input(standard),
        input(ffmpeg('cover.jpg', input(standard), '-frames:v 1')),
        '-map 0 -map 1 -c copy -disposition:v:1 attached_pic',
      ),
      'fallback',
    ],
    [
      'AAC in MOV: sound description v1',
      ffmpeg('av.mov', pattern(), tone, x264, '-c:a aac'),
      'fallback',
    ],
  ];
  for (const [name, file, expect] of clips)
    await t.test(name, () => assertLikeFfprobe(file, expect));
});

test('HDR read in process: the VUI transfer, as ffprobe reads it', async () => {
  for (const [file, range] of [
    [hlgH264(), 'hlg'],
    [pqH264(), 'pq'],
    [fixtures.file('standard'), 'sdr'],
  ] as const) {
    const bytes = readFileSync(file);
    assert.equal(probeIsoBmff(bytes).kind, 'probed');
    const info = await probeVideo(file, { ...options, container: 'mov', bytes });
    assert.equal(info.dynamicRange, range, path.basename(file));
  }
});

test('edited boxes: timing edge cases read exactly, anything stray falls back', async (t) => {
  const standard = readFileSync(fixtures.file('standard'));
  const variant = (name: string, edit: (b: Buffer) => Buffer | void) => {
    const bytes = Buffer.from(standard);
    const file = path.join(dir, `${name}.mp4`);
    writeFileSync(file, edit(bytes) ?? bytes);
    return file;
  };
  const video = ['moov', 'trak'];
  const stbl = [...video, 'mdia', 'minf', 'stbl'];
  const cases: [string, string, 'probed' | 'fallback'][] = [
    // The stream's duration is the shorter of the media's and the edits'.
    [
      'edit shorter than the media',
      variant(
        'short-edit',
        (b) => void b.writeUInt32BE(2000, box(b, [...video, 'edts', 'elst']).body + 8),
      ),
      'probed',
    ],
    [
      'media longer than the samples',
      variant(
        'long-media',
        (b) => void b.writeUInt32BE(12800 * 5, box(b, [...video, 'mdia', 'mdhd']).body + 16),
      ),
      'probed',
    ],
    ['display matrix at 30°', variant('rot30', (b) => void matrix(b, 30)), 'probed'],
    [
      'display matrix where libm rounding decides',
      variant('rot315', (b) => void matrix(b, 315)),
      'fallback',
    ],
    [
      'sample description disagrees with the SPS',
      variant(
        'wrong-size',
        (b) => void b.writeUInt16BE(330, box(b, [...stbl, 'stsd']).body + 8 + 32),
      ),
      'fallback',
    ],
    [
      'a timing table hidden in udta',
      variant('stray-stts', (b) =>
        intoUdta(b, 'stts', Buffer.from('000000000000000100000001000000ff', 'hex')),
      ),
      'fallback',
    ],
    [
      'a handler hidden in udta',
      variant('stray-hdlr', (b) =>
        intoUdta(
          b,
          'hdlr',
          Buffer.from(
            `00000000${'0'.repeat(8)}${Buffer.from('vide').toString('hex')}${'0'.repeat(26)}`,
            'hex',
          ),
        ),
      ),
      'fallback',
    ],
    [
      'stts delta with the top bit set',
      variant(
        'stts-neg',
        (b) => void b.writeUInt32BE(0x80000200, box(b, [...stbl, 'stts']).body + 12),
      ),
      'fallback',
    ],
    [
      'stts count larger than its box',
      variant(
        'stts-count',
        (b) => void b.writeUInt32BE(0x7fffffff, box(b, [...stbl, 'stts']).body + 4),
      ),
      'fallback',
    ],
  ];
  for (const [name, file, expect] of cases)
    await t.test(name, () => assertLikeFfprobe(file, expect));
});

test('lying headers cost neither memory nor time', () => {
  const standard = readFileSync(fixtures.file('standard'));
  const interleaved = readFileSync(path.join(dir, 'late.mp4'));
  const lies: [string, Buffer, (b: Buffer) => Buffer | void, string][] = [
    // mp4box would build an array as long as a constant-size stsz claims.
    [
      'constant stsz of 2^32 samples',
      standard,
      (b) => stszHeader(b, 1000, 0xfffffff0),
      'sample count',
    ],
    ['chunks that all overlap', interleaved, overlapChunks, 'samples overlap'],
    [
      '8 MiB of metadata',
      standard,
      (b) => intoUdta(b, 'junk', Buffer.alloc(8 << 20)),
      'metadata too large',
    ],
  ];
  for (const [name, source, lie, reason] of lies) {
    const bytes = Buffer.from(source);
    const edited = lie(bytes) ?? bytes;
    // CPU time, not wall time: a loaded machine stretches the one, not the other. The
    // bound is ~100× what an early bail-out costs; a reader that walks 2^32 samples or
    // copies 8 MiB per box would blow it on any machine.
    const started = process.cpuUsage();
    assert.deepEqual(probeIsoBmff(edited), { kind: 'fallback', reason }, name);
    const { user, system } = process.cpuUsage(started);
    assert.ok(user + system < 1_000_000, `${name} took ${(user + system) / 1000} ms of CPU`);
  }
  for (const garbage of [new Uint8Array(), Buffer.from('ftypisom'), randomBytes(1 << 16, 7)]) {
    assert.equal(probeIsoBmff(garbage).kind, 'fallback');
  }
});

test('random damage to the index: ffprobe agrees whenever the reader answers', async () => {
  const sources = ['bframes.mp4', 'late.mp4', 'hevc.mp4'].map((f) =>
    readFileSync(path.join(dir, f)),
  );
  let seed = 20250101;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let n = 0; n < 48; n++) {
    const bytes = Buffer.from(sources[n % sources.length]!);
    const moov = box(bytes, ['moov']);
    for (let k = 0; k < 2; k++) {
      const at = moov.body + Math.floor(next() * (moov.end - moov.body - 4));
      if (next() < 0.5) bytes[at] = bytes[at]! ^ (1 << Math.floor(next() * 8));
      else bytes.writeUInt32BE([0, 1, 0xffffffff, 0x80000000, 1000][Math.floor(next() * 5)]!, at);
    }
    if (probeIsoBmff(bytes).kind === 'fallback') continue;
    const file = path.join(dir, `damaged-${n}.mp4`);
    writeFileSync(file, bytes);
    await assertLikeFfprobe(file);
  }
});

test('seconds are printed as C printf("%f") prints them: half to even on the exact value', () => {
  assert.equal(ffprobeSeconds(100n, 12800n), '0.007812'); // 0.0078125 exactly
  assert.equal(ffprobeSeconds(300n, 12800n), '0.023438'); // 0.0234375 exactly
  assert.equal(ffprobeSeconds(38400n, 12800n), '3.000000');
  assert.equal(ffprobeSeconds(110000n, 11988n), '9.175843');
  assert.equal(ffprobeSeconds(2202n, 30000n), '0.073400');
  assert.equal(ffprobeSeconds(73396n, 1_000_000n), '0.073396');
});

/** Every video file under a folder, by extension (the corpus keeps originals' names). */
function videosUnder(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.(mp4|m4v|mov|3gp|webm|mkv|avi)$/i.test(n))
    .map((n) => path.join(root, n))
    .filter((f) => statSync(f).isFile())
    .sort();
}

interface Found {
  readonly start: number;
  readonly body: number;
  readonly end: number;
}

/** The first box at a path of types, in a file of plain 32-bit boxes. */
function box(bytes: Buffer, types: readonly string[], from = 0, to = bytes.length): Found {
  for (let at = from; at + 8 <= to; at += bytes.readUInt32BE(at)) {
    if (bytes.toString('latin1', at + 4, at + 8) !== types[0]) continue;
    const found = { start: at, body: at + 8, end: at + bytes.readUInt32BE(at) };
    return types.length === 1 ? found : box(bytes, types.slice(1), found.body, found.end);
  }
  throw new Error(`no ${types.join('/')}`);
}

/** Appends a box to the moov's udta; the moov is last (moov at the end), so nothing moves. */
function intoUdta(bytes: Buffer, type: string, payload: Buffer): Buffer {
  const moov = box(bytes, ['moov']);
  const udta = box(bytes, ['moov', 'udta']);
  const added = Buffer.alloc(8 + payload.length);
  added.writeUInt32BE(added.length);
  added.write(type, 4, 'latin1');
  payload.copy(added, 8);
  const out = Buffer.concat([bytes.subarray(0, udta.end), added, bytes.subarray(udta.end)]);
  out.writeUInt32BE(udta.end - udta.start + added.length, udta.start);
  out.writeUInt32BE(moov.end - moov.start + added.length, moov.start);
  return out;
}

/** Turns the video track by `degrees` (counter-clockwise as displayed) in its tkhd. */
function matrix(bytes: Buffer, degrees: number): void {
  const tkhd = box(bytes, ['moov', 'trak', 'tkhd']);
  const [c, s] = [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
  const values = [c, s, 0, -s, c, 0].map((v) => Math.round(v * 65536));
  values.forEach((v, i) => bytes.writeInt32BE(v, tkhd.body + 40 + 4 * i));
}

/** Rewrites the video's stsz header: one size for every sample, and a sample count. */
function stszHeader(bytes: Buffer, size: number, count: number): void {
  const stsz = box(bytes, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsz']);
  bytes.writeUInt32BE(size, stsz.body + 4);
  bytes.writeUInt32BE(count, stsz.body + 8);
}

/** Points every video chunk at the same bytes and makes each sample half the file long. */
function overlapChunks(bytes: Buffer): void {
  const stbl = ['moov', 'trak', 'mdia', 'minf', 'stbl'];
  const count = bytes.readUInt32BE(box(bytes, [...stbl, 'stsz']).body + 8);
  stszHeader(bytes, bytes.length >> 1, count);
  const stco = box(bytes, [...stbl, 'stco']);
  const first = bytes.readUInt32BE(stco.body + 8);
  for (let at = stco.body + 12; at < stco.end; at += 4) bytes.writeUInt32BE(first, at);
}

function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 23;
  return out;
}
