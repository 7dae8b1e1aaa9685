/**
 * The fuzzer's inputs: fast-check arbitraries of small JSON "cases" (which mutation,
 * where, with which numbers), sampled from a seed, and the builder that turns a case and
 * the seed media into the exact HTTP request. The same seed gives the same requests, so
 * any answer can be replayed (`--seed S --only I`).
 *
 * Families: Base64 (truncated, bit-flipped, bad characters, padding), crypto (wrong key
 * or nonce, short or tag-only seals, valid seals of random or cut bytes), oversized
 * fields and bodies, multipart (duplicate, nested and file parts, bad boundaries, huge
 * part headers), content types, urlencoded forms (missing, empty, duplicate fields, bad
 * booleans and escapes, huge field names), HTTP (methods, paths, huge headers, chunked),
 * slow (trickled) bodies, mutated photos, and MP4/WebM containers mutated structurally
 * (containers.ts) then encrypted properly, so that they reach ffprobe/ffmpeg.
 */
import fc from 'fast-check';
import { DEFAULT_KEY, DEFAULT_NONCE, sealToBase64 } from '@silentid/client';
import { IMAGES_PATH, LIVENESS_PATH, VERIFY_PATH } from '../support/http.js';
import { mutateMp4, mutateWebm, type Mp4Op, type WebmOp } from './containers.js';
import type { SeedMedia } from './seed-media.js';

export type Endpoint = 'verify' | 'liveness' | 'images';
const PATHS: Record<Endpoint, string> = {
  verify: VERIFY_PATH,
  liveness: LIVENESS_PATH,
  images: IMAGES_PATH,
};

export type FuzzCase =
  | {
      family: 'b64';
      endpoint: Endpoint;
      field: number;
      op: 'truncate' | 'bitflip' | 'badchar' | 'padding' | 'urlsafe' | 'spaces' | 'onlyPadding';
      at: number;
      count: number;
      char: string;
    }
  | {
      family: 'crypto';
      endpoint: Endpoint;
      field: number;
      op: 'wrongKey' | 'wrongNonce' | 'shortSeal' | 'tagOnly' | 'randomPlain' | 'cutPlain';
      key: string;
      nonce: string;
      len: number;
    }
  | { family: 'oversize'; endpoint: Endpoint; op: 'imageField' | 'declared'; extra: number }
  | {
      family: 'multipart';
      endpoint: Endpoint;
      op:
        | 'duplicate'
        | 'nested'
        | 'fileParts'
        | 'noBoundaryParam'
        | 'wrongBoundary'
        | 'noClose'
        | 'hugePartHeader'
        | 'hugeName'
        | 'emptyParts'
        | 'preamble'
        | 'quotedBoundary';
      n: number;
      size: number;
      garbage: string;
    }
  | { family: 'ctype'; endpoint: Endpoint; contentType: string; multipartBody: boolean }
  | {
      family: 'form';
      endpoint: Endpoint;
      op:
        | 'missing'
        | 'empty'
        | 'badBool'
        | 'unknownFields'
        | 'hugeName'
        | 'badPercent'
        | 'duplicate'
        | 'noEquals'
        | 'whitespace';
      value: string;
      n: number;
      size: number;
    }
  | {
      family: 'http';
      op: 'method' | 'path' | 'hugeHeader' | 'chunked' | 'query' | 'lyingLength';
      method: string;
      path: string;
      n: number;
    }
  | { family: 'slow'; endpoint: Endpoint; chunk: number; intervalMs: number; truncateAt: number }
  | {
      family: 'image';
      endpoint: 'verify' | 'images';
      op: 'truncate' | 'bitflip' | 'sofSize' | 'pngHuge' | 'random' | 'zeros' | 'headerOnly';
      at: number;
      bits: number[];
      w: number;
      h: number;
    }
  | {
      family: 'mp4';
      endpoint: 'verify' | 'liveness';
      seed: number;
      op: Mp4Op;
      box: number;
      variant: number;
      value: number;
      bits: number[];
    }
  | {
      family: 'webm';
      endpoint: 'verify' | 'liveness';
      seed: number;
      op: WebmOp;
      element: number;
      variant: number;
      value: number;
      bits: number[];
    };

export type Family = FuzzCase['family'];

