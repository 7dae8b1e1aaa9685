/**
 * Reads an MP4/MOV's facts from its `moov` in process and answers them as ffprobe 5.1
 * prints them, so that the common upload costs no ffprobe start-up (decision 0014). Only
 * plain, well-formed files are answered: anything this cannot decide with certainty is a
 * `fallback`, and the caller runs ffprobe as before, its errors included.
 */
import { BoxParser, createFile, MP4BoxBuffer, type Box } from 'mp4box';
import type { ProbeOutput } from './probe-output.js';

export type IsoBmffProbe =
  | { readonly kind: 'probed'; readonly output: ProbeOutput }
  | { readonly kind: 'fallback'; readonly reason: string };

/** ffprobe's answer for the streams up to the first video stream, and the format's start. */
export function probeIsoBmff(bytes: Uint8Array): IsoBmffProbe {
  try {
    return { kind: 'probed', output: probeMovie(bytes) };
  } catch (err) {
    // Whatever the input, the worst outcome is ffprobe doing the work, as before.
    const reason = err instanceof Undecided ? err.message : `parse error: ${String(err)}`;
    return { kind: 'fallback', reason };
  }
}

class Undecided extends Error {}
function undecided(reason: string): never {
  throw new Undecided(reason);
}

type Entries = (typeof BoxParser)['sampleEntry'];
type VisualEntry = InstanceType<Entries['avc1']> | InstanceType<Entries['hvc1']>;

interface BoxRef {
  readonly type: string;
  /** File offsets: the header, the payload, one past the end. */
  readonly start: number;
  readonly body: number;
  readonly end: number;
}

/** What this reader checked, by box start; the census then refuses anything else. */
type Approved = Map<number, BoxRef>;

interface Track {
  readonly index: number;
  readonly isVideo: boolean;
  readonly timescale: bigint;
  readonly mediaDuration: bigint;
  readonly edits: readonly { duration: bigint; mediaTime: number }[] | undefined;
  readonly frames: number;
  readonly sampleDuration: bigint;
  readonly firstCompositionOffset: number;
  readonly matrix: ArrayLike<number>;
  readonly video: VideoTrack | undefined;
}

interface VideoTrack {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  /** ffprobe's name for the stream's transfer characteristic, where the reader knows it. */
  readonly transfer: string | undefined;
}

interface SampleTable {
  readonly count: number;
  readonly sizeOf: (sample: number) => number;
  readonly chunkOffsets: readonly number[];
  readonly chunkFirsts: readonly number[];
  readonly chunkSamples: readonly number[];
}

const INT_MAX = 2 ** 31 - 1;
const MAX_CHILDREN = 1024;
/** Over an hour of 30 fps video or 45 minutes of 48 kHz AAC; bounds every loop over samples. */
const MAX_SAMPLES = 1 << 17;
/** Metadata outside the sample tables; real files carry a few kilobytes. */
const MAX_CENSUS_BYTES = 1 << 20;
const tables = ['stts', 'ctts', 'stsc', 'stsz', 'stco', 'co64', 'stss', 'stps', 'sdtp', 'sbgp'];
/** Boxes ffmpeg reads as numbers: box-like bytes inside them are never parsed as boxes. */
const numeric = [...tables, 'sgpd', 'elst'];

function probeMovie(bytes: Uint8Array): ProbeOutput {
  const moov = fileLevel(bytes);
  const approved: Approved = new Map();
  const kids = children(bytes, moov, ['mvhd', 'trak', 'udta', 'meta', 'iods', 'free', 'skip']);
  const types = kids.map((b) => b.type);
  if (types.includes('trak') && types.indexOf('trak') < types.indexOf('mvhd')) {
    undecided('mvhd after a trak'); // the tracks' matrices and edits need the movie's
  }
  const mvhd = parse(bytes, one(kids, 'mvhd'), BoxParser.box.mvhd, approved);
  const movieTimescale = BigInt(mvhd.timescale);
  if (mvhd.version > 1 || movieTimescale < 1n || movieTimescale > INT_MAX) undecided('mvhd');
  const tracks = kids
    .filter((b) => b.type === 'trak')
    .map((trak, index) => readTrack(bytes, trak, index, approved));
  for (const box of kids)
    if (box.type === 'udta' || box.type === 'meta') metadata(bytes, box, approved);
  census(bytes, moov, approved);

  // Only audio may come first: ffprobe types any other track from its codec.
  const video = tracks.find((t) => t.isVideo);
  if (video?.video === undefined) return undecided('no video track');
  const { codec, width, height, transfer } = video.video;
  // Audio without edits takes its start from its first packet, if ffprobe reads one
  // before it stops (a truncated file, a long lead of video): certain only where the
  // other tracks start at 0 anyway.
  const fromPackets = (t: Track) => !t.isVideo && t.edits === undefined;
  const starts = tracks
    .filter((t) => !fromPackets(t))
    .map((t) => rescale(trackStart(t, movieTimescale), 1_000_000n, t.timescale));
  const formatStart = starts.reduce((a, b) => (b < a ? b : a));
  if (formatStart > 0n && tracks.some(fromPackets)) undecided('audio start read from packets');
  const rotation = displayRotation(mvhd.matrix, video.matrix);
  return {
    streams: tracks.slice(0, video.index + 1).map((t) =>
      t !== video
        ? { index: t.index, codec_type: 'audio' }
        : {
            index: t.index,
            codec_type: 'video',
            codec_name: codec,
            width,
            height,
            ...(transfer === undefined ? {} : { color_transfer: transfer }),
            duration: ffprobeSeconds(videoDuration(t, movieTimescale), t.timescale),
            start_time: ffprobeSeconds(trackStart(t, movieTimescale), t.timescale),
            avg_frame_rate: averageFrameRate(t),
            disposition: { attached_pic: 0 },
            ...(rotation === undefined ? {} : { side_data_list: [{ rotation }] }),
          },
    ),
    format: { start_time: ffprobeSeconds(formatStart, 1_000_000n) },
  };
}

