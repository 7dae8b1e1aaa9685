/**
 * Structure-aware mutations of real video files: the MP4 box tree (sizes, types, codec
 * ids, the tkhd/mvhd display matrices, frame sizes, timing and sample tables) and the
 * WebM/EBML element tree (sizes, ids, CodecID, PixelWidth/Height). Each mutator takes the
 * numbers fast-check generated and maps them onto the file at hand (an index modulo the
 * number of boxes, say), so that a case is a small JSON object that replays exactly.
 */

export interface Mp4Box {
  readonly type: string;
  readonly start: number;
  /** Where the payload starts (8 or 16 bytes after start). */
  readonly body: number;
  readonly end: number;
}

/** Boxes whose payload is a list of boxes; sample entries after their fixed fields. */
const MP4_CONTAINERS: Record<string, number> = {
  moov: 0,
  trak: 0,
  mdia: 0,
  minf: 0,
  stbl: 0,
  edts: 0,
  udta: 0,
  dinf: 0,
  stsd: 8,
  avc1: 78,
  hvc1: 78,
  hev1: 78,
  mp4a: 28,
};

const u32 = (b: Uint8Array, at: number): number =>
  at + 4 <= b.length
    ? ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
    : 0;
const fourcc = (b: Uint8Array, at: number): string =>
  String.fromCharCode(...b.subarray(at, Math.min(at + 4, b.length)));

/** Every box of a well-formed file, depth first (a parse of the seed, never of a mutant). */
export function mp4Boxes(bytes: Uint8Array, from = 0, to = bytes.length): Mp4Box[] {
  const out: Mp4Box[] = [];
  for (let at = from; to - at >= 8;) {
    let size = u32(bytes, at);
    const type = fourcc(bytes, at + 4);
    let body = at + 8;
    if (size === 1) {
      size = u32(bytes, at + 8) * 2 ** 32 + u32(bytes, at + 12);
      body = at + 16;
    } else if (size === 0) size = to - at;
    if (size < body - at || at + size > to) break;
    out.push({ type, start: at, body, end: at + size });
    const skip = MP4_CONTAINERS[type];
    if (skip !== undefined) out.push(...mp4Boxes(bytes, body + skip, at + size));
    at += size;
  }
  return out;
}

export type Mp4Op =
  | 'boxSize'
  | 'boxType'
  | 'codecId'
  | 'avcC'
  | 'matrix'
  | 'tkhdSize'
  | 'entrySize'
  | 'timing'
  | 'sampleTable'
  | 'duplicateBox'
  | 'truncate'
  | 'bitflip';

export interface Mp4Mutation {
  readonly op: Mp4Op;
  /** Which box (modulo the boxes of the kind the op works on). */
  readonly box: number;
  /** Which variant of the op (modulo its variants). */
  readonly variant: number;
  /** A free 32-bit value for the variants that take one. */
  readonly value: number;
  /** Positions (modulo the length) for bit flips. */
  readonly bits: readonly number[];
}

const BOX_TYPES = [
  'moov',
  'moof',
  'mdat',
  'free',
  'skip',
  'trak',
  'mdia',
  'minf',
  'stbl',
  'stsd',
  'stts',
  'stsz',
  'stco',
  'co64',
  'ctts',
  'tkhd',
  'mvhd',
  'mdhd',
  'hdlr',
  'udta',
  'meta',
  'ilst',
  'covr',
  'loci',
  'uuid',
  'sidx',
  'ftyp',
  'dref',
  'url ',
  'elst',
  'avcC',
  'hvcC',
  '\0\0\0\0',
  '\xff\xff\xff\xff',
];
const CODECS = [
  'hvc1',
  'hev1',
  'mp4v',
  'av01',
  'vp09',
  'vp08',
  'jpeg',
  'mjpa',
  's263',
  'avc3',
  'encv',
  'mp4a',
  'raw ',
  'rle ',
  'png ',
  'dvh1',
  'xxxx',
  '\0\0\0\0',
];
/** 16.16 fixed-point (2.30 for the last column) display matrices. */
const ONE = 0x10000;
const W = 0x40000000;
const MATRICES: number[][] = [
  [0, ONE, 0, -ONE, 0, 0, 0, 0, W], // 90°
  [-ONE, 0, 0, 0, -ONE, 0, 0, 0, W], // 180°
  [0, -ONE, 0, ONE, 0, 0, 0, 0, W], // 270°
  [-ONE, 0, 0, 0, ONE, 0, 0, 0, W], // mirrored
  [0, 0, 0, 0, 0, 0, 0, 0, 0], // degenerate
  [ONE, ONE, 0, ONE, ONE, 0, 0, 0, W], // singular shear
  [0x7fffffff, 0, 0, 0, 0x7fffffff, 0, 0, 0, W], // overflow
  [46341, 46341, 0, -46341, 46341, 0, 0, 0, W], // 45°
  [ONE, 0, 0, 0, ONE, 0, 0x7fffffff, 0x7fffffff, W], // huge translation
];
const SIZES = [0, 1, 2, 63, 64, 4095, 4096, 4097, 8192, 16384, 65535];

