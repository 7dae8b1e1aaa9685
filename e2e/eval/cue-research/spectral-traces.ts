/**
 * Issue #13 §4, "spectral traces" and "the generator's fixed crop and resolution": a head
 * rendered at a generator's fixed size (256 or 512 px) and scaled into the frame lacks
 * the fine detail a camera records at that size, while the frame around a pasted head
 * keeps the source picture's. Measured on 8 evenly spaced source frames of each video's
 * first 4 s (every source frame, no resampling in time; the service's working size), in
 * the face box the service tracked (dump-observations.ts output):
 *  - face high band: the share of the face patch's power spectrum (Hann window, largest
 *    power-of-two square inside the box) above half the Nyquist frequency, of the power
 *    above 1/20 of it;
 *  - face / frame: that share over the same share of a patch of the frame beside the face
 *    (left or right of the box, whichever fits; the frame's own compression and focus
 *    cancel out);
 * with the clip's resolution. AUC is bona fide above synthesized.
 *
 *   node --import tsx e2e/eval/cue-research/spectral-traces.ts [OBS_DIR]
 */
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import { resolveBinary } from '../../../services/verifier/src/media/video/ffmpeg-binaries.js';
import { rocAuc } from '../metrics.js';
import { readDumps, tracked } from './observation-dumps.js';
import { decodeSourceFrames, lumaPlane } from './source-frames.js';

const dir = process.argv[2] ?? '/tmp/obs';
const config = loadConfig({ ...process.env });
const ffmpeg = resolveBinary('ffmpeg', config.ffmpegPath).path;
const FRAMES = 8;

/** In-place radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len)
      for (let k = 0; k < len / 2; k++) {
        const [wr, wi] = [Math.cos(ang * k), Math.sin(ang * k)];
        const [ar, ai] = [re[i + k]!, im[i + k]!];
        const [br, bi] = [re[i + k + len / 2]!, im[i + k + len / 2]!];
        const [tr, ti] = [br * wr - bi * wi, br * wi + bi * wr];
        re[i + k] = ar + tr;
        im[i + k] = ai + ti;
        re[i + k + len / 2] = ar - tr;
        im[i + k + len / 2] = ai - ti;
      }
  }
}

/** Share of an n×n patch's (Hann-windowed, mean removed) power above half the Nyquist frequency. */
function highBandShare(plane: Float32Array, width: number, x0: number, y0: number, n: number) {
  const re = Array.from({ length: n }, () => new Float64Array(n));
  const im = Array.from({ length: n }, () => new Float64Array(n));
  let m = 0;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) m += plane[(y0 + y) * width + x0 + x]!;
  m /= n * n;
  const hann = (k: number) => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (n - 1));
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++)
      re[y]![x] = (plane[(y0 + y) * width + x0 + x]! - m) * hann(x) * hann(y);
  for (let y = 0; y < n; y++) fft(re[y]!, im[y]!);
  const colRe = new Float64Array(n);
  const colIm = new Float64Array(n);
  let high = 0;
  let all = 0;
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) [colRe[y], colIm[y]] = [re[y]![x]!, im[y]![x]!];
    fft(colRe, colIm);
    for (let y = 0; y < n; y++) {
      const fx = Math.min(x, n - x) / (n / 2);
      const fy = Math.min(y, n - y) / (n / 2);
      const r = Math.hypot(fx, fy);
      if (r < 0.05 || r > 1) continue;
      const p = colRe[y]! ** 2 + colIm[y]! ** 2;
      all += p;
      if (r >= 0.5) high += p;
    }
  }
  return all === 0 ? NaN : high / all;
}

interface Row {
  id: string;
  species: string;
  resolution: string;
  face: number;
  ratio: number;
}
const rows: Row[] = [];
for await (const dump of readDumps(dir)) {
  if (!['bona-fide', 'synthetic-video', 'replay-video'].includes(dump.species)) continue;
  const seen = dump.frames.filter(tracked).filter((f) => f.t < 4);
  if (seen.length < FRAMES) continue;
  const images = await decodeSourceFrames(ffmpeg, dump.file, dump, config.sampling.workingSide, 4);
  const faces: number[] = [];
  const ratios: number[] = [];
  for (let k = 0; k < FRAMES; k++) {
    const f = seen[Math.floor((k * seen.length) / FRAMES)]!;
    const img = images[Math.min(images.length - 1, Math.round(f.t * dump.fps))]!;
    const side = Math.min(f.box.x2 - f.box.x1, f.box.y2 - f.box.y1);
    let n = 32;
    while (n * 2 <= side) n *= 2;
    if (side < 32) continue;
    const cx = Math.round((f.box.x1 + f.box.x2) / 2 - n / 2);
    const cy = Math.round((f.box.y1 + f.box.y2) / 2 - n / 2);
    const y = Math.max(0, Math.min(img.height - n, cy));
    const plane = lumaPlane(img);
    const face = highBandShare(plane, img.width, Math.max(0, Math.min(img.width - n, cx)), y, n);
    const left = Math.round(f.box.x1) - n;
    const right = Math.round(f.box.x2);
    const bx = left >= 0 ? left : right + n <= img.width ? right : undefined;
    faces.push(face);
    if (bx !== undefined) ratios.push(face / highBandShare(plane, img.width, bx, y, n));
  }
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
  rows.push({
    id: dump.id,
    species: dump.species,
    resolution: `${dump.width}×${dump.height}`,
    face: med(faces),
    ratio: med(ratios),
  });
}

const of = (species: string, k: 'face' | 'ratio') =>
  rows.filter((r) => r.species === species && Number.isFinite(r[k])).map((r) => r[k]);
console.log(
  '| measure | bona fide median (range) | synthesized median (range) | AUC live > fake |',
);
console.log('| --- | --- | --- | --- |');
for (const k of ['face', 'ratio'] as const) {
  const fmt = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return `${s[Math.floor(s.length / 2)]!.toFixed(4)} (${s[0]!.toFixed(4)}–${s.at(-1)!.toFixed(4)}), n=${s.length}`;
  };
  const [a, b] = [of('bona-fide', k), of('synthetic-video', k)];
  console.log(`| ${k} | ${fmt(a)} | ${fmt(b)} | ${rocAuc(a, b).toFixed(2)} |`);
}
console.log('\n| clip | class | resolution | face high band | face / frame |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows.filter((r) => r.species !== 'bona-fide'))
  console.log(
    `| ${r.id} | ${r.species} | ${r.resolution} | ${r.face.toFixed(4)} | ${r.ratio.toFixed(2)} |`,
  );
const res = new Map<string, string[]>();
for (const r of rows) res.set(r.resolution, [...(res.get(r.resolution) ?? []), r.species]);
console.log('\nresolutions:');
for (const [k, v] of res) console.log(`  ${k}: ${v.join(', ')}`);