/** The one `moov` of a file made of plain top-level boxes (no fragments, no previews). */
function fileLevel(bytes: Uint8Array): BoxRef {
  const top = readBoxes(bytes, 0, bytes.length, { file: true });
  const at = (type: string) => top.findIndex((b) => b.type === type);
  const allowed = ['ftyp', 'free', 'skip', 'wide', 'mdat', 'moov', 'uuid'];
  const other = top.find((b) => !allowed.includes(b.type));
  if (other !== undefined) undecided(`top-level ${show(other.type)}`);
  const moovs = top.filter((b) => b.type === 'moov');
  if (moovs.length !== 1) undecided(`${moovs.length} moov boxes`);
  // A uuid after the moov describes the last track (ffmpeg's mov_read_uuid); one before, nothing.
  if (top.findLastIndex((b) => b.type === 'uuid') > at('moov')) undecided('uuid after moov');
  const ftyps = top.filter((b) => b.type === 'ftyp');
  if (
    ftyps.length > 1 ||
    (ftyps.length === 1 && (ftyps[0]!.end - ftyps[0]!.body < 8 || at('ftyp') > at('moov')))
  ) {
    undecided('ftyp');
  }
  return moovs[0]!;
}

function readTrack(bytes: Uint8Array, trak: BoxRef, index: number, approved: Approved): Track {
  approve(trak, approved);
  const kids = children(bytes, trak, [
    'tkhd',
    'edts',
    'mdia',
    'tref',
    'udta',
    'meta',
    'tapt',
    'free',
    'skip',
  ]);
  const tkhd = parse(bytes, one(kids, 'tkhd'), BoxParser.box.tkhd, approved);
  const mdia = children(bytes, approve(one(kids, 'mdia'), approved), [
    'mdhd',
    'hdlr',
    'minf',
    'udta',
    'elng',
    'free',
    'skip',
  ]);
  // ffmpeg reads in order: the handler must type the stream before its sample description.
  const order = mdia.map((b) => b.type);
  if (order.indexOf('minf') < Math.max(order.indexOf('mdhd'), order.indexOf('hdlr'))) {
    undecided('mdia out of order');
  }
  const mdhd = parse(bytes, one(mdia, 'mdhd'), BoxParser.box.mdhd, approved);
  const hdlr = parse(bytes, one(mdia, 'hdlr'), BoxParser.box.hdlr, approved);
  if (hdlr.version !== 0 || (hdlr.handler !== 'vide' && hdlr.handler !== 'soun')) {
    undecided(`handler ${show(hdlr.handler)}`);
  }
  const isVideo = hdlr.handler === 'vide';
  const timescale = BigInt(mdhd.timescale);
  const mediaDuration = BigInt(mdhd.duration);
  const longest = mdhd.version === 1 ? BigInt(Number.MAX_SAFE_INTEGER) : 2n ** 32n - 2n;
  if (mdhd.version > 1 || timescale < 1n || timescale > INT_MAX) undecided('mdhd timescale');
  if (mediaDuration < 1n || mediaDuration > longest) undecided('mdhd duration');
  for (const box of [...kids, ...mdia])
    if (box.type === 'udta' || box.type === 'meta') metadata(bytes, box, approved);

  const minfRef = approve(one(mdia, 'minf'), approved);
  const minf = children(bytes, minfRef, ['vmhd', 'smhd', 'dinf', 'stbl', 'hdlr', 'free', 'skip']);
  const dinf = optional(minf, 'dinf');
  if (dinf !== undefined) checkDataReferences(bytes, dinf, approved);
  const stblRef = approve(one(minf, 'stbl'), approved);
  const stbl = children(bytes, stblRef, ['stsd', ...tables, 'sgpd', 'free', 'skip']);
  for (const box of stbl)
    if (tables.includes(box.type) || box.type === 'sgpd') approve(box, approved);
  checkSampleGroups(bytes, stbl);

  const samples = readSampleTable(bytes, stbl, approved);
  const stts = parse(bytes, one(stbl, 'stts'), BoxParser.box.stts, approved);
  const frames = stts.sample_counts.reduce((a, b) => a + b, 0);
  if (frames !== samples.count) undecided('stts and stsz disagree');
  // Raw PCM is indexed by chunks, not samples: another code path, not copied here.
  if (!isVideo && stts.sample_deltas.length === 1 && stts.sample_deltas[0] === 1) undecided('PCM');
  const cttsRef = optional(stbl, 'ctts');
  const ctts = cttsRef && parse(bytes, cttsRef, BoxParser.box.ctts, approved);
  if (ctts !== undefined && (ctts.version > 1 || !isVideo)) undecided('ctts');
  // Offsets this large make ffmpeg drop the whole table.
  if (ctts?.sample_offsets.some((o) => Math.abs(o) >= 2 ** 28)) undecided('ctts offset');

  const stsd = approve(one(stbl, 'stsd'), approved);
  return {
    index,
    isVideo,
    timescale,
    mediaDuration,
    edits: readEdits(bytes, kids, approved),
    frames,
    sampleDuration: stts.sample_counts.reduce(
      (sum, count, i) => sum + BigInt(count) * BigInt(stts.sample_deltas[i]!),
      0n,
    ),
    firstCompositionOffset:
      ctts?.sample_offsets.find((_, i) => (ctts.sample_counts[i]! | 0) > 0) ?? 0,
    matrix: tkhd.matrix,
    video: isVideo ? videoCodec(bytes, stsd, samples, approved) : audioCodec(bytes, stsd, approved),
  };
}