const endpoint = fc.constantFrom<Endpoint>('verify', 'verify', 'liveness', 'images');
const u32 = fc.nat({ max: 0xffffffff });
const bits = fc.array(fc.nat(), { minLength: 1, maxLength: 16 });
const ascii = (min: number, max: number) =>
  fc.string({ unit: 'binary-ascii', minLength: min, maxLength: max });

const b64Case = fc.record({
  family: fc.constant('b64' as const),
  endpoint,
  field: fc.nat(3),
  op: fc.constantFrom(
    'truncate',
    'bitflip',
    'badchar',
    'padding',
    'urlsafe',
    'spaces',
    'onlyPadding',
  ),
  at: u32,
  count: fc.integer({ min: 1, max: 8 }),
  char: fc.constantFrom('*', '-', '_', '.', '%', '\u00e9', '\u0000', '==', '\t', '\ud83d\ude00'),
});

const cryptoCase = fc.record({
  family: fc.constant('crypto' as const),
  endpoint,
  field: fc.nat(3),
  op: fc.constantFrom('wrongKey', 'wrongNonce', 'shortSeal', 'tagOnly', 'randomPlain', 'cutPlain'),
  key: fc.string({ unit: 'binary-ascii', minLength: 32, maxLength: 32 }),
  nonce: fc.string({ unit: 'binary-ascii', minLength: 12, maxLength: 12 }),
  len: fc.nat(4096),
});

const oversizeCase = fc.record({
  family: fc.constant('oversize' as const),
  endpoint,
  op: fc.constantFrom('imageField', 'declared'),
  extra: fc.nat(1 << 20),
});

const multipartCase = fc.record({
  family: fc.constant('multipart' as const),
  endpoint,
  op: fc.constantFrom(
    'duplicate',
    'nested',
    'fileParts',
    'noBoundaryParam',
    'wrongBoundary',
    'noClose',
    'hugePartHeader',
    'hugeName',
    'emptyParts',
    'preamble',
    'quotedBoundary',
  ),
  n: fc.integer({ min: 1, max: 40 }),
  size: fc.integer({ min: 1, max: 256 * 1024 }),
  garbage: ascii(0, 64),
});

const ctypeCase = fc.record({
  family: fc.constant('ctype' as const),
  endpoint,
  contentType: fc.oneof(
    fc.constantFrom(
      'application/json',
      'text/plain',
      'application/octet-stream',
      'multipart/form-data',
      'multipart/form-data; boundary=',
      'multipart/mixed; boundary=x',
      'application/x-www-form-urlencoded; charset=utf-16',
      'APPLICATION/X-WWW-FORM-URLENCODED',
      'application/x-www-form-urlencodedx',
      'multipart/form-data; boundary="unterminated',
      ' ',
    ),
    ascii(0, 200),
  ),
  multipartBody: fc.boolean(),
});

const formCase = fc.record({
  family: fc.constant('form' as const),
  endpoint,
  op: fc.constantFrom(
    'missing',
    'empty',
    'badBool',
    'unknownFields',
    'hugeName',
    'badPercent',
    'duplicate',
    'noEquals',
    'whitespace',
  ),
  value: fc.oneof(
    ascii(0, 40),
    fc.constantFrom('yes', 'TRUE ', '2', '-1', 'true\u0000', 'null', '[]', '%00'),
  ),
  n: fc.integer({ min: 1, max: 2000 }),
  size: fc.integer({ min: 1, max: 512 * 1024 }),
});

const httpCase = fc.record({
  family: fc.constant('http' as const),
  op: fc.constantFrom('method', 'path', 'hugeHeader', 'chunked', 'query', 'lyingLength'),
  method: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'POST', 'TRACE'),
  path: fc.oneof(
    fc.constantFrom(
      '/identity/silent_image_verification/stateless/',
      '/identity/silent_image_verification/stateless/..',
      '//identity/silent_image_verification/stateless',
      '/identity/silent_image_verification/STATELESS',
      '/%2e%2e/etc/passwd',
      '/liveness/silent_detection/stateless%00',
      '/metrics/../healthz',
    ),
    fc.stringMatching(/^\/[a-z0-9_/.%-]{0,200}$/),
  ),
  n: fc.integer({ min: 1, max: 15 * 1024 }),
});

const slowCase = fc.record({
  family: fc.constant('slow' as const),
  endpoint,
  chunk: fc.integer({ min: 64, max: 1024 }),
  intervalMs: fc.integer({ min: 5, max: 60 }),
  truncateAt: fc.integer({ min: 200, max: 6000 }),
});