function writeU32(b: Uint8Array, at: number, v: number): void {
  if (at < 0 || at + 4 > b.length) return;
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
function writeU16(b: Uint8Array, at: number, v: number): void {
  if (at < 0 || at + 2 > b.length) return;
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

function flipBits(b: Uint8Array, bits: readonly number[]): void {
  for (const bit of bits) {
    const at = Math.floor(bit / 8) % b.length;
    b[at] = b[at]! ^ (1 << (bit % 8));
  }
}

/**
 * The byte-level mutations of any container: its first bytes only, or bit flips. Bit
 * flips are also what an op falls back to when the file lacks its target.
 */
function truncateOrFlip(
  seed: Uint8Array,
  out: Buffer,
  m: { readonly op: string; readonly value: number; readonly bits: readonly number[] },
): { bytes: Buffer; what: string } {
  if (m.op === 'truncate') {
    const cut = m.value % seed.length;
    return { bytes: out.subarray(0, cut), what: `first ${cut} of ${seed.length} bytes` };
  }
  flipBits(out, m.bits);
  return { bytes: out, what: `${m.bits.length} bit flip(s)` };
}

/** A mutated copy of `seed`, and a short description of what changed. */
export function mutateMp4(seed: Uint8Array, m: Mp4Mutation): { bytes: Buffer; what: string } {
  const boxes = mp4Boxes(seed);
  const out = Buffer.from(seed);
  const ofType = (...types: string[]) => boxes.filter((b) => types.includes(b.type));
  const one = (types: string[]): Mp4Box | undefined => {
    const list = ofType(...types);
    return list.length === 0 ? undefined : pick(list, m.box);
  };
  switch (m.op) {
    case 'boxSize': {
      const box = pick(boxes, m.box);
      const size = box.end - box.start;
      const values = [0, 1, 7, 8, size - 1, size + 1, size * 2, 0xffffffff, m.value];
      const v = pick(values, m.variant) >>> 0;
      writeU32(out, box.start, v);
      return { bytes: out, what: `${box.type}@${box.start} size ${size} → ${v}` };
    }
    case 'boxType': {
      const box = pick(boxes, m.box);
      const type = pick(BOX_TYPES, m.variant);
      out.write(type, box.start + 4, 'latin1');
      return { bytes: out, what: `${box.type}@${box.start} → ${JSON.stringify(type)}` };
    }
    case 'codecId': {
      const entry = one(['avc1', 'hvc1', 'hev1', 'mp4a']);
      if (entry === undefined) break;
      const type = pick(CODECS, m.variant);
      out.write(type, entry.start + 4, 'latin1');
      return { bytes: out, what: `sample entry ${entry.type} → ${JSON.stringify(type)}` };
    }
    case 'avcC': {
      const cfg = one(['avcC', 'hvcC']);
      if (cfg === undefined) break;
      // version, profile, compatibility, level, length size, SPS count, SPS length
      const offsets = [0, 1, 2, 3, 4, 5, 6, 7];
      const at = cfg.body + pick(offsets, m.variant);
      out[at] = m.value & 0xff;
      return { bytes: out, what: `${cfg.type} byte ${at - cfg.body} → ${m.value & 0xff}` };
    }
    case 'matrix': {
      const box = one(['tkhd', 'mvhd']);
      if (box === undefined) break;
      const v1 = seed[box.body] === 1;
      const at = box.type === 'tkhd' ? box.body + (v1 ? 52 : 40) : box.body + (v1 ? 48 : 36);
      const matrix =
        m.variant % (MATRICES.length + 1) === MATRICES.length
          ? Array.from({ length: 9 }, (_, i) => (m.value * (i + 1) * 2654435761) >>> 0)
          : pick(MATRICES, m.variant);
      matrix.forEach((v, i) => writeU32(out, at + i * 4, v >>> 0));
      return { bytes: out, what: `${box.type} matrix → [${matrix.join(',')}]` };
    }
    case 'tkhdSize': {
      const box = one(['tkhd']);
      if (box === undefined) break;
      const at = box.body + (seed[box.body] === 1 ? 88 : 76);
      const w = pick(SIZES, m.variant) * ONE;
      const h = pick(SIZES, m.value) * ONE;
      writeU32(out, at, w >>> 0);
      writeU32(out, at + 4, h >>> 0);
      return { bytes: out, what: `tkhd size → ${w / ONE}×${h / ONE}` };
    }
    case 'entrySize': {
      const entry = one(['avc1', 'hvc1', 'hev1']);
      if (entry === undefined) break;
      const w = pick(SIZES, m.variant);
      const h = pick(SIZES, m.value);
      writeU16(out, entry.body + 24, w);
      writeU16(out, entry.body + 26, h);
      return { bytes: out, what: `${entry.type} size → ${w}×${h}` };
    }
    case 'timing': {
      const box = one(['mdhd', 'mvhd', 'stts', 'elst']);
      if (box === undefined) break;
      const v1 = seed[box.body] === 1;
      const values = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, m.value];
      const v = pick(values, m.variant) >>> 0;
      // mdhd/mvhd: timescale then duration; stts: first count, first delta; elst: first entry.
      const field =
        box.type === 'mdhd' || box.type === 'mvhd'
          ? box.body + (v1 ? 20 : 12) + (m.value % 2) * 4
          : box.body + 8 + (m.value % 2) * 4;
      writeU32(out, field, v);
      return { bytes: out, what: `${box.type} field @${field - box.body} → ${v}` };
    }
    case 'sampleTable': {
      const box = one(['stsz', 'stco', 'stsc', 'stss', 'ctts', 'co64']);
      if (box === undefined) break;
      const values = [0, 1, 0x7fffffff, 0xffffffff, seed.length, seed.length * 2, m.value];
      const v = pick(values, m.variant) >>> 0;
      const span = Math.max(1, Math.floor((box.end - box.body - 4) / 4));
      const field = box.body + 4 + 4 * (m.value % span);
      writeU32(out, field, v);
      return { bytes: out, what: `${box.type} word @${field - box.body} → ${v}` };
    }
    case 'duplicateBox': {
      const box = pick(boxes, m.box);
      const copy = seed.subarray(box.start, box.end);
      const at = m.variant % 2 === 0 ? box.end : box.start;
      return {
        bytes: Buffer.concat([seed.subarray(0, at), copy, seed.subarray(at)]),
        what: `${box.type}@${box.start} twice`,
      };
    }
    case 'truncate':
    case 'bitflip':
      break;
  }
  return truncateOrFlip(seed, out, m);
}

export interface EbmlElement {
  readonly id: number;
  readonly start: number;
  readonly idLength: number;
  /** Where the size vint starts, and its length. */
  readonly sizeAt: number;
  readonly sizeLength: number;
  readonly body: number;
  readonly end: number;
}

const EBML_MASTERS = new Set([
  0x1a45dfa3, 0x18538067, 0x114d9b74, 0x4dbb, 0x1549a966, 0x1654ae6b, 0xae, 0xe0, 0x1f43b675, 0xa0,
  0x1c53bb6b, 0xbb, 0xb7, 0x1254c367, 0x7373, 0x63c0, 0x67c8,
]);
const CODEC_ID = 0x86;
const PIXEL_WIDTH = 0xb0;
const PIXEL_HEIGHT = 0xba;
/** Same length as V_VP8, so that the tree around it stays intact. */
const CODEC_IDS = [
  'V_VP9',
  'V_AV1',
  'A_AAC',
  'S_VTT',
  'V_MS/',
  'V_MPE',
  'V_UNC',
  'V_XXX',
  '\0\0\0\0\0',
];

function vintLength(first: number): number {
  for (let n = 1; n <= 8; n++) if (first & (0x100 >> n)) return n;
  return 0;
}

/** Every element of a well-formed WebM, depth first. */
export function ebmlElements(bytes: Uint8Array, from = 0, to = bytes.length): EbmlElement[] {
  const out: EbmlElement[] = [];
  for (let at = from; at < to;) {
    const idLength = vintLength(bytes[at]!);
    if (idLength === 0 || idLength > 4) break;
    let id = 0;
    for (let i = 0; i < idLength; i++) id = id * 256 + bytes[at + i]!;
    const sizeAt = at + idLength;
    const sizeLength = vintLength(bytes[sizeAt] ?? 0);
    if (sizeLength === 0) break;
    let size = bytes[sizeAt]! & (0xff >> sizeLength);
    for (let i = 1; i < sizeLength; i++) size = size * 256 + bytes[sizeAt + i]!;
    const body = sizeAt + sizeLength;
    const unknown = size === 2 ** (7 * sizeLength) - 1;
    const end = unknown ? to : Math.min(body + size, to);
    out.push({ id, start: at, idLength, sizeAt, sizeLength, body, end });
    if (EBML_MASTERS.has(id)) out.push(...ebmlElements(bytes, body, end));
    at = end;
  }
  return out;
}

export type WebmOp = 'size' | 'id' | 'codecId' | 'pixels' | 'widePixels' | 'truncate' | 'bitflip';

export interface WebmMutation {
  readonly op: WebmOp;
  readonly element: number;
  readonly variant: number;
  readonly value: number;
  readonly bits: readonly number[];
}

function writeVint(b: Uint8Array, at: number, length: number, value: number): void {
  // value < 2^(7·length); the marker bit goes in the first byte.
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    b[at + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  b[at] = (b[at]! & (0xff >> length)) | (0x100 >> length);
}

export function mutateWebm(seed: Uint8Array, m: WebmMutation): { bytes: Buffer; what: string } {
  const elements = ebmlElements(seed);
  const out = Buffer.from(seed);
  const hex = (id: number) => `0x${id.toString(16)}`;
  switch (m.op) {
    case 'size': {
      const el = pick(elements, m.element);
      const max = 2 ** (7 * el.sizeLength) - 1; // all ones: "unknown size"
      const size = el.end - el.body;
      const values = [0, 1, size - 1, size + 1, size * 2, max - 1, max, m.value];
      const v = Math.max(0, Math.min(max, pick(values, m.variant)));
      writeVint(out, el.sizeAt, el.sizeLength, v);
      return { bytes: out, what: `element ${hex(el.id)}@${el.start} size ${size} → ${v}` };
    }
    case 'id': {
      const el = pick(elements, m.element);
      for (let i = 1; i < el.idLength; i++) out[el.start + i] = (m.value >>> (8 * i)) & 0xff;
      if (el.idLength === 1) out[el.start] = 0x80 | (m.value & 0x7f);
      return { bytes: out, what: `element ${hex(el.id)}@${el.start} id rewritten` };
    }
    case 'codecId': {
      const el = elements.find((e) => e.id === CODEC_ID);
      if (el === undefined) break;
      const codec = pick(CODEC_IDS, m.variant).padEnd(el.end - el.body, '\0');
      out.write(codec.slice(0, el.end - el.body), el.body, 'latin1');
      return { bytes: out, what: `CodecID → ${JSON.stringify(codec)}` };
    }
    case 'pixels': {
      const el = pick(
        elements.filter((e) => e.id === PIXEL_WIDTH || e.id === PIXEL_HEIGHT),
        m.element,
      );
      if (el === undefined) break;
      const length = el.end - el.body;
      const max = 2 ** (8 * length) - 1;
      const v = Math.min(max, pick([0, 1, 63, 4097, max, m.value], m.variant));
      for (let i = 0, x = v; i < length; i++, x = Math.floor(x / 256))
        out[el.end - 1 - i] = x & 0xff;
      return { bytes: out, what: `${el.id === PIXEL_WIDTH ? 'PixelWidth' : 'PixelHeight'} → ${v}` };
    }
    case 'widePixels': {
      // A 4-byte PixelWidth/Height (the seed's are 1 or 2 bytes): huge and zero sizes,
      // with every enclosing element's size grown to match.
      const el = pick(
        elements.filter((e) => e.id === PIXEL_WIDTH || e.id === PIXEL_HEIGHT),
        m.element,
      );
      if (el === undefined) break;
      const v = pick([0, 4097, 65535, 100_000, 0x7fffffff, 0xffffffff, m.value], m.variant);
      const wide = Buffer.alloc(el.idLength + 1 + 4);
      wide[0] = el.id;
      wide[1] = 0x84;
      wide.writeUInt32BE(v >>> 0, 2);
      const delta = wide.length - (el.end - el.start);
      const grown = Buffer.concat([seed.subarray(0, el.start), wide, seed.subarray(el.end)]);
      for (const a of elements) {
        const size = a.end - a.body;
        const unknown = size === 2 ** (7 * a.sizeLength) - 1;
        if (a === el || unknown || a.body > el.start || a.end < el.end) continue;
        if (size + delta < 2 ** (7 * a.sizeLength) - 1)
          writeVint(grown, a.sizeAt, a.sizeLength, size + delta);
      }
      return {
        bytes: grown,
        what: `${el.id === PIXEL_WIDTH ? 'PixelWidth' : 'PixelHeight'} → ${v >>> 0} (4 bytes)`,
      };
    }
    case 'truncate':
    case 'bitflip':
      break;
  }
  return truncateOrFlip(seed, out, m);
}