function readEdits(bytes: Uint8Array, trak: readonly BoxRef[], approved: Approved): Track['edits'] {
  const edts = optional(trak, 'edts');
  if (edts === undefined) return undefined;
  const elstRef = one(children(bytes, approve(edts, approved), ['elst']), 'elst');
  const elst = parse(bytes, elstRef, BoxParser.box.elst, approved);
  // ffmpeg replaces a count that disagrees with the box size; mp4box trusts it.
  const entrySize = elst.version === 1 ? 20 : 12;
  if (elst.version > 1 || elstRef.end - elstRef.body !== 8 + elst.entries.length * entrySize) {
    undecided('elst size');
  }
  const edits = elst.entries.map((e) => {
    const plain = e.media_rate_integer === 1 && e.media_rate_fraction === 0;
    if (!plain || e.media_time < -1 || e.segment_duration > Number.MAX_SAFE_INTEGER) {
      undecided('unusual edit');
    }
    return { duration: BigInt(e.segment_duration), mediaTime: e.media_time };
  });
  return edits.length > 0 ? edits : undefined;
}

function readSampleTable(
  bytes: Uint8Array,
  stbl: readonly BoxRef[],
  approved: Approved,
): SampleTable {
  for (const box of stbl) {
    // mp4box reads these for version 0 only; ffmpeg ignores the version.
    if (['stts', 'stsc', 'stsz', 'stco', 'co64'].includes(box.type) && bytes[box.body] !== 0) {
      undecided(`${box.type} version`);
    }
  }
  const stsc = parse(bytes, one(stbl, 'stsc'), BoxParser.box.stsc, approved);
  const stco = optional(stbl, 'stco');
  const co64 = optional(stbl, 'co64');
  if ((stco === undefined) === (co64 === undefined)) undecided('not one chunk table');
  const chunkOffsets = stco
    ? parse(bytes, stco, BoxParser.box.stco, approved).chunk_offsets
    : parse(bytes, co64!, BoxParser.box.co64, approved).chunk_offsets;
  // mp4box turns stts deltas with the top bit set into 1; ffmpeg clips or corrects them.
  const sttsRef = one(stbl, 'stts');
  for (let at = sttsRef.body + 12; at + 4 <= sttsRef.end; at += 8) {
    if (u32(bytes, at) >= 2 ** 31) undecided('stts delta above 2^31');
  }

  // A constant size would make mp4box build an array as long as the claimed count.
  const stsz = one(stbl, 'stsz');
  const constant = u32(bytes, stsz.body + 4);
  const count = u32(bytes, stsz.body + 8);
  if (count < 1 || count > MAX_SAMPLES) undecided('sample count');
  let sizeOf = (_sample: number) => constant;
  if (constant === 0) {
    const sizes = parse(bytes, stsz, BoxParser.box.stsz, approved).sample_sizes;
    if (sizes.length !== count || sizes.some((s) => s > 0x3fffffff)) undecided('stsz');
    sizeOf = (sample) => sizes[sample]!;
  } else if (constant > 0x3fffffff) undecided('sample size');

  // ffmpeg indexes chunk by chunk; any inconsistency stops its index short.
  const firsts = stsc.first_chunk;
  const perChunk = stsc.samples_per_chunk;
  const chunks = chunkOffsets.length;
  if (chunks < 1 || firsts.length < 1 || firsts[0] !== 1) undecided('sample tables');
  let total = 0;
  for (let i = 0; i < firsts.length; i++) {
    const next = i + 1 < firsts.length ? firsts[i + 1]! : chunks + 1;
    const valid = next > firsts[i]! && perChunk[i]! >= 1 && stsc.sample_description_index[i] === 1;
    if (!valid || next > chunks + 1) undecided('stsc');
    total += (next - firsts[i]!) * perChunk[i]!;
    if (total > count) undecided('stsc and stsz disagree');
  }
  if (total !== count) undecided('stsc and stsz disagree');
  return { count, sizeOf, chunkOffsets, chunkFirsts: firsts, chunkSamples: perChunk };
}

/** The stream's start_time in its timescale, as mov_build_index and mov_fix_index set it. */
function trackStart(track: Track, movieTimescale: bigint): bigint {
  if (track.edits === undefined) {
    // Without edits video starts at its first presentation time, audio at its first packet.
    return track.isVideo ? BigInt(track.firstCompositionOffset) : 0n;
  }
  let empty = 0n;
  for (const edit of track.edits) {
    if (edit.mediaTime !== -1) break;
    empty += rescale(edit.duration, track.timescale, movieTimescale);
  }
  return empty;
}

/** mdhd's duration, shortened to the samples' and then to all the edits' total. */
function videoDuration(track: Track, movieTimescale: bigint): bigint {
  let duration = track.mediaDuration;
  if (track.sampleDuration > 0n && track.sampleDuration < duration) duration = track.sampleDuration;
  if (track.edits !== undefined) {
    const edited = track.edits
      .map((e) => rescale(e.duration, track.timescale, movieTimescale))
      .reduce((a, b) => a + b, 0n);
    if (edited < duration) duration = edited;
  }
  return duration;
}