const imageCase = fc.record({
  family: fc.constant('image' as const),
  endpoint: fc.constantFrom<'verify' | 'images'>('images', 'images', 'images', 'verify'),
  op: fc.constantFrom('truncate', 'bitflip', 'sofSize', 'pngHuge', 'random', 'zeros', 'headerOnly'),
  at: u32,
  bits,
  w: fc.oneof(fc.constantFrom(0, 1, 63, 64, 8192, 8193, 65535, 0x7fffffff, 0xffffffff), u32),
  h: fc.oneof(fc.constantFrom(0, 1, 63, 64, 8192, 8193, 65535, 0x7fffffff, 0xffffffff), u32),
});

const videoEndpoint = fc.constantFrom<'verify' | 'liveness'>('liveness', 'liveness', 'verify');

const mp4Case = fc.record({
  family: fc.constant('mp4' as const),
  endpoint: videoEndpoint,
  seed: fc.nat(),
  op: fc.constantFrom<Mp4Op>(
    'boxSize',
    'boxSize',
    'boxType',
    'codecId',
    'avcC',
    'matrix',
    'matrix',
    'tkhdSize',
    'entrySize',
    'entrySize',
    'timing',
    'sampleTable',
    'duplicateBox',
    'truncate',
    'bitflip',
  ),
  box: fc.nat(),
  variant: fc.nat(),
  value: u32,
  bits,
});

const webmCase = fc.record({
  family: fc.constant('webm' as const),
  endpoint: videoEndpoint,
  seed: fc.nat(),
  op: fc.constantFrom<WebmOp>(
    'size',
    'size',
    'id',
    'codecId',
    'pixels',
    'widePixels',
    'widePixels',
    'truncate',
    'bitflip',
  ),
  element: fc.nat(),
  variant: fc.nat(),
  value: u32,
  bits,
});

/**
 * The mix: cheap request-level cases dominate; mutated containers, which cost a probe
 * and often a decode and a model pass, are about a quarter; trickled bodies about 0.3 %.
 */
export const caseArbitrary: fc.Arbitrary<FuzzCase> = fc.oneof(
  { arbitrary: b64Case, weight: 130 },
  { arbitrary: cryptoCase, weight: 100 },
  { arbitrary: oversizeCase, weight: 12 },
  { arbitrary: multipartCase, weight: 120 },
  { arbitrary: ctypeCase, weight: 60 },
  { arbitrary: formCase, weight: 120 },
  { arbitrary: httpCase, weight: 40 },
  { arbitrary: slowCase, weight: 3 },
  { arbitrary: imageCase, weight: 95 },
  { arbitrary: mp4Case, weight: 220 },
  { arbitrary: webmCase, weight: 100 },
);

/** `count` cases from `seed`: the same arguments, the same cases. */
export function sampleCases(seed: number, count: number): FuzzCase[] {
  return fc.sample(caseArbitrary, { seed, numRuns: count });
}

/** One request exactly as it goes on the wire. */
export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | number>;
  readonly body: Buffer | undefined;
  /** Send the body in chunks of `chunk` bytes, `intervalMs` apart. */
  readonly trickle?: { readonly chunk: number; readonly intervalMs: number };
  /** Declare this Content-Length but send only the body given, and stop at the answer. */
  readonly declaredLength?: number;
  /** What the mutation did, for the report. */
  readonly what: string;
  /** Codes that are the only right answer, where the case decides it; informational. */
  readonly expect?: readonly number[];
}

type Fields = Record<string, string>;

/** The fields of a valid request to an endpoint, sealed with the default pair. */
export function validFields(endpoint: Endpoint, media: SeedMedia, video?: Uint8Array): Fields {
  const v = video ?? media.mp4[0]!.bytes;
  if (endpoint === 'images')
    return {
      first_encrypted_image: seal(media.photo.bytes),
      second_encrypted_image: seal(media.otherPhoto.bytes),
    };
  if (endpoint === 'liveness') return { encrypted_video: seal(v), return_status: 'true' };
  return {
    encrypted_image: seal(media.photo.bytes),
    encrypted_video: seal(v),
    return_status: 'true',
  };
}

const seal = (bytes: Uint8Array, key = DEFAULT_KEY, nonce = DEFAULT_NONCE) =>
  sealToBase64(bytes, key, nonce);

const sealedNames = (f: Fields) => Object.keys(f).filter((k) => k.includes('encrypted'));