/** avg_frame_rate: timescale × frames / duration, reduced as av_reduce does. */
function averageFrameRate(track: Track): string {
  const frames = BigInt(track.frames);
  if (frames > INT_MAX || track.sampleDuration < 1n) undecided('no frame rate');
  let num = track.timescale * frames;
  let den = track.sampleDuration;
  const divisor = gcd(num, den);
  num /= divisor;
  den /= divisor;
  // Past INT_MAX av_reduce approximates; past 1000 fps probe-video reads r_frame_rate.
  const fps = Number(num) / Number(den);
  if (num > INT_MAX || den > INT_MAX || !(fps > 0 && fps <= 1000)) undecided('frame rate');
  return `${num}/${den}`;
}

/**
 * An H.264 or HEVC track's codec, size and transfer. ffprobe reports the decoder's size,
 * from the parameter sets: the answer is certain only where the sample description agrees.
 */
function videoCodec(
  bytes: Uint8Array,
  stsd: BoxRef,
  samples: SampleTable,
  approved: Approved,
): Track['video'] {
  const entryRef = sampleEntry(bytes, stsd);
  const codec = ({ avc1: 'h264', hvc1: 'hevc', hev1: 'hevc' } as const)[entryRef.type];
  if (codec === undefined) undecided(`codec ${show(entryRef.type)}`);
  const configType = codec === 'h264' ? 'avcC' : 'hvcC';
  // Leaves only: mp4box would walk a container's children (and log the odd ones).
  const kids = readBoxes(bytes, entryRef.body + 78, entryRef.end);
  allowOnly(kids, [configType, 'pasp', 'btrt', 'colr', 'fiel', 'free'], entryRef.type);
  approve(one(kids, configType), approved);
  const entry = parse(bytes, stsd, BoxParser.box.stsd, approved).entries[0] as
    VisualEntry | undefined;
  // A depth of 8 bits or less makes ffmpeg read a palette from the description.
  if (entry?.type !== entryRef.type || entry.depth !== 24) undecided('sample description');

  let sps: Uint8Array;
  let lengthSize: number;
  let facts: SpsFacts;
  let isSps: (nal: Uint8Array) => boolean;
  const avcC = codec === 'h264' && 'avcC' in entry ? entry.avcC : undefined;
  const hvcC = codec === 'hevc' && 'hvcC' in entry ? entry.hvcC : undefined;
  if (avcC !== undefined && avcC.configurationVersion === 1 && avcC.SPS.length === 1) {
    sps = avcC.SPS[0]!.data;
    lengthSize = avcC.lengthSizeMinusOne + 1;
    facts = readH264Sps(sps);
    isSps = (nal) => (nal[0]! & 0x1f) === 7;
  } else if (hvcC !== undefined && hvcC.configurationVersion === 1) {
    const all = hvcC.nalu_arrays.filter((a) => a.nalu_type === 33).flat();
    if (all.length !== 1) undecided('not one SPS');
    sps = all[0]!.data;
    lengthSize = hvcC.lengthSizeMinusOne + 1;
    facts = readHevcSps(sps);
    isSps = (nal) => ((nal[0]! >> 1) & 0x3f) === 33;
  } else {
    return undecided('decoder configuration');
  }
  if (facts.width !== entry.width || facts.height !== entry.height) {
    undecided('sample description and SPS sizes differ');
  }
  checkInBandSps(bytes, samples, lengthSize, (nal) => isSps(nal) && !equal(nal, sps));
  return {
    codec,
    width: facts.width,
    height: facts.height,
    transfer: transferName(facts, colrTransfer(bytes, optional(kids, 'colr'))),
  };
}

/** An audio track ffprobe can open a decoder for: AAC-LC with a plain configuration. */
function audioCodec(bytes: Uint8Array, stsd: BoxRef, approved: Approved): undefined {
  const entry = sampleEntry(bytes, stsd);
  // Sound description version 0: later versions add fields ffmpeg reads or not by brand.
  if (entry.type !== 'mp4a' || entry.end - entry.body < 28 || u16(bytes, entry.body + 8) !== 0) {
    undecided(`audio ${show(entry.type)}`);
  }
  const kids = readBoxes(bytes, entry.body + 28, entry.end);
  allowOnly(kids, ['esds', 'chan', 'btrt', 'free'], 'mp4a');
  const esds = approve(one(kids, 'esds'), approved);
  // Read in ffmpeg's order (ff_mov_read_esds), each descriptor's length only advisory.
  let at = esds.body + 4;
  const byte = () => (at < esds.end ? bytes[at++]! : undecided('esds truncated'));
  let length = 0;
  const descriptor = () => {
    const tag = byte();
    length = 0;
    for (let i = 0, c = 0x80; i < 4 && c & 0x80; i++)
      length = (length << 7) | ((c = byte()) & 0x7f);
    return tag;
  };
  if (descriptor() === 0x03) {
    at += 2;
    const flags = byte();
    if (flags & 0x80) at += 2;
    if (flags & 0x40) at += byte();
    if (flags & 0x20) at += 2;
  } else at += 2;
  if (descriptor() !== 0x04 || byte() !== 0x40) undecided('not MPEG-4 audio');
  at += 12;
  if (descriptor() !== 0x05 || length < 2 || at + length > esds.end) undecided('no AAC config');
  // AAC-LC (object type 2), a tabled rate, 1–7 channels, 1024-sample frames, no extensions.
  const config = (byte() << 8) | byte();
  const [type, rate, channels, rest] = [
    config >> 11,
    (config >> 7) & 15,
    (config >> 3) & 15,
    config & 7,
  ];
  if (type !== 2 || rate > 12 || channels < 1 || channels > 7 || rest !== 0)
    undecided('AAC config');
  return undefined;
}

function sampleEntry(bytes: Uint8Array, stsd: BoxRef): BoxRef {
  const entries = readBoxes(bytes, stsd.body + 8, stsd.end, { plain: true });
  if (u32(bytes, stsd.body + 4) !== 1 || entries.length !== 1) undecided('not one sample entry');
  // mp4box logs an unprintable type to the console before giving up.
  if (!/^[\x20-\x7e]{4}$/.test(entries[0]!.type)) undecided('unprintable sample entry');
  return entries[0]!;
}

/** Any parameter set inside the samples that differs from the configuration's is a doubt. */
function checkInBandSps(
  bytes: Uint8Array,
  table: SampleTable,
  lengthSize: number,
  differs: (nal: Uint8Array) => boolean,
): void {
  let budget = bytes.length; // overlapping samples must not multiply the work
  let sample = 0;
  for (let i = 0; i < table.chunkFirsts.length; i++) {
    const lastChunk = (table.chunkFirsts[i + 1] ?? table.chunkOffsets.length + 1) - 1;
    for (let chunk = table.chunkFirsts[i]!; chunk <= lastChunk; chunk++) {
      let at = table.chunkOffsets[chunk - 1]!;
      for (let k = 0; k < table.chunkSamples[i]!; k++, sample++) {
        const end = Math.min(at + table.sizeOf(sample), bytes.length);
        budget -= Math.max(0, end - at);
        if (budget < 0) undecided('samples overlap');
        for (let nal = at; nal + lengthSize < end;) {
          let length = 0;
          for (let b = 0; b < lengthSize; b++) length = length * 256 + bytes[nal + b]!;
          const body = nal + lengthSize;
          if (differs(bytes.subarray(body, Math.min(body + length, end)))) undecided('in-band SPS');
          nal = body + length;
        }
        at += table.sizeOf(sample);
      }
    }
  }
}

/** What the readers below take from a sequence parameter set. */
interface SpsFacts {
  readonly width: number;
  readonly height: number;
  /** Whether the VUI was read (H.264); HEVC's sits behind fields not parsed here. */
  readonly vuiRead: boolean;
  /** The VUI's transfer characteristic (ISO/IEC 23091-2 code), when it describes colour. */
  readonly vuiTransfer: number | undefined;
  /** Samples of more than 8 bits, as HDR video has. */
  readonly deep: boolean;
}

/**
 * The size an H.264 decoder outputs (the checks of ffmpeg's h264_ps.c) and the transfer in
 * the VUI, from the SPS.
 */
function readH264Sps(nal: Uint8Array): SpsFacts {
  if ((nal[0]! & 0x1f) !== 7) undecided('not an SPS');
  const b = new Bits(unescape(nal.subarray(1)));
  const profile = b.u(8);
  b.skip(16);
  if (b.ue() >= 32) undecided('SPS id');
  let chroma = 1;
  let luma = 0;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135, 144].includes(profile)) {
    chroma = b.ue();
    if (chroma > 3 || (chroma === 3 && b.u(1) === 1)) undecided('chroma format');
    luma = b.ue();
    if (luma > 6 || b.ue() !== luma) undecided('bit depth');
    b.skip(1);
    if (b.u(1) === 1) {
      for (let list = 0; list < (chroma === 3 ? 12 : 8); list++) {
        if (b.u(1) === 1) skipScalingList(b, list < 6 ? 16 : 64);
      }
    }
  }
  if (b.ue() > 12) undecided('log2_max_frame_num');
  const pocType = b.ue();
  if (pocType === 0 && b.ue() > 12) undecided('log2_max_poc_lsb');
  if (pocType === 1) {
    b.skip(1);
    b.se();
    b.se();
    const cycle = b.ue();
    if (cycle >= 256) undecided('poc cycle');
    for (let i = 0; i < cycle; i++) b.se();
  }
  if (pocType > 2 || b.ue() > 16) undecided('poc type or reference frames');
  b.skip(1);
  const widthMbs = b.ue() + 1;
  const heightUnits = b.ue() + 1;
  const frameMbsOnly = b.u(1);
  b.skip(frameMbsOnly === 0 ? 2 : 1);
  const crop = b.u(1) === 1 ? [b.ue(), b.ue(), b.ue(), b.ue()] : [0, 0, 0, 0];
  const stepX = chroma === 1 || chroma === 2 ? 2 : 1;
  const stepY = (2 - frameMbsOnly) * (chroma === 1 ? 2 : 1);
  const size = cropped(widthMbs * 16, heightUnits * 16 * (2 - frameMbsOnly), crop, stepX, stepY);
  return { ...size, vuiRead: true, vuiTransfer: h264VuiTransfer(b), deep: luma > 0 };
}

/** The transfer characteristic in an H.264 VUI's colour description, if it has one. */
function h264VuiTransfer(b: Bits): number | undefined {
  if (b.u(1) === 0) return undefined; // no VUI
  if (b.u(1) === 1 && b.u(8) === 255) b.skip(32); // aspect ratio, and an explicit one
  if (b.u(1) === 1) b.skip(1); // overscan
  if (b.u(1) === 0) return undefined; // no video signal type
  b.skip(4); // video format, full range
  if (b.u(1) === 0) return undefined; // no colour description
  b.skip(8); // primaries
  return b.u(8);
}