const urlencoded = (fields: Fields | [string, string][]): Buffer =>
  Buffer.from(
    new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields)).toString(),
  );

const form = (path: string, body: Buffer, what: string, expect?: number[]): FuzzRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
  body,
  what,
  ...(expect === undefined ? {} : { expect }),
});

interface Part {
  readonly name?: string;
  readonly headers?: string[];
  readonly body: string | Buffer;
}

function multipartBody(
  parts: Part[],
  boundary: string,
  { close = true, preamble = '' } = {},
): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)];
  for (const p of parts) {
    const head = [
      `--${boundary}`,
      ...(p.name === undefined ? [] : [`Content-Disposition: form-data; name="${p.name}"`]),
      ...(p.headers ?? []),
    ].join('\r\n');
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(p.body), Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const multipart = (
  path: string,
  body: Buffer,
  contentType: string,
  what: string,
  expect?: number[],
): FuzzRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': contentType, 'content-length': body.length },
  body,
  what,
  ...(expect === undefined ? {} : { expect }),
});

const BOUNDARY = 'fuzzBoundary7MA4YWxkTrZu0gW';

let oversizedImageField: string | undefined;
/** An encrypted_image value that decrypts to just over 8 MiB (built once: 11 MB of text). */
function oversizedImage(): string {
  oversizedImageField ??= Buffer.alloc(8 * 1024 * 1024 + 17 + 16, 7).toString('base64');
  return oversizedImageField;
}

function flip(bytes: Buffer, positions: readonly number[]): Buffer {
  const out = Buffer.from(bytes);
  for (const p of positions) {
    const at = Math.floor(p / 8) % out.length;
    out[at] = out[at]! ^ (1 << (p % 8));
  }
  return out;
}

/** A copy of a JPEG whose first SOF marker claims `w`×`h`. */
function jpegWithSize(jpeg: Buffer, w: number, h: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length;) {
    if (out[i] !== 0xff) break;
    const marker = out[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xc3) {
      out.writeUInt16BE(h, i + 5);
      out.writeUInt16BE(w, i + 7);
      return out;
    }
    i += 2 + out.readUInt16BE(i + 2);
  }
  return out;
}

const PNG_HEADER = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
function pngHeader(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(w, 8);
  ihdr.writeUInt32BE(h, 12);
  ihdr[16] = 8;
  ihdr[17] = 2;
  return Buffer.concat([PNG_HEADER, ihdr, Buffer.from('0000000049454e44ae426082', 'hex')]);
}