/** ffmpeg's names for the transfer characteristics the service tells apart. */
const TRANSFERS: Readonly<Record<number, string>> = {
  1: 'bt709',
  16: 'smpte2084',
  18: 'arib-std-b67',
};
const HDR_TRANSFERS = new Set([16, 18]);

/**
 * The transfer ffprobe reports: the decoder's, from the VUI where it describes colour,
 * else the container's. Only HDR changes what the service does (decode-frames.ts maps it to
 * SDR), so any doubt about HDR falls back to ffprobe: an HEVC stream of more than 8 bits
 * (its VUI is not read here) or an HDR `colr` box under an SPS that says nothing.
 */
function transferName(sps: SpsFacts, colr: number | undefined): string | undefined {
  if (sps.vuiTransfer !== undefined) return TRANSFERS[sps.vuiTransfer];
  if (!sps.vuiRead && sps.deep) undecided('more than 8 bits: the transfer is in the VUI');
  if (colr !== undefined && HDR_TRANSFERS.has(colr)) undecided('HDR colr box');
  return undefined;
}

/** The transfer characteristic of an `nclx` (ISO) or `nclc` (QuickTime) colour box. */
function colrTransfer(bytes: Uint8Array, colr: BoxRef | undefined): number | undefined {
  if (colr === undefined || colr.end - colr.body < 10) return undefined;
  const kind = String.fromCharCode(...bytes.subarray(colr.body, colr.body + 4));
  return kind === 'nclx' || kind === 'nclc' ? u16(bytes, colr.body + 6) : undefined;
}

function skipScalingList(b: Bits, size: number): void {
  let last = 8;
  let next = 8;
  for (let i = 0; i < size; i++) {
    if (next !== 0) {
      const delta = b.se();
      if (delta < -128 || delta > 127) undecided('scaling list');
      next = (last + delta + 256) & 0xff;
      if (i === 0 && next === 0) return; // the default matrix
    }
    last = next === 0 ? last : next;
  }
}

/**
 * The size an HEVC decoder outputs (the conformance window, not the default display
 * window) and the bit depth, from the SPS.
 */
function readHevcSps(nal: Uint8Array): SpsFacts {
  if (((nal[0]! >> 1) & 0x3f) !== 33) undecided('not an SPS');
  const b = new Bits(unescape(nal.subarray(2)));
  b.skip(4);
  const subLayers = b.u(3) + 1;
  if (subLayers > 7) undecided('sub-layers');
  b.skip(1 + 96); // nesting flag; general profile, tier and level
  const present: number[][] = [];
  for (let i = 1; i < subLayers; i++) present.push([b.u(1), b.u(1)]);
  if (subLayers > 1) b.skip(2 * (9 - subLayers));
  for (const [profile, level] of present) b.skip(88 * profile! + 8 * level!);
  if (b.ue() >= 16) undecided('SPS id');
  let chroma = b.ue();
  if (chroma > 3) undecided('chroma format');
  if (chroma === 3 && b.u(1) === 1) chroma = 0;
  const width = b.ue();
  const height = b.ue();
  const window = b.u(1) === 1 ? [b.ue(), b.ue(), b.ue(), b.ue()] : [0, 0, 0, 0];
  const stepX = chroma === 1 || chroma === 2 ? 2 : 1;
  const size = cropped(width, height, window, stepX, chroma === 1 ? 2 : 1);
  return { ...size, vuiRead: false, vuiTransfer: undefined, deep: b.ue() > 0 };
}

function cropped(
  width: number,
  height: number,
  [left, right, top, bottom]: number[],
  stepX: number,
  stepY: number,
): { width: number; height: number } {
  if (width < 1 || height < 1 || width > 16384 || height > 16384) undecided('coded size');
  const cropX = (left! + right!) * stepX;
  const cropY = (top! + bottom!) * stepY;
  // ffmpeg ignores a crop this large, with a warning; no encoder writes one.
  if (cropX >= width || cropY >= height) undecided('crop');
  return { width: width - cropX, height: height - cropY };
}

/** Reads exp-Golomb coded fields; running off the end is a doubt, not an error. */
class Bits {
  private at = 0;
  constructor(private readonly data: Uint8Array) {}

  u(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++, this.at++) {
      const byte = this.data[this.at >> 3] ?? undecided('truncated SPS');
      value = value * 2 + ((byte >> (7 - (this.at & 7))) & 1);
    }
    return value;
  }

  skip(n: number): void {
    if (this.at + n > this.data.length * 8) undecided('truncated SPS');
    this.at += n;
  }

  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) undecided('exp-Golomb code too long');
    return 2 ** zeros - 1 + this.u(zeros);
  }

  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

/** Removes the emulation-prevention bytes (00 00 03 → 00 00). */
function unescape(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0;
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

/**
 * The display matrix's angle as ffprobe prints it: tkhd × mvhd in ffmpeg's fixed point,
 * av_display_rotation_get, truncated to an integer. Undefined for the identity (no side data).
 */
function displayRotation(movie: ArrayLike<number>, track: ArrayLike<number>): number | undefined {
  const shifts = [16n, 16n, 30n];
  const m: bigint[] = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let sum = 0n;
      for (let e = 0; e < 3; e++) {
        sum += (BigInt(track[i * 3 + e]!) * BigInt(movie[e * 3 + j]!)) >> shifts[e]!;
      }
      if (sum < -(2n ** 31n) || sum > INT_MAX) undecided('display matrix overflow');
      m.push(sum);
    }
  }
  const identity = [65536n, 0n, 0n, 0n, 65536n, 0n, 0n, 0n, 1n << 30n];
  if (m.every((v, i) => v === identity[i])) return undefined;
  const [a, b, , c, d] = m.map((v) => Number(v) / 65536);
  const scaleX = Math.hypot(a!, c!);
  const scaleY = Math.hypot(b!, d!);
  if (scaleX === 0 || scaleY === 0) undecided('degenerate display matrix');
  const angle = -((Math.atan2(b! / scaleY, a! / scaleX) * 180) / Math.PI);
  // libm and V8 may differ in the last bit: answer only where that cannot change the quarter.
  const quarter = (deg: number) => Math.round(Math.trunc(deg) / 90);
  if (quarter(angle - 1e-9) !== quarter(angle + 1e-9)) undecided('rotation on a boundary');
  return Math.trunc(angle) + 0;
}

/** `ticks × (1/timescale)` printed as C's "%f" does: six decimals, half to even on the exact value. */
export function ffprobeSeconds(ticks: bigint, timescale: bigint): string {
  const x = Number(ticks) * (1 / Number(timescale));
  if (!Number.isFinite(x)) undecided('time out of range');
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const high = view.getUint32(0);
  const exponent = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (exponent !== 0) mantissa |= 1n << 52n;
  const shift = BigInt(Math.max(exponent, 1) - 1075);
  const scaled = mantissa * 1_000_000n;
  let micro = shift >= 0n ? scaled << shift : scaled >> -shift;
  if (shift < 0n) {
    const twice = (scaled - (micro << -shift)) * 2n;
    const half = 1n << -shift;
    if (twice > half || (twice === half && micro % 2n === 1n)) micro++;
  }
  const sign = x < 0 ? '-' : '';
  return `${sign}${micro / 1_000_000n}.${String(micro % 1_000_000n).padStart(6, '0')}`;
}

/** av_rescale(a, b, c): a × b / c, rounded to nearest with halves away from zero (a ≥ 0). */
function rescale(a: bigint, b: bigint, c: bigint): bigint {
  return (a * b + c / 2n) / c;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** dref entries ffmpeg reads without error: self-contained references only. */
function checkDataReferences(bytes: Uint8Array, dinf: BoxRef, approved: Approved): void {
  const dref = approve(one(children(bytes, approve(dinf, approved), ['dref']), 'dref'), approved);
  const count = u32(bytes, dref.body + 4);
  const entries = readBoxes(bytes, dref.body + 8, dref.end, { plain: true });
  const selfContained = (e: BoxRef) =>
    ['url ', 'urn ', 'alis'].includes(e.type) &&
    e.end - e.start === 12 &&
    (bytes[e.body + 3]! & 1) === 1;
  if (count < 1 || count !== entries.length || !entries.every(selfContained)) undecided('dref');
}

/** sbgp tables ffmpeg allocates by their count; sgpd 'sync' groups it reads (not copied). */
function checkSampleGroups(bytes: Uint8Array, stbl: readonly BoxRef[]): void {
  for (const box of stbl) {
    const grouping = String.fromCharCode(...bytes.subarray(box.body + 4, box.body + 8));
    if (box.type === 'sgpd' && grouping === 'sync') undecided('sgpd sync');
    if (box.type === 'sbgp') {
      const header = bytes[box.body] === 1 ? 16 : 12;
      if (header + 8 * u32(bytes, box.body + header - 4) > box.end - box.body) undecided('sbgp');
    }
    if (
      (box.type === 'stss' || box.type === 'stps') &&
      8 + 4 * u32(bytes, box.body + 4) > box.end - box.body
    ) {
      undecided(box.type);
    }
  }
}

/**
 * udta and meta, where ffmpeg reads keys (failing on a malformed one) and iTunes items;
 * the census refuses the items that could fail or add streams.
 */
function metadata(bytes: Uint8Array, box: BoxRef, approved: Approved): void {
  approve(box, approved);
  if (box.type === 'udta') {
    for (const kid of readBoxes(bytes, box.body, box.end))
      if (kid.type === 'meta') metadata(bytes, kid, approved);
    return;
  }
  // mov_read_meta looks for 'hdlr' in 4-byte steps, then reads boxes from just before it.
  for (let at = box.body; box.end - at > 8; at += 4) {
    if (fourcc(bytes, at) !== 'hdlr') continue;
    for (const kid of readBoxes(bytes, at - 4, box.end)) {
      if (kid.type === 'ilst') approve(kid, approved);
      if (kid.type === 'keys') checkKeys(bytes, approve(kid, approved));
    }
    return;
  }
}

function checkKeys(bytes: Uint8Array, keys: BoxRef): void {
  const count = u32(bytes, keys.body + 4);
  let at = keys.body + 8;
  for (let i = 0; i < count; i++) {
    const size = u32(bytes, at);
    if (size < 8 || at + size > keys.end || fourcc(bytes, at + 4) !== 'mdta') undecided('keys');
    at += size;
  }
  if (at !== keys.end) undecided('keys');
}

/**
 * ffmpeg parses a box it knows wherever it meets one: a 'stts' inside 'udta' rewrites the
 * last track's timing, 'covr' adds a stream, a short 'loci' fails the whole file. Every
 * such type must therefore be a box approved in its place, or absent. Only the benign
 * types (and everything inside the sample tables, which ffmpeg reads as numbers) pass.
 */
function census(bytes: Uint8Array, moov: BoxRef, approved: Approved): void {
  const ranges: [number, number][] = [];
  let from = moov.body;
  const skipped = [...approved.values()].filter((b) => numeric.includes(b.type));
  for (const table of skipped.sort((a, b) => a.start - b.start)) {
    ranges.push([from, table.body]);
    from = table.end;
  }
  ranges.push([from, moov.end]);
  if (ranges.reduce((n, [a, b]) => n + b - a, 0) > MAX_CENSUS_BYTES)
    undecided('metadata too large');
  for (const [a, b] of ranges) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + a, b - a).toString('latin1');
    if (text.includes('iTunSMPB') || text.includes('com.apple.quicktime.artwork')) {
      undecided('gapless or artwork metadata');
    }
    for (let at = a; at + 4 <= b; at++) {
      if (!watched.has(u32(bytes, at))) continue;
      const type = fourcc(bytes, at);
      if (approved.get(at - 4)?.type === type) continue;
      const subtype = fourcc(bytes, at + 12);
      if (type === 'hdlr' && !['vide', 'soun', 'm1a ', 'subp', 'clcp'].includes(subtype)) continue;
      undecided(`stray ${show(type)}`);
    }
  }
}