/** A deterministic pseudo-random buffer (xorshift), for "random bytes" of a given seed. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = (seed | 1) >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The request of a case. */
export function buildRequest(c: FuzzCase, media: SeedMedia): FuzzRequest {
  switch (c.family) {
    case 'b64': {
      const path = PATHS[c.endpoint];
      const fields = validFields(c.endpoint, media, media.mp4[1]?.bytes);
      const names = sealedNames(fields);
      const name = names[c.field % names.length]!;
      const v = fields[name]!;
      const at = c.at % Math.max(1, v.length);
      let out: string;
      switch (c.op) {
        case 'truncate':
          out = v.slice(0, at);
          break;
        case 'bitflip':
          out = flip(Buffer.from(v, 'base64'), [c.at, c.at * 7 + c.count]).toString('base64');
          break;
        case 'badchar':
          out = v.slice(0, at) + c.char.repeat(c.count) + v.slice(at);
          break;
        case 'padding':
          out = v.replace(/=+$/, '') + '='.repeat(c.count);
          break;
        case 'urlsafe':
          out = v.replace(/\+/g, '-').replace(/\//g, '_');
          break;
        case 'spaces':
          out = v.slice(0, at) + ' '.repeat(c.count) + v.slice(at);
          break;
        case 'onlyPadding':
          out = '='.repeat(c.count);
          break;
      }
      fields[name] = out;
      // Flips and truncations can still be valid Base64; GCM then fails: 1200 either way.
      const certain = ['badchar', 'onlyPadding', 'truncate', 'bitflip'].includes(c.op);
      return form(path, urlencoded(fields), `${name} ${c.op}`, certain ? [1200] : undefined);
    }
    case 'crypto': {
      const path = PATHS[c.endpoint];
      const fields = validFields(c.endpoint, media, media.mp4[1]?.bytes);
      const names = sealedNames(fields);
      const name = names[c.field % names.length]!;
      const plain = name.includes('video')
        ? (media.mp4[1] ?? media.mp4[0]!).bytes
        : media.photo.bytes;
      let value: string;
      let expect: number[] | undefined = [1200];
      switch (c.op) {
        case 'wrongKey':
          value = c.key === DEFAULT_KEY ? seal(plain) : seal(plain, c.key);
          if (c.key === DEFAULT_KEY) expect = undefined;
          break;
        case 'wrongNonce':
          value = c.nonce === DEFAULT_NONCE ? seal(plain) : seal(plain, undefined, c.nonce);
          if (c.nonce === DEFAULT_NONCE) expect = undefined;
          break;
        case 'shortSeal':
          value = noise(c.len % 16, c.len).toString('base64') || 'AA==';
          break;
        case 'tagOnly':
          value = seal(Buffer.alloc(0));
          expect = undefined; // an empty photo or video: whatever its check says
          break;
        case 'randomPlain':
          value = seal(noise(c.len + 1, c.len));
          expect = undefined;
          break;
        case 'cutPlain':
          value = seal(plain.subarray(0, c.len % plain.length));
          expect = undefined;
          break;
      }
      fields[name] = value;
      return form(path, urlencoded(fields), `${name} ${c.op}`, expect);
    }
    case 'oversize': {
      const path = PATHS[c.endpoint];
      if (c.op === 'imageField') {
        const fields = validFields(c.endpoint, media);
        const name = sealedNames(fields)[0]!;
        fields[name] = oversizedImage();
        const expect = name.includes('video') ? undefined : [2004];
        return form(path, urlencoded(fields), `${name} decrypts to 8 MiB + 1`, expect);
      }
      const body = Buffer.from('encrypted_image=');
      return {
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': 48 * 1024 * 1024 + 1 + c.extra,
        },
        body,
        declaredLength: 48 * 1024 * 1024 + 1 + c.extra,
        what: 'Content-Length over 48 MiB, body never sent',
        expect: [2004],
      };
    }
    case 'multipart': {
      const path = PATHS[c.endpoint];
      const fields = validFields(c.endpoint, media, media.mp4[1]?.bytes);
      const entries = Object.entries(fields);
      const plain = entries.map(([name, body]) => ({ name, body }));
      const type = `multipart/form-data; boundary=${BOUNDARY}`;
      switch (c.op) {
        case 'duplicate': {
          // Each field n times: the first garbage, then the real one (the service keeps the first).
          const parts = entries.flatMap(([name, body]) => [
            { name, body: c.garbage },
            ...Array.from({ length: Math.min(c.n, 8) }, () => ({ name, body })),
          ]);
          return multipart(path, multipartBody(parts, BOUNDARY), type, `${c.n} duplicates`);
        }
        case 'nested': {
          const inner = multipartBody(plain, 'innerBoundary');
          const parts: Part[] = [
            {
              name: 'encrypted_image',
              headers: ['Content-Type: multipart/mixed; boundary=innerBoundary'],
              body: inner,
            },
            ...plain.slice(1),
          ];
          return multipart(path, multipartBody(parts, BOUNDARY), type, 'nested multipart part');
        }
        case 'fileParts': {
          const parts = plain.map((p, i) => ({
            headers: [
              `Content-Disposition: form-data; name="${p.name}"; filename="${c.garbage.replace(/["\r\n]/g, '') || 'x'}${i}.b64"`,
              'Content-Type: application/octet-stream',
            ],
            body: i === 0 ? p.body.slice(0, c.size) : p.body,
          }));
          return multipart(path, multipartBody(parts, BOUNDARY), type, 'file parts, first cut');
        }
        case 'noBoundaryParam':
          return multipart(
            path,
            multipartBody(plain, BOUNDARY),
            'multipart/form-data',
            'no boundary',
            [1200],
          );
        case 'wrongBoundary':
          return multipart(
            path,
            multipartBody(plain, BOUNDARY),
            'multipart/form-data; boundary=other',
            'boundary not in body',
            [1200],
          );
        case 'noClose':
          return multipart(
            path,
            multipartBody(plain, BOUNDARY, { close: false }),
            type,
            'no closing boundary',
          );
        case 'hugePartHeader': {
          const parts = plain.map((p, i) =>
            i === 0 ? { ...p, headers: [`X-${'h'.repeat(c.size)}: ${c.garbage}`] } : p,
          );
          return multipart(
            path,
            multipartBody(parts, BOUNDARY),
            type,
            `${c.size}-byte part header`,
          );
        }
        case 'hugeName': {
          const parts = [{ name: 'n'.repeat(c.size), body: c.garbage }, ...plain.slice(1)];
          return multipart(path, multipartBody(parts, BOUNDARY), type, `${c.size}-byte field name`);
        }
        case 'emptyParts': {
          const parts = Array.from({ length: c.n }, (): Part => ({ body: '' }));
          return multipart(
            path,
            multipartBody(parts, BOUNDARY),
            type,
            `${c.n} empty nameless parts`,
            [1200],
          );
        }
        case 'preamble':
          return multipart(
            path,
            multipartBody(plain, BOUNDARY, { preamble: `${c.garbage}\r\n`.repeat(c.n) }),
            type,
            'preamble before the first part',
          );
        case 'quotedBoundary':
          return multipart(
            path,
            multipartBody(plain.slice(0, 1), BOUNDARY),
            `multipart/form-data; boundary="${BOUNDARY}"; charset=${c.garbage.replace(/[^\w-]/g, '') || 'x'}`,
            'quoted boundary, one field only',
            c.endpoint === 'liveness' ? undefined : [1200],
          );
      }
      break;
    }
    case 'ctype': {
      const path = PATHS[c.endpoint];
      const fields = { [Object.keys(validFields(c.endpoint, media))[0]!]: 'AAAA' };
      const body = c.multipartBody
        ? multipartBody(
            Object.entries(fields).map(([name, body]) => ({ name, body })),
            BOUNDARY,
          )
        : urlencoded(fields);
      const headers: Record<string, string | number> = { 'content-length': body.length };
      // A header value must be printable: drop what Node's client would refuse.
      const contentType = c.contentType.replace(/[^\x20-\x7e]/g, '');
      if (contentType !== '') headers['content-type'] = contentType;
      return {
        method: 'POST',
        path,
        headers,
        body,
        what: `content-type ${JSON.stringify(contentType)}`,
      };
    }
    case 'form': {
      const path = PATHS[c.endpoint];
      const fields = validFields(c.endpoint, media, media.mp4[1]?.bytes);
      const names = sealedNames(fields);
      const name = names[c.n % names.length]!;
      switch (c.op) {
        case 'missing':
          delete fields[name];
          return form(path, urlencoded(fields), `${name} missing`, [1200]);
        case 'empty':
          fields[name] = c.n % 2 === 0 ? '' : ' \r\n';
          return form(path, urlencoded(fields), `${name} empty`, [1200]);
        case 'badBool': {
          if (c.endpoint === 'images') {
            fields['check_quality'] = c.value;
          } else {
            fields['return_status'] = c.value;
          }
          const ok = ['true', 'false', '1', '0'].includes(c.value.trim().toLowerCase());
          return form(path, urlencoded(fields), 'boolean field value', ok ? undefined : [1200]);
        }
        case 'unknownFields': {
          delete fields[name];
          const extra = Array.from({ length: c.n }, (_, i): [string, string] => [`f${i}`, c.value]);
          return form(
            path,
            urlencoded([...Object.entries(fields), ...extra]),
            `${c.n} unknown fields`,
            [1200],
          );
        }
        case 'hugeName': {
          delete fields[name];
          const huge: [string, string] = ['x'.repeat(c.size), c.value];
          return form(
            path,
            urlencoded([huge, ...Object.entries(fields)]),
            `${c.size}-byte field name`,
            [1200],
          );
        }
        case 'badPercent': {
          const body = Buffer.from(
            `${name}=%zz%${c.value}%&${urlencoded(Object.fromEntries(Object.entries(fields).filter(([k]) => k !== name))).toString()}`,
          );
          return form(path, body, 'bad percent escapes');
        }
        case 'duplicate': {
          const pairs: [string, string][] = [[name, c.value], ...Object.entries(fields)];
          return form(path, urlencoded(pairs), `${name} twice, garbage first`);
        }
        case 'noEquals': {
          const body = Buffer.from(
            `${name}&${'&'.repeat(c.n % 64)}${c.value.replace(/[&=]/g, '')}`,
          );
          return form(path, body, 'fields without =', [1200]);
        }
        case 'whitespace': {
          fields[name] = `\r\n${fields[name]!.slice(0, c.size)}\t `;
          return form(path, urlencoded(fields), `${name} cut, with whitespace`, [1200]);
        }
      }
      break;
    }
    case 'http': {
      switch (c.op) {
        case 'method':
          return {
            method: c.method,
            path: pickPath(c.n),
            headers: c.method === 'GET' || c.method === 'HEAD' ? {} : { 'content-length': 0 },
            body: undefined,
            what: `${c.method} ${pickPath(c.n)}`,
          };
        case 'path':
          return {
            method: 'POST',
            path: c.path,
            headers: { 'content-length': 0 },
            body: undefined,
            what: `POST ${c.path}`,
          };
        case 'hugeHeader':
          return {
            method: 'POST',
            path: pickPath(c.n),
            headers: { [`x-${'a'.repeat(c.n)}`]: 'b', 'content-length': 0 },
            body: undefined,
            what: `${c.n}-byte header name`,
          };
        case 'chunked': {
          const body = urlencoded({ encrypted_image: 'AAAA' });
          return {
            method: 'POST',
            path: pickPath(c.n),
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'transfer-encoding': 'chunked',
            },
            body,
            what: 'chunked body',
          };
        }
        case 'query':
          return {
            method: 'POST',
            path: `${pickPath(c.n)}?encrypted_image=AAAA&${'q'.repeat(c.n % 4000)}=1`,
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': 0 },
            body: Buffer.alloc(0),
            what: 'fields in the query string only',
            expect: [1200],
          };
        case 'lyingLength': {
          // Declares less than it sends: the rest reads as a second, malformed request.
          const body = urlencoded({ encrypted_image: 'AAAA', encrypted_video: 'BBBB' });
          return {
            method: 'POST',
            path: pickPath(c.n),
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Math.max(1, body.length - (c.n % body.length)),
            },
            body,
            what: 'Content-Length shorter than the body',
          };
        }
      }
      break;
    }
    case 'slow': {
      const path = PATHS[c.endpoint];
      const fields = validFields(c.endpoint, media);
      for (const name of sealedNames(fields)) fields[name] = fields[name]!.slice(0, c.truncateAt);
      const body = urlencoded(fields);
      return {
        ...form(
          path,
          body,
          `${body.length} bytes trickled, ${c.chunk} per ${c.intervalMs} ms`,
          [1200],
        ),
        trickle: { chunk: c.chunk, intervalMs: c.intervalMs },
      };
    }
    case 'image': {
      const photo = media.photo.bytes;
      let bytes: Buffer;
      switch (c.op) {
        case 'truncate':
          bytes = photo.subarray(0, c.at % photo.length);
          break;
        case 'bitflip':
          bytes = flip(photo, c.bits);
          break;
        case 'sofSize':
          bytes = jpegWithSize(photo, c.w & 0xffff, c.h & 0xffff);
          break;
        case 'pngHuge':
          bytes = pngHeader(c.w >>> 0, c.h >>> 0);
          break;
        case 'random':
          bytes = noise(64 + (c.at % 8192), c.at);
          break;
        case 'zeros':
          bytes = Buffer.alloc(c.at % 4096);
          break;
        case 'headerOnly':
          bytes = photo.subarray(0, 2 + (c.at % 600));
          break;
      }
      const fields = validFields(c.endpoint, media, media.mp4[1]?.bytes);
      const name =
        c.endpoint === 'images'
          ? c.at % 2 === 0
            ? 'first_encrypted_image'
            : 'second_encrypted_image'
          : 'encrypted_image';
      fields[name] = seal(bytes);
      return form(PATHS[c.endpoint], urlencoded(fields), `photo ${c.op} (${bytes.length} bytes)`);
    }
    case 'mp4': {
      const seed = media.mp4[c.seed % media.mp4.length]!;
      const { bytes, what } = mutateMp4(seed.bytes, c);
      return form(
        PATHS[c.endpoint],
        urlencoded(validFields(c.endpoint, media, bytes)),
        `mp4 ${c.op}: ${what}`,
      );
    }
    case 'webm': {
      const seed = media.webm[c.seed % media.webm.length]!;
      const { bytes, what } = mutateWebm(seed.bytes, c);
      return form(
        PATHS[c.endpoint],
        urlencoded(validFields(c.endpoint, media, bytes)),
        `webm ${c.op}: ${what}`,
      );
    }
  }
  throw new Error(`no request for ${JSON.stringify(c)}`);
}

function pickPath(n: number): string {
  return [VERIFY_PATH, LIVENESS_PATH, IMAGES_PATH, '/healthz', '/metrics'][n % 5]!;
}