/** ffmpeg 5.1's box parsers and udta specials, less those that never fail nor change a stream. */
const watched = new Set(
  (
    'ACLR APRG AALP ARES avss av1C co64 ctts dinf DpxE dref edts elst enda adrm ftyp glbl ' +
    'hdlr ilst jp2h mdat mdhd mdia meta minf moof moov mvex mvhd SMI_ alac avcC sidx stbl ' +
    'stco stps strf stsc stsd stss stsz stts stz2 sdtp tkhd tfdt tfhd trak traf trex trun ' +
    'udta wave esds dac3 dec3 ddts wfex cmov dvc1 sbgp hvcC uuid sinf frma senc saiz saio ' +
    'pssh schm schi tenc dfLa st3d sv3d dOps dmlp SmDm CoLL vpcC mdcv clli dvcC dvvC kind ' +
    'SA3D sgpd mehd tfra mfra emsg prft iloc iinf pitm iref iprp ipco ipma idat keys ' +
    'covr loci HMMT chap lhvC vvcC iacb pcmC'
  )
    .split(' ')
    .map((type) => u32(Buffer.from(type.replace('_', ' '), 'latin1'), 0)),
);

/**
 * A box's children; a box that overflows its container or is too small is a doubt. The
 * sizes 0 (to the end) and 1 (64-bit) are mov_read_default's; sample entries and data
 * references are read by their own loops, which know neither (`plain`).
 */
function readBoxes(
  bytes: Uint8Array,
  from: number,
  to: number,
  { file = false, plain = false } = {},
): BoxRef[] {
  const boxes: BoxRef[] = [];
  // Fewer than 8 trailing bytes cannot hold a box: ffmpeg skips them too.
  for (let at = from; to - at >= 8;) {
    if (boxes.length === MAX_CHILDREN) undecided('too many boxes');
    const type = fourcc(bytes, at + 4);
    let size = u32(bytes, at);
    let body = at + 8;
    if (plain && size < 8) undecided(`entry ${show(type)} of ${size} bytes`);
    if (size === 1) {
      if (to - at < 16 || u32(bytes, at + 8) >= 2 ** 21) undecided('large box');
      size = u32(bytes, at + 8) * 2 ** 32 + u32(bytes, at + 12);
      body = at + 16;
    } else if (size === 0) size = to - at;
    if (size < body - at) undecided(`box ${show(type)} smaller than its header`);
    let end = at + size;
    if (end > to) {
      // A truncated upload loses the file's tail: only media data may be cut short.
      if (!file || type !== 'mdat') undecided(`box ${show(type)} overflows its container`);
      end = to;
    }
    boxes.push({ type, start: at, body, end });
    at = end;
  }
  return boxes;
}

function children(bytes: Uint8Array, box: BoxRef, types: readonly string[]): BoxRef[] {
  const kids = readBoxes(bytes, box.body, box.end);
  allowOnly(kids, types, box.type);
  return kids;
}

/** Parses one box with mp4box, on a copy of its own bytes: a lying count cannot read past it. */
function parse<T extends Box>(
  bytes: Uint8Array,
  ref: BoxRef,
  kind: abstract new (...args: never[]) => T,
  approved: Approved,
): T {
  approve(ref, approved);
  const buffer = new MP4BoxBuffer(ref.end - ref.start);
  new Uint8Array(buffer).set(bytes.subarray(ref.start, ref.end));
  const file = createFile();
  file.onError = (_module, message) => undecided(`mp4box: ${message}`);
  file.appendBuffer(buffer);
  const box = file.boxes[0];
  if (file.boxes.length !== 1 || !(box instanceof kind)) undecided(`${show(ref.type)} unreadable`);
  return box;
}

function approve(box: BoxRef, approved: Approved): BoxRef {
  approved.set(box.start, box);
  return box;
}

function one(boxes: readonly BoxRef[], type: string): BoxRef {
  const found = boxes.filter((b) => b.type === type);
  if (found.length !== 1) undecided(`${found.length} ${show(type)} boxes`);
  return found[0]!;
}

function optional(boxes: readonly BoxRef[], type: string): BoxRef | undefined {
  return boxes.some((b) => b.type === type) ? one(boxes, type) : undefined;
}

function allowOnly(boxes: readonly BoxRef[], types: readonly string[], parent: string): void {
  const other = boxes.find((b) => !types.includes(b.type));
  if (other !== undefined) undecided(`${show(other.type)} in ${show(parent)}`);
}

const show = (type: string) => JSON.stringify(type);

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? undecided('truncated box')) << 8) | bytes[at + 1]!;
}

function u32(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) undecided('truncated box');
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  );
}
